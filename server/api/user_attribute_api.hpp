// eduMFA's custom user attributes (user_attribute_api.cpp).
#pragma once

#include "db/user_attribute_repository.hpp"
#include "server/api/access_control.hpp"
#include "server/http/router.hpp"
#include "server/identity/user_directory.hpp"

namespace tessera::api {

struct UserAttributeApiContext {
  db::UserAttributeRepository& attributes;
  identity::UserDirectory& directory;
  const AccessControl& access;
};

void add_user_attribute_routes(http::Router& router, const UserAttributeApiContext& context);

}  // namespace tessera::api
