// eduMFA's /periodictask/ over Tessera's built-in background jobs (periodic_task_api.cpp).
#pragma once

#include <string>
#include <vector>

#include "server/api/access_control.hpp"
#include "server/http/router.hpp"
#include "server/jobs/periodic_job.hpp"

namespace tessera::api {

struct PeriodicTask {
  const jobs::PeriodicJob* job;
  std::string description;  // what it does, for admins
};

void add_periodic_task_routes(http::Router& router, std::vector<PeriodicTask> tasks,
                              const AccessControl& access);

}  // namespace tessera::api
