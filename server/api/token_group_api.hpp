// eduMFA's /tokengroup/, /serviceid/ and /token/group/ (token_group_api.cpp).
#pragma once

#include "db/described_names.hpp"
#include "db/token_repository.hpp"
#include "server/api/access_control.hpp"
#include "server/http/router.hpp"

namespace tessera::api {

struct TokenGroupApiContext {
  db::DescribedNames& token_groups;
  db::DescribedNames& service_ids;
  db::TokenGroups& members;
  db::TokenRepository& tokens;
  const AccessControl& access;
};

void add_token_group_routes(http::Router& router, const TokenGroupApiContext& context);

}  // namespace tessera::api
