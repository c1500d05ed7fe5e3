// eduMFA's /auth answer: result.value = {token, role, username, realm, rights}.
#include "server/api/auth_api.hpp"

#include "server/api/api_error.hpp"
#include "server/api/envelope.hpp"
#include "server/api/params.hpp"

namespace tessera::api {
void add_auth_routes(http::Router& router, auth::AuthService& auth, const AccessControl& access,
                     ca::CertificateLogin* certificates) {
  router.add("POST", "/auth", [&auth, &access, certificates](http::RequestContext& c) {
    const auto username = string_param(c, "username");
    const auto realm = string_param(c, "realm");
    c.audit.user = username;
    c.audit.realm = realm;
    auth::LoginResult result;
    std::string serial;
    if (username.empty() && certificates && !c.request.client_certificate_pem.empty()) {
      // Certificate login: the owner of the enrolled token the certificate was issued for.
      auto match = certificates->match(c.request.client_certificate_pem);
      if (!match.token) {
        c.audit.info = match.reason;
        throw ApiError(401, 4031, "authentication failed: wrong credentials");
      }
      serial = match.token->serial;
      c.audit.serial = serial;
      c.audit.user = match.token->owner_user;
      c.audit.realm = match.token->owner_realm;
      result = auth.login_as({auth::Role::user, match.token->owner_user, match.token->owner_realm,
                              match.token->owner_resolver});
    } else {
      if (username.empty()) throw ApiError::bad_parameter("missing parameter 'username'");
      result = auth.login(username, string_param(c, "password"), realm, c.request.remote_address);
    }
    c.identity = result.identity;
    boost::json::array rights;
    for (const auto& right : access.rights(result.identity, c.request.remote_address))
      rights.push_back(boost::json::string(right));
    boost::json::object value{{"token", result.token},
                              {"role", result.identity.is_admin() ? "admin" : "user"},
                              {"username", result.identity.username},
                              {"realm", result.identity.realm},
                              {"rights", std::move(rights)}};
    if (!serial.empty()) value["serial"] = serial;  // the token whose certificate logged in
    return json_result(value);
  });
}

}  // namespace tessera::api
