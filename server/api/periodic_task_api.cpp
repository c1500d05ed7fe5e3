// eduMFA's periodic tasks are admin-defined (statistics, event counters) and stored; Tessera's
// background jobs are built in (outbox deliveries, the event dispatcher, the pending-certificate
// poller, certificate expiry with the purges), run on every node at intervals from
// tessera.yaml. So the reading routes list the jobs in eduMFA's shape with their last runs on
// this node, and the writing ones are refused with where each setting lives.
#include "server/api/periodic_task_api.hpp"

#include <ctime>

#include <boost/json.hpp>

#include "server/api/api_error.hpp"
#include "server/api/envelope.hpp"
#include "server/util/node_name.hpp"

namespace tessera::api {
namespace {

// eduMFA's AUTH_DATE_FORMAT, in UTC.
std::string stamp(long long ms) {
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[40];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S.000000+0000", &tm);
  return text;
}

constexpr const char* kRefusal =
    "Tessera's background jobs are built in and run on every node; their intervals are set in "
    "tessera.yaml (events.poll_interval for the pending-certificate poller and certificate "
    "expiry, events.outbox_workers for deliveries). GET /periodictask/ lists them.";

}  // namespace

void add_periodic_task_routes(http::Router& router, std::vector<PeriodicTask> tasks,
                              const AccessControl& access) {
  const auto authenticated = http::Access::authenticated;
  const auto shared = std::make_shared<const std::vector<PeriodicTask>>(std::move(tasks));
  const auto task_json = [](const PeriodicTask& task, size_t id) {
    const auto seconds = task.job->interval().count() / 1000;
    boost::json::object runs;
    if (const auto last = task.job->last_run_ms()) runs[util::node_name()] = stamp(last);
    return boost::json::object{{"id", static_cast<int64_t>(id)},
                               {"name", task.job->name() + "-" + std::to_string(id)},
                               {"active", true},
                               {"retry_if_failed", true},
                               {"interval", "every " + std::to_string(seconds) + " seconds"},
                               {"nodes", boost::json::array{util::node_name().c_str()}},
                               {"taskmodule", task.job->name()},
                               {"ordering", static_cast<int64_t>(id)},
                               {"options", {{"description", task.description}}},
                               {"last_update", stamp(0)},
                               {"last_runs", std::move(runs)},
                               {"failures", task.job->failures()}};
  };
  router.add(
      "GET", "/periodictask/taskmodules/",
      [&access, shared](http::RequestContext& c) {
        access.require_admin(c, "configread");
        boost::json::array modules;
        for (const auto& task : *shared)
          if (std::find(modules.begin(), modules.end(),
                        boost::json::value(task.job->name().c_str())) == modules.end())
            modules.push_back(boost::json::string(task.job->name()));
        return json_result(modules);
      },
      authenticated);
  router.add(
      "GET", "/periodictask/nodes/",
      [&access](http::RequestContext& c) {
        access.require_admin(c, "configread");
        return json_result(boost::json::array{util::node_name().c_str()});
      },
      authenticated);
  router.add(
      "GET", "/periodictask/options/<taskmodule>",
      [&access, shared](http::RequestContext& c) {
        access.require_admin(c, "configread");
        for (const auto& task : *shared)
          if (task.job->name() == c.path_params.at("taskmodule"))
            return json_result(boost::json::object{});  // built-in jobs take no options
        throw ApiError::not_found("no task module '" + c.path_params.at("taskmodule") + "'");
      },
      authenticated);
  router.add(
      "GET", "/periodictask/",
      [&access, shared, task_json](http::RequestContext& c) {
        access.require_admin(c, "configread");
        boost::json::array list;
        for (size_t i = 0; i < shared->size(); ++i) list.push_back(task_json((*shared)[i], i + 1));
        return json_result(list);
      },
      authenticated);
  router.add(
      "GET", "/periodictask/<id>",
      [&access, shared, task_json](http::RequestContext& c) {
        access.require_admin(c, "configread");
        const auto& id = c.path_params.at("id");
        for (size_t i = 0; i < shared->size(); ++i)
          if (std::to_string(i + 1) == id) return json_result(task_json((*shared)[i], i + 1));
        throw ApiError::not_found("no periodic task " + id);
      },
      authenticated);
  for (const auto& [method, path] :
       std::vector<std::pair<const char*, const char*>>{{"POST", "/periodictask/"},
                                                        {"POST", "/periodictask/enable/<id>"},
                                                        {"POST", "/periodictask/disable/<id>"},
                                                        {"DELETE", "/periodictask/<id>"}})
    router.add(
        method, path,
        [&access](http::RequestContext& c) -> http::HttpResponse {
          access.require_admin(c, "configread");
          throw ApiError::bad_parameter(kRefusal);
        },
        authenticated);
}

}  // namespace tessera::api
