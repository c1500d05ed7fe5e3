// A first start that is ready to use (config first_start): on an empty database, besides the
// first admin, a default realm with a built-in user store and a local CA (EC P-256) with a
// client-certificate profile; and the next three things to try, printed as commands.
#pragma once

#include <string>

#include "db/certificate_profile_repository.hpp"
#include "db/identity_repository.hpp"
#include "server/ca/ca_connectors.hpp"
#include "server/config/server_config.hpp"

namespace tessera::app {

struct ReadyToUse {
  std::string realm, resolver;  // empty when not made
  std::string ca, profile;
};

// Makes what settings name (each only where nothing of its kind exists yet).
ReadyToUse make_ready_to_use(const FirstStartSettings& settings, db::IdentityRepository& identities,
                             ca::CaConnectors& ca_connectors,
                             db::CertificateProfileRepository& profiles);

// What was made and the next steps (log in, add a user, enroll a token, check it) as shell
// commands against url; ca_file: the server's certificate for curl ("" over plain HTTP).
std::string next_steps(const ReadyToUse& made, const std::string& url, const std::string& ca_file);

}  // namespace tessera::app
