#include "server/api/ca_api.hpp"

#include <boost/json.hpp>

#include <limits>
#include "server/api/api_error.hpp"
#include "server/api/component_save.hpp"
#include "server/api/envelope.hpp"
#include "server/api/params.hpp"
#include "server/api/plugin_failure.hpp"
#include "server/ca/certificate_profile.hpp"
#include "server/plugins/component_instance.hpp"

namespace tessera::api {
namespace {

boost::json::object connector_json(const ca::ConnectorInfo& info,
                                   db::CertificateProfileRepository& profiles) {
  boost::json::object templates;
  for (const auto& [name, config] : profiles.of(info.name))
    templates[name] = boost::json::parse(config);
  return {{"connectorname", info.name},
          {"type", info.type},
          {"data", info.config},
          {"templates", templates},
          {"version", info.version}};
}

std::string name_of(const http::RequestContext& c) {
  const auto& name = c.path_params.at("name");
  check_identifier(name, "CA connector name");
  return name;
}

http::HttpResponse published(std::string body, const char* content_type) {
  http::HttpResponse response;
  response.content_type = content_type;
  response.body = std::move(body);
  return response;
}

template <class Fn>
auto for_connector(Fn&& fn) {
  try {
    return fn();
  } catch (const ca::CaConnectorError& e) {
    throw ApiError::not_found(e.what());
  } catch (const plugins::PluginCallError& e) {
    throw_plugin_failure(e, "the CA connector");
  }
}

}  // namespace

void add_ca_routes(http::Router& router, ca::CaConnectors& connectors,
                   db::CertificateProfileRepository& profiles, const AccessControl& access) {
  for (const char* pattern : {"/caconnector/", "/caconnector/<name>"})
    router.add(
        "GET", pattern,
        [&](http::RequestContext& c) {
          access.require_admin(c, "caconnectorread");
          boost::json::array result;
          if (c.path_params.count("name")) {
            auto info = connectors.find(name_of(c));
            if (!info) throw ApiError::not_found("no CA connector '" + name_of(c) + "'");
            result.push_back(connector_json(*info, profiles));
          } else {
            for (const auto& info : connectors.list())
              result.push_back(connector_json(info, profiles));
          }
          return json_result(result);
        },
        http::Access::authenticated);

  router.add(
      "POST", "/caconnector/<name>",
      [&](http::RequestContext& c) {
        access.require_admin(c, "caconnectorwrite");
        const auto name = name_of(c);
        return save_component(c, name, "CA connector",
                              [&](const std::string& type, const boost::json::object& params,
                                  std::optional<long long> version) {
                                return connectors.save(name, type, params, version);
                              });
      },
      http::Access::authenticated);

  router.add(
      "DELETE", "/caconnector/<name>",
      [&](http::RequestContext& c) {
        access.require_admin(c, "caconnectordelete");
        const auto name = name_of(c);
        if (!connectors.find(name)) throw ApiError::not_found("no CA connector '" + name + "'");
        // Its profiles go first: a new connector of the same name starts without them, and a
        // crash in between leaves a connector without profiles, never profiles for a stranger.
        const auto profiles_removed = profiles.remove_all(name);
        if (!connectors.remove(name)) throw ApiError::not_found("no CA connector '" + name + "'");
        c.audit.info = "deleted CA connector " + name + " and its " +
                       std::to_string(profiles_removed) + " profiles";
        return json_result(1);
      },
      http::Access::authenticated);

  router.add(
      "POST", "/caconnector/<name>/profile/<profile>",
      [&](http::RequestContext& c) {
        access.require_admin(c, "caconnectorwrite");
        const auto name = name_of(c);
        const auto& profile = c.path_params.at("profile");
        check_identifier(profile, "profile name");
        if (!connectors.find(name)) throw ApiError::not_found("no CA connector '" + name + "'");
        try {
          const auto parsed = ca::CertificateProfile::from_params(c.params);
          profiles.save(name, profile, boost::json::serialize(parsed.to_json()));
        } catch (const ca::ProfileError& e) {
          throw ApiError::bad_parameter(e.what());
        }
        c.audit.info = "profile " + profile + " of CA connector " + name;
        return json_result(true);
      },
      http::Access::authenticated);

  router.add(
      "DELETE", "/caconnector/<name>/profile/<profile>",
      [&](http::RequestContext& c) {
        access.require_admin(c, "caconnectorwrite");
        const auto name = name_of(c);
        const auto& profile = c.path_params.at("profile");
        if (!profiles.remove(name, profile))
          throw ApiError::not_found("no profile '" + profile + "' at CA connector '" + name + "'");
        return json_result(1);
      },
      http::Access::authenticated);

  router.add("GET", "/ca/<name>/cert", [&](http::RequestContext& c) {
    const auto name = name_of(c);
    return for_connector(
        [&] { return published(connectors.ca_certificate_pem(name), "application/x-pem-file"); });
  });

  router.add("GET", "/ca/<name>/crl", [&](http::RequestContext& c) {
    const auto name = name_of(c);
    return for_connector(
        [&] { return published(connectors.crl_der(name), "application/pkix-crl"); });
  });
}

}  // namespace tessera::api
