// /healthz answers 503 when the database does not respond, so a load balancer takes the node
// out; /metrics is unauthenticated text for Prometheus (bind it to a private network).
#include "server/api/system_api.hpp"

#include <algorithm>

#include <boost/json/parse.hpp>

#include "server/api/api_error.hpp"
#include "server/api/envelope.hpp"
#include "server/api/params.hpp"
#include "server/crypto/encoding.hpp"
#include "server/crypto/random.hpp"
#include "server/plugins/abi_access.hpp"
#include "server/plugins/component_config.hpp"

namespace tessera::api {
namespace {

const char* param_type_name(uint32_t type) {
  switch (type) {
    case TESSERA_PARAM_INT:
      return "integer";
    case TESSERA_PARAM_BOOL:
      return "boolean";
    case TESSERA_PARAM_STRING_LIST:
      return "string_list";
  }
  return "string";
}

// A component's configuration parameters, so that forms can be built for any plugin's type.
boost::json::array params_of(const tessera_component_v1& component) {
  boost::json::array params;
  for (size_t i = 0; i < component.param_count; ++i) {
    const auto& p = plugins::param_at(component, i);
    boost::system::error_code ec;
    auto fallback = p.default_value ? boost::json::parse(p.default_value, ec) : nullptr;
    params.push_back({{"key", p.key},
                      {"type", param_type_name(p.type)},
                      {"required", (p.flags & TESSERA_PARAM_REQUIRED) != 0},
                      {"secret", (p.flags & TESSERA_PARAM_SECRET) != 0},
                      {"default", ec || (p.flags & TESSERA_PARAM_SECRET) ? nullptr : fallback},
                      {"description", p.description ? p.description : ""}});
  }
  return params;
}

// Files by name only ("/usr/lib/x/libfoo.so" -> "libfoo.so"): the server's folders are not
// the admins' business.
std::string without_folders(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '/' && (i == 0 || text[i - 1] == ' ')) {
      const auto end = std::min(text.find(' ', i), text.size());
      const auto word = text.substr(i, end - i);
      out += word.substr(word.rfind('/') + 1);
      i = end;
    } else {
      out += text[i++];
    }
  }
  return out;
}

boost::json::object describe(const plugins::LoadedPlugin& plugin,
                             const std::map<std::string, std::string>& unusable_types) {
  const auto& d = plugin.descriptor();
  boost::json::array components;
  for (size_t i = 0; i < d.component_count; ++i) {
    const auto& component = plugins::component_at(d, i);
    boost::json::object entry{
        {"kind", plugins::kind_name(component.kind)},
        {"type", component.type_id},
        {"display_name", component.display_name ? component.display_name : ""},
        {"params", params_of(component)},
        {"usable", true}};
    // A token type is made once at start; one that could not be made is listed as such.
    if (component.kind == TESSERA_COMPONENT_TOKEN_TYPE)
      if (auto it = unusable_types.find(component.type_id); it != unusable_types.end()) {
        entry["usable"] = false;
        entry["reason"] = without_folders(it->second);
      }
    components.push_back(std::move(entry));
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
                       const plugins::PluginRegistry& registry, const tokens::TokenTypes& types,
                       const AccessControl& access) {
  router.add("GET", "/healthz", [&database](http::RequestContext&) {
    const bool database_ok = database.ping();
    boost::json::object value{{"status", database_ok ? "ok" : "degraded"},
                              {"database", database_ok ? "ok" : "unreachable"}};
    return json_result(value, {}, database_ok ? 200 : 503);
  });
  // eduMFA's probes: /health/live answers while the process runs, /health/ready while the
  // database answers too (503 otherwise), with eduMFA's body.
  router.add("GET", "/health/live", [](http::RequestContext&) {
    http::HttpResponse response;
    response.body = R"({"status":"ok"})";
    return response;
  });
  router.add("GET", "/health/ready", [&database](http::RequestContext&) {
    const bool database_ok = database.ping();
    http::HttpResponse response;
    response.status = database_ok ? 200 : 503;
    response.body = database_ok ? R"({"status":"ok","checks":{"database":{"status":"ok"}}})"
                                : R"({"status":"error","checks":{"database":{"status":"error",)"
                                  R"("message":"the database does not answer"}}})";
    return response;
  });
  router.add("GET", "/metrics", [&metrics](http::RequestContext&) {
    http::HttpResponse response;
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    response.body = metrics.render();
    return response;
  });
  // Every route this server answers (method and path pattern), for checking the API's
  // description against it.
  router.add(
      "GET", "/system/routes",
      [&router, &access](http::RequestContext& c) {
        access.require_admin(c, "configread");
        boost::json::array routes;
        for (const auto& [method, pattern] : router.routes())
          routes.push_back({{"method", method}, {"path", pattern}});
        return json_result(routes);
      },
      http::Access::authenticated);
  // Random key material for clients that make tokens themselves: len bytes, hex or b64.
  router.add(
      "GET", "/system/random",
      [&access](http::RequestContext& c) {
        access.require_admin(c, "getrandom");
        const auto bytes = crypto::random_bytes(int_param(c, "len", 20, 1, 1024));
        const auto encode = string_param(c, "encode", 8);
        if (encode == "b64")
          return json_result(
              boost::json::string(crypto::base64_encode(bytes.data(), bytes.size())));
        if (!encode.empty() && encode != "hex")
          throw ApiError::bad_parameter("encode is hex or b64");
        return json_result(boost::json::string(crypto::hex_encode(bytes.data(), bytes.size())));
      },
      http::Access::authenticated);
  // eduMFA's HSM may wait for a password; Tessera's key is a file read at start, so it is
  // always ready, and there is no password to give.
  router.add(
      "GET", "/system/hsm",
      [&access](http::RequestContext& c) {
        access.require_admin(c, "configread");
        return json_result(boost::json::object{{"is_ready", true}});
      },
      http::Access::authenticated);
  router.add(
      "POST", "/system/hsm",
      [&access](http::RequestContext& c) -> http::HttpResponse {
        access.require_admin(c, "set_hsm_password");
        throw ApiError::bad_parameter(
            "Tessera's encryption key is a file read at start (encryption_key_file); it has no "
            "password to give. Keys in an HSM are a plugin's (see docs/admin/plugins.md)");
      },
      http::Access::authenticated);
  // eduMFA decrypts GPG-encrypted token files with its own keys; Tessera imports PSKC, whose
  // encryption (a pre-shared key or a password) is part of the standard.
  router.add(
      "GET", "/system/gpgkeys",
      [&access](http::RequestContext& c) -> http::HttpResponse {
        access.require_admin(c, "configread");
        throw ApiError::bad_parameter(
            "Tessera has no GPG keys: import token files as PSKC encrypted with a pre-shared key "
            "or a password (POST /token/load/<filename>)");
      },
      http::Access::authenticated);
  // Plugins are loaded once at start, so this lists this node's; refused files name the reason.
  router.add(
      "GET", "/system/plugins",
      [&registry, &types, &access](http::RequestContext& c) {
        access.require_admin(c, "configread");
        boost::json::array loaded, refused;
        for (const auto& plugin : registry.plugins())
          loaded.push_back(describe(*plugin, types.unusable()));
        for (const auto& refusal : registry.refusals()) {
          refused.push_back({{"file", refusal.file.filename().string()},
                             {"reason", without_folders(refusal.reason)}});
        }
        return json_result(
            boost::json::object{{"plugins", std::move(loaded)}, {"refused", std::move(refused)}});
      },
      http::Access::authenticated);
}

}  // namespace tessera::api
