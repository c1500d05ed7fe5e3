// eduMFA's /recover (password recovery by e-mail) (recover_api.cpp).
#pragma once

#include "db/identity_repository.hpp"
#include "db/recovery_code_repository.hpp"
#include "server/api/access_control.hpp"
#include "server/http/router.hpp"
#include "server/identity/user_directory.hpp"
#include "server/plugins/configured_components.hpp"
#include "server/tokens/pin_hasher.hpp"

namespace tessera::api {

struct RecoverApiContext {
  identity::UserDirectory& directory;
  db::IdentityRepository& identities;
  db::RecoveryCodeRepository& codes;
  const tokens::PinHasher& hasher;
  plugins::ConfiguredComponents& notifiers;
  const AccessControl& access;
};

void add_recover_routes(http::Router& router, const RecoverApiContext& context);

}  // namespace tessera::api
