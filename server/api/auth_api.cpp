// eduMFA's /auth answer: result.value = {token, role, username, realm, rights}.
#include "server/api/auth_api.hpp"

#include <cctype>

#include "server/api/api_error.hpp"
#include "server/api/envelope.hpp"
#include "server/api/params.hpp"

namespace tessera::api {
namespace {

ApiError refused() {
  return ApiError(401, 4031, "authentication failed: wrong credentials");
}

// eduMFA's /auth answer: the JWT, who it is for and what they may do.
http::HttpResponse logged_in(const auth::LoginResult& result, const AccessControl& access,
                             const std::string& client, const std::string& serial) {
  boost::json::array rights;
  for (const auto& right : access.rights(result.identity, client))
    rights.push_back(boost::json::string(right));
  boost::json::object value{{"token", result.token},
                            {"role", result.identity.is_admin() ? "admin" : "user"},
                            {"username", result.identity.username},
                            {"realm", result.identity.realm},
                            {"rights", std::move(rights)}};
  if (!serial.empty()) value["serial"] = serial;  // the token whose certificate logged in
  return json_result(value);
}

}  // namespace

void add_auth_routes(http::Router& router, auth::AuthService& auth, const AccessControl& access,
                     ca::CertificateLogin* certificates, const SecondFactorLogin* second_factor) {
  router.add(
      "POST", "/auth", [&auth, &access, certificates, second_factor](http::RequestContext& c) {
        const auto username = string_param(c, "username");
        const auto realm = string_param(c, "realm");
        const auto& client = c.request.remote_address;
        c.audit.user = username;
        c.audit.realm = realm;
        const auto mode = [&](const auth::Identity& who) {
          return second_factor ? second_factor->mode_for(who, client)
                               : SecondFactorLogin::Mode::userstore;
        };
        if (username.empty() && certificates && !c.request.client_certificate_pem.empty()) {
          // Certificate login: the owner of the enrolled token the certificate was issued for. A
          // certificate over mutual TLS is a key the user holds and its PIN: two factors.
          auto match = certificates->match(c.request.client_certificate_pem);
          if (!match.token) {
            c.audit.info = match.reason;
            throw refused();
          }
          const std::string serial = match.token->serial;
          c.audit.serial = serial;
          c.audit.user = match.token->owner_user;
          c.audit.realm = match.token->owner_realm;
          const auth::Identity owner{auth::Role::user, match.token->owner_user,
                                     match.token->owner_realm, match.token->owner_resolver};
          if (mode(owner) == SecondFactorLogin::Mode::disabled) {
            c.audit.info = "login_mode disable: users do not log in to the WebUI";
            throw refused();
          }
          auto result = auth.login_as(owner);
          c.identity = result.identity;
          return logged_in(result, access, client, serial);
        }
        if (username.empty()) throw ApiError::bad_parameter("missing parameter 'username'");

        auth::LoginResult result;
        try {
          result = auth.login(username, string_param(c, "password"), realm, client);
        } catch (const auth::LoginFailed& e) {
          c.audit.info = e.reason();
          throw;
        }
        c.audit.realm = result.identity.realm;
        switch (mode(result.identity)) {
          case SecondFactorLogin::Mode::userstore:
            break;
          case SecondFactorLogin::Mode::disabled:
            c.audit.info = "login_mode disable: users do not log in to the WebUI";
            throw refused();
          case SecondFactorLogin::Mode::second_factor: {
            // The password was right; the JWT waits for the second factor (it is never sent
            // before). The second request repeats the password, with the value (otp) and the
            // transaction_id of the challenge, so that a challenge opened elsewhere (a PIN sent to
            // /validate/check) never stands in for the password.
            if (const auto transaction_id = string_param(c, "transaction_id", 32);
                !transaction_id.empty()) {
              const auto outcome = second_factor->answer(
                  result.identity, string_param(c, "otp", 256), transaction_id, client);
              c.audit.serial = outcome.serial;
              c.audit.token_type = outcome.type;
              if (!outcome.value) {
                const auto* message = outcome.detail.if_contains("message");
                c.audit.info = "second factor refused: " + (message && message->is_string()
                                                                ? std::string(message->get_string())
                                                                : std::string());
                throw refused();
              }
              c.audit.info = "password and token " + outcome.serial;
              break;
            }
            auto outcome = second_factor->challenge(result.identity, client);
            if (outcome.authentication != std::string_view("CHALLENGE")) {
              c.audit.info = "login_mode tessera: the user has no token to log in with";
              throw refused();
            }
            c.audit.info = "password right; second factor asked";
            boost::json::object value{{"role", "user"},
                                      {"username", result.identity.username},
                                      {"realm", result.identity.realm}};
            return json_result(value, outcome.detail);
          }
        }
        c.identity = result.identity;
        return logged_in(result, access, client, "");
      });

  // eduMFA's /auth/rights: the token types the caller may enroll (enrollHOTP -> "hotp").
  router.add(
      "GET", "/auth/rights",
      [&access](http::RequestContext& c) {
        boost::json::array types;
        for (const auto& right : access.rights(*c.identity, c.request.remote_address))
          if (right.starts_with("enroll") && right.size() > 6 && right != "enrollonbehalf") {
            std::string type = right.substr(6);
            for (auto& ch : type)
              ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            types.push_back(boost::json::string(type));
          }
        return json_result(types);
      },
      http::Access::authenticated);

  // Logout: the session's JWT is refused from now on, on every node.
  router.add(
      "POST", "/auth/logout",
      [&auth](http::RequestContext& c) {
        c.audit.user = c.identity->username;
        c.audit.realm = c.identity->realm;
        auth.end_session(*c.identity);
        return json_result(true);
      },
      http::Access::authenticated);

  // An admin ends every session of a user (a lost laptop, a leaver): their JWTs are refused.
  router.add(
      "DELETE", "/auth/sessions",
      [&auth, &access](http::RequestContext& c) {
        if (!c.identity->is_admin())
          throw ApiError(403, 303, "only admins end other people's sessions");
        const auto username = required_param(c, "user", 255);
        const auto realm = string_param(c, "realm", 64);
        c.audit.user = username;
        c.audit.realm = realm;
        auto user = auth.find_user(username, realm);
        access.require_admin(c, "updateuser", user ? user->realm : realm);
        if (!user) throw ApiError::not_found("no user '" + username + "' in realm '" + realm + "'");
        c.audit.realm = user->realm;
        auth.end_all_sessions(user->account());
        return json_result(true);
      },
      http::Access::authenticated);
}

}  // namespace tessera::api
