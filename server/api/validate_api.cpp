// /validate/check, /validate/radiuscheck and /validate/triggerchallenge. Applications call
// these without a login; what counts is the user's (or serial's) tokens and the
// authentication policies for that user and client.
#include <boost/json.hpp>

#include "server/api/api_error.hpp"
#include "server/api/authentication_policy.hpp"
#include "server/api/envelope.hpp"
#include "server/api/params.hpp"
#include "server/api/plugin_failure.hpp"
#include "server/api/token_api.hpp"
#include "server/identity/ldap_resolver.hpp"
#include "server/plugins/component_instance.hpp"
#include "server/util/clock.hpp"
#include "server/util/comma_list.hpp"

namespace tessera::api {
namespace {

constexpr size_t kMaxPass = 256;

struct Candidates {
  std::vector<db::TokenRow> tokens;
  std::optional<identity::LocatedUser> user;
  std::string unknown;  // why nobody could be found, when set
};

class ValidateRoutes {
 public:
  explicit ValidateRoutes(const TokenApiContext& x) : x_(x) {}

  // who: set to the user the check was about, when one was found.
  tokens::CheckOutcome check(http::RequestContext& c,
                             std::optional<identity::LocatedUser>* who = nullptr) const {
    // A TLS client certificate and no pass: certificate login.
    if (!c.request.client_certificate_pem.empty() && !c.params.contains("pass"))
      return certificate_check(c);
    const auto pass = string_param(c, "pass", kMaxPass);
    const auto transaction_id = c.params.contains("transaction_id")
                                    ? string_param(c, "transaction_id", 32)
                                    : string_param(c, "state", 32);
    auto found = candidates(c);
    if (who) *who = found.user;
    const auto engine_now = x_.access.engine();
    const auto& engine = *engine_now;
    const auto subject = subject_for(c, found);
    // The answer may not tell an unknown user from one without tokens, a wrong PIN or a wrong
    // value (policy hide_specific_error_message); the audit log always does.
    const bool hide = hides_specific_errors(engine, subject);
    if (!found.unknown.empty()) {
      tokens::CheckOutcome outcome;
      outcome.detail["message"] = hide ? kHiddenFailureMessage : found.unknown;
      c.audit.success = false;
      c.audit.info = found.unknown;
      return outcome;
    }
    c.audit.policies =
        util::join_comma_list(engine.matching(policy::Scope::authentication, subject));
    const auto policy = check_policy(engine, subject);
    tokens::PasswordCheck password;
    if (found.user)
      password = [&](const std::string& p) { return x_.directory.check_password(*found.user, p); };
    try {
      auto outcome = x_.checker.check(found.tokens, pass, transaction_id, policy, password);
      c.audit.serial = outcome.serial;
      c.audit.token_type = outcome.type;
      c.audit.success = outcome.value;
      c.audit.info = outcome.detail.contains("message")
                         ? std::string(outcome.detail.at("message").as_string())
                         : "";
      if (hide && !outcome.value && outcome.authentication == std::string_view("REJECT"))
        outcome.detail = {{"message", kHiddenFailureMessage}};
      return outcome;
    } catch (const plugins::PluginCallError& e) {
      throw_plugin_failure(e, "the token type");
    } catch (const tokens::CheckUnavailable& e) {
      c.audit.info = e.what();
      throw ApiError(503, error_code::internal, e.what());
    }
  }

  // eduMFA's /validate/samlcheck: value = {auth, attributes}; the user's attributes go with a
  // success, and with a failure only where the authentication policy
  // return_saml_attributes_on_fail says so.
  http::HttpResponse samlcheck(http::RequestContext& c) const {
    std::optional<identity::LocatedUser> user;
    const auto outcome = check(c, &user);
    boost::json::object attributes;
    bool on_fail = false;
    if (user) {
      const policy::Subject subject{"", user->user.username, user->realm, user->user.resolver,
                                    c.request.remote_address};
      on_fail =
          x_.access.engine()
              ->value(policy::Scope::authentication, "return_saml_attributes_on_fail", subject)
              .has_value();
    }
    if (user && (outcome.value || on_fail)) {
      const auto& u = user->user;
      attributes = {
          {"username", u.username},    {"realm", user->realm}, {"resolver", u.resolver},
          {"email", u.email},          {"surname", u.surname}, {"givenname", u.given_name},
          {"mobile", u.mobile},        {"phone", u.phone},     {"organization", u.organization},
          {"department", u.department}};
    }
    // Unlike eduMFA, whose non-empty value always reads ACCEPT, authentication says what
    // happened.
    auto response = validate_result(outcome.value, outcome.authentication, outcome.detail);
    auto body = boost::json::parse(response.body).as_object();
    body["result"].as_object()["value"] = {{"auth", outcome.value},
                                           {"attributes", std::move(attributes)}};
    response.body = boost::json::serialize(body);
    return response;
  }

  // Has the challenge of this transaction been answered out of band? No token type here
  // answers out of band (no push tokens yet): a transaction is pending while its challenges
  // are open, and the client sends the user's answer to /validate/check.
  http::HttpResponse poll(http::RequestContext& c) const {
    auto it = c.path_params.find("transaction_id");
    const auto transaction_id =
        it != c.path_params.end() ? it->second : required_param(c, "transaction_id", 32);
    if (transaction_id.size() > 32) throw ApiError::bad_parameter("transaction_id is too long");
    const auto open = x_.tokens.open_challenges(transaction_id, util::unix_seconds());
    c.audit.info = "transaction_id: " + transaction_id + (open.empty() ? ", none open" : ", open");
    if (!open.empty()) c.audit.serial = util::join_comma_list(open);
    c.audit.success = false;
    return validate_result(false, "REJECT", {{"challenge_status", "pending"}});
  }

  http::HttpResponse trigger(http::RequestContext& c) const {
    if (!c.identity->is_admin()) throw ApiError(403, 303, "this needs an admin (triggerchallenge)");
    auto found = candidates(c);
    x_.access.require_admin(c, "triggerchallenge", found.user ? found.user->realm : "");
    if (!found.unknown.empty()) throw ApiError::not_found(found.unknown);
    const auto engine_now = x_.access.engine();
    const auto& engine = *engine_now;
    const auto policy = check_policy(engine, subject_for(c, found));
    tokens::CheckOutcome outcome;
    try {
      outcome = x_.checker.trigger(found.tokens, policy);
    } catch (const tokens::CheckUnavailable& e) {
      throw ApiError(503, error_code::internal, e.what());
    }
    c.audit.serial = outcome.serial;
    c.audit.token_type = outcome.type;
    const auto count = outcome.detail.at("multi_challenge").as_array().size();
    return json_result(static_cast<int64_t>(count), outcome.detail);
  }

 private:
  tokens::CheckOutcome certificate_check(http::RequestContext& c) const {
    tokens::CheckOutcome outcome;
    auto match = x_.certificate_login.match(c.request.client_certificate_pem);
    if (match.token) {
      const auto& token = *match.token;
      c.audit.serial = token.serial;
      c.audit.token_type = token.type;
      c.audit.user = token.owner_user;
      c.audit.realm = token.owner_realm;
      // A user named with the certificate must be its owner: the same user in the same realm
      // (and resolver), not merely the same name.
      const auto user = string_param(c, "user", 255);
      const auto realm = string_param(c, "realm", 64);
      if (!user.empty() || !realm.empty()) {
        const auto named = user.empty() ? std::nullopt : x_.directory.find(user, realm);
        const bool owner = user.empty() ? realm == token.owner_realm
                                        : named && named->user.username == token.owner_user &&
                                              named->user.resolver == token.owner_resolver &&
                                              named->realm == token.owner_realm;
        if (!owner)
          match = {std::nullopt, "the certificate belongs to " + token.owner_user + "@" +
                                     token.owner_realm + ", not " + user + "@" + realm};
      }
    }
    if (!match.token) {
      outcome.detail["message"] = "certificate not accepted";
      c.audit.success = false;
      c.audit.info = match.reason;  // the reason goes to the audit log, not to the client
      return outcome;
    }
    outcome.value = true;
    outcome.authentication = "ACCEPT";
    outcome.serial = match.token->serial;
    outcome.type = match.token->type;
    outcome.detail = {{"message", "matching 1 tokens"},
                      {"serial", match.token->serial},
                      {"type", match.token->type},
                      {"user", match.token->owner_user},
                      {"realm", match.token->owner_realm}};
    c.audit.success = true;
    c.audit.info = "certificate login";
    return outcome;
  }

  policy::Subject subject_for(const http::RequestContext& c, const Candidates& found) const {
    if (found.user)
      return {"", found.user->user.username, found.user->realm, found.user->user.resolver,
              c.request.remote_address};
    if (!found.tokens.empty()) {
      const auto& t = found.tokens.front();
      return {"", t.owner_user, t.owner_realm, t.owner_resolver, c.request.remote_address};
    }
    // Nobody was found: the policies of the realm asked for (or the default realm).
    const auto realm = x_.directory.realm(string_param(c, "realm", 64));
    return {"", string_param(c, "user", 255), realm ? realm->name : "", "",
            c.request.remote_address};
  }

  Candidates candidates(http::RequestContext& c) const {
    Candidates found;
    const auto serial = string_param(c, "serial", 64);
    const auto type = string_param(c, "type", 32);
    if (!serial.empty()) {
      c.audit.serial = serial;
      auto token = x_.tokens.find(serial);
      if (!token) {
        found.unknown = "No suitable token found for authentication.";
        return found;
      }
      c.audit.user = token->owner_user;
      c.audit.realm = token->owner_realm;
      // A serial together with a user must be that user's token, as eduMFA insists.
      if (const auto username = string_param(c, "user", 255); !username.empty()) {
        auto user = x_.directory.find(username, string_param(c, "realm", 64));
        if (!user || user->user.username != token->owner_user ||
            user->user.resolver != token->owner_resolver)
          throw ApiError::bad_parameter("Given serial does not belong to given user!");
      }
      if (token->has_owner())
        found.user =
            x_.directory.find_in(token->owner_resolver, token->owner_user, token->owner_realm);
      found.tokens.push_back(std::move(*token));
      return found;
    }
    const auto username = required_param(c, "user", 255);
    const auto realm = string_param(c, "realm", 64);
    c.audit.user = username;
    c.audit.realm = realm;
    try {
      found.user = x_.directory.find(username, realm);
    } catch (const identity::LdapError& e) {
      throw ApiError(503, error_code::internal,
                     std::string("the user directory failed: ") + e.what());
    }
    if (!found.user) {
      found.unknown = "The user has no tokens assigned";
      return found;
    }
    c.audit.realm = found.user->realm;
    for (auto& token : x_.tokens.owned_by(found.user->user.resolver, found.user->user.username))
      if (type.empty() || token.type == type) found.tokens.push_back(std::move(token));
    if (found.tokens.empty()) found.unknown = "The user has no tokens assigned";
    return found;
  }

  TokenApiContext x_;
};

}  // namespace

void add_validate_routes(http::Router& router, const TokenApiContext& context) {
  auto routes = std::make_shared<ValidateRoutes>(context);
  for (const char* method : {"GET", "POST"}) {
    router.add(method, "/validate/check", [routes](http::RequestContext& c) {
      auto outcome = routes->check(c);
      return validate_result(outcome.value, outcome.authentication, outcome.detail);
    });
    // eduMFA's variant for RADIUS modules that decide by status: 204 accepts, 400 rejects.
    router.add(method, "/validate/radiuscheck", [routes](http::RequestContext& c) {
      auto outcome = routes->check(c);
      http::HttpResponse response;
      response.status = outcome.value ? 204 : 400;
      response.content_type.clear();
      return response;
    });
  }
  for (const char* method : {"GET", "POST"}) {
    router.add(method, "/validate/samlcheck",
               [routes](http::RequestContext& c) { return routes->samlcheck(c); });
    router.add(
        method, "/validate/triggerchallenge",
        [routes](http::RequestContext& c) { return routes->trigger(c); },
        http::Access::authenticated);
  }
  for (const char* path :
       {"/validate/polltransaction", "/validate/polltransaction/<transaction_id>"})
    router.add("GET", path, [routes](http::RequestContext& c) { return routes->poll(c); });
}

}  // namespace tessera::api
