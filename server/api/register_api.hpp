// eduMFA's self-registration (/register): where a register policy allows it, a new user of the
// built-in store picks a password and gets a one-time registration code by e-mail, her second
// factor for the first login (register_api.cpp).
#pragma once

#include "db/identity_repository.hpp"
#include "db/token_repository.hpp"
#include "server/api/access_control.hpp"
#include "server/http/router.hpp"
#include "server/identity/user_directory.hpp"
#include "server/plugins/configured_components.hpp"
#include "server/tokens/token_enrollment.hpp"

namespace tessera::api {

struct RegisterApiContext {
  identity::UserDirectory& directory;
  db::IdentityRepository& identities;
  tokens::TokenEnrollment& enrollment;
  db::TokenRepository& tokens;
  plugins::ConfiguredComponents& notifiers;
  const AccessControl& access;
};

void add_register_routes(http::Router& router, const RegisterApiContext& context);

}  // namespace tessera::api
