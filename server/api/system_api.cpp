// /healthz answers 503 when the database does not respond, so a load balancer takes the node
// out; /metrics is unauthenticated text for Prometheus (bind it to a private network).
#include "server/api/system_api.hpp"

#include "server/api/envelope.hpp"
#include "server/plugins/abi_access.hpp"
#include "server/plugins/component_config.hpp"

namespace tessera::api {
namespace {

boost::json::object describe(const plugins::LoadedPlugin& plugin) {
  const auto& d = plugin.descriptor();
  boost::json::array components;
  for (size_t i = 0; i < d.component_count; ++i) {
    const auto& component = plugins::component_at(d, i);
    components.push_back({{"kind", plugins::kind_name(component.kind)},
                          {"type", component.type_id},
                          {"display_name", component.display_name ? component.display_name : ""}});
  }
  return {{"id", d.plugin_id},
          {"version", d.plugin_version},
          {"abi", std::to_string(d.abi_major) + "." + std::to_string(d.abi_minor)},
          {"build_info", d.build_info ? d.build_info : ""},
          {"file", plugin.file().filename().string()},
          {"components", std::move(components)}};
}

}  // namespace

void add_system_routes(http::Router& router, db::Database& database, const Metrics& metrics,
                       const plugins::PluginRegistry& registry, const AccessControl& access) {
  router.add("GET", "/healthz", [&database](http::RequestContext&) {
    const bool database_ok = database.ping();
    boost::json::object value{{"status", database_ok ? "ok" : "degraded"},
                              {"database", database_ok ? "ok" : "unreachable"}};
    return json_result(value, {}, database_ok ? 200 : 503);
  });
  router.add("GET", "/metrics", [&metrics](http::RequestContext&) {
    http::HttpResponse response;
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    response.body = metrics.render();
    return response;
  });
  // Plugins are loaded once at start, so this lists this node's; refused files name the reason.
  router.add(
      "GET", "/system/plugins",
      [&registry, &access](http::RequestContext& c) {
        access.require_admin(c, "configread");
        boost::json::array loaded, refused;
        for (const auto& plugin : registry.plugins()) loaded.push_back(describe(*plugin));
        for (const auto& refusal : registry.refusals())
          refused.push_back(
              {{"file", refusal.file.filename().string()}, {"reason", refusal.reason}});
        return json_result(
            boost::json::object{{"plugins", std::move(loaded)}, {"refused", std::move(refused)}});
      },
      http::Access::authenticated);
}

}  // namespace tessera::api
