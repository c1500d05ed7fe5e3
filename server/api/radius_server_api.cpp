#include "server/api/radius_server_api.hpp"

#include <algorithm>

#include "server/api/api_error.hpp"
#include "server/api/envelope.hpp"
#include "server/api/params.hpp"

namespace tessera::api {
namespace {

// A definition from eduMFA's parameters: server, port, secret, timeout, retries, description.
// dictionary is accepted and unused (the attributes Tessera sends are RFC 2865's own);
// enforce_ma may only be true: replies are always checked.
radius::RadiusServerDefinition definition_from(const http::RequestContext& c, std::string name) {
  if (c.params.contains("enforce_ma") && !bool_param(c, "enforce_ma", true))
    throw ApiError::bad_parameter(
        "enforce_ma: Tessera always requires a valid Message-Authenticator in RADIUS replies "
        "(BlastRADIUS, CVE-2024-3596)");
  string_param(c, "dictionary", 1024);
  // eduMFA turns spaces into underscores in the name.
  std::replace(name.begin(), name.end(), ' ', '_');
  radius::RadiusServerDefinition d{
      std::move(name),
      {required_param(c, "server", 255), int_param(c, "port", 1812, 1, 65535),
       required_param(c, "secret", 256), std::chrono::seconds(int_param(c, "timeout", 5, 1, 60)),
       int_param(c, "retries", 3, 0, 10)},
      string_param(c, "description", 255)};
  if (auto problem = radius::definition_problem(d)) throw ApiError::bad_parameter(*problem);
  return d;
}

}  // namespace

void add_radius_server_routes(http::Router& router, radius::RadiusServers& servers,
                              const AccessControl& access) {
  const auto authenticated = http::Access::authenticated;
  // The secret is never answered.
  router.add(
      "GET", "/radiusserver/",
      [&](http::RequestContext& c) {
        access.require_admin(c, "radiusserver_read");
        boost::json::object value;
        for (const auto& d : servers.list())
          value[d.name] = {{"identifier", d.name},         {"server", d.address.host},
                           {"port", d.address.port},       {"timeout", d.address.timeout.count()},
                           {"retries", d.address.retries}, {"enforce_ma", true},
                           {"description", d.description}};
        return json_result(value);
      },
      authenticated);
  // A definition that need not be saved; eduMFA answers whether the user was accepted.
  router.add(
      "POST", "/radiusserver/test_request",
      [&](http::RequestContext& c) {
        access.require_admin(c, "radiusserver_write");
        auto d = definition_from(c, required_param(c, "identifier", 64));
        d.address.budget = std::chrono::seconds(30);  // an admin's request waits no longer
        const auto user = required_param(c, "username", 253);
        const auto password = string_param(c, "password", radius::kMaxPassword);
        try {
          const auto reply =
              radius::send_access_request(d.address, {user, password, "", "tessera"});
          return json_result(reply.code == radius::Code::access_accept);
        } catch (const radius::Unreachable& e) {
          throw ApiError(502, error_code::parameter, e.what());
        } catch (const std::invalid_argument& e) {
          throw ApiError::bad_parameter(e.what());
        }
      },
      authenticated);
  router.add(
      "POST", "/radiusserver/<identifier>",
      [&](http::RequestContext& c) {
        access.require_admin(c, "radiusserver_write");
        servers.save(definition_from(c, c.path_params.at("identifier")));
        return json_result(true);
      },
      authenticated);
  router.add(
      "DELETE", "/radiusserver/<identifier>",
      [&](http::RequestContext& c) {
        access.require_admin(c, "radiusserver_write");
        const auto& name = c.path_params.at("identifier");
        if (!servers.remove(name)) throw ApiError::not_found("no RADIUS server '" + name + "'");
        return json_result(true);
      },
      authenticated);
  // eduMFA's names for the token enrollment dialog: every definition's name.
  router.add(
      "GET", "/system/names/radius",
      [&](http::RequestContext& c) {
        if (c.identity->is_admin())
          access.require_admin(c, "enrollRADIUS");
        else if (!access.user_may(c, "enrollRADIUS"))
          throw ApiError(403, 303, "user policies do not allow 'enrollRADIUS'");
        boost::json::object value;
        for (const auto& d : servers.list())
          value[d.name] = {{"server", d.address.host}, {"port", d.address.port}};
        return json_result(value);
      },
      authenticated);
}

}  // namespace tessera::api
