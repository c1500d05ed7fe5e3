// eduMFA's /machineresolver/, /machine/ and /application/ for sshkey tokens (machine_api.cpp).
#pragma once

#include "db/described_names.hpp"
#include "db/machine_repository.hpp"
#include "db/token_repository.hpp"
#include "server/api/access_control.hpp"
#include "server/http/router.hpp"

namespace tessera::api {

struct MachineApiContext {
  db::MachineRepository& machines;
  db::TokenRepository& tokens;
  db::DescribedNames& service_ids;
  const AccessControl& access;
};

void add_machine_routes(http::Router& router, const MachineApiContext& context);

}  // namespace tessera::api
