// eduMFA's /auth answer: result.value = {token, role, username, realm, rights}.
#include "server/api/auth_api.hpp"

#include "server/api/api_error.hpp"
#include "server/api/envelope.hpp"
#include "server/api/params.hpp"

namespace tessera::api {
void add_auth_routes(http::Router& router, auth::AuthService& auth, const AccessControl& access) {
  router.add("POST", "/auth", [&auth, &access](http::RequestContext& c) {
    const auto username = string_param(c, "username");
    const auto realm = string_param(c, "realm");
    c.audit.user = username;
    c.audit.realm = realm;
    if (username.empty()) throw ApiError::bad_parameter("missing parameter 'username'");
    auto result =
        auth.login(username, string_param(c, "password"), realm, c.request.remote_address);
    c.identity = result.identity;
    boost::json::array rights;
    for (const auto& right : access.rights(result.identity, c.request.remote_address))
      rights.push_back(boost::json::string(right));
    boost::json::object value{{"token", result.token},
                              {"role", result.identity.is_admin() ? "admin" : "user"},
                              {"username", result.identity.username},
                              {"realm", result.identity.realm},
                              {"rights", std::move(rights)}};
    return json_result(value);
  });
}

}  // namespace tessera::api
