// POST /register, as eduMFA: the register policy names the realm (else the default realm), the
// resolver (required; Tessera's built-in store), the SMTP server (smtpconfig, required), the
// addresses allowed (requiredemail, a regular expression between slashes) and the mail's text
// (registrationcode_body, with {regkey}). The user is created with her password; a password
// token (pw) holding the registration code is hers, valid for one successful check within
// seven days (eduMFA's registration token, which deletes itself after use). If the mail cannot
// be sent, the user and the token are removed again. Five registrations per client address an
// hour, per server process: each one creates a user and sends a mail.
#include "server/api/register_api.hpp"

#include <map>
#include <mutex>
#include <regex>

#include <boost/json.hpp>

#include "server/api/api_error.hpp"
#include "server/api/envelope.hpp"
#include "server/api/params.hpp"
#include "server/crypto/password_hash.hpp"
#include "server/crypto/random.hpp"
#include "server/plugins/component_instance.hpp"
#include "server/util/clock.hpp"

namespace tessera::api {
namespace {

constexpr long long kCodeValidSeconds = 7 * 86400;
constexpr int kPerClientAnHour = 5;
constexpr const char* kDefaultBody = "Your registration token is {regkey}.";

// Registrations per client address in the current hour.
class RegistrationBudget {
 public:
  bool take(const std::string& client, long long now) {
    std::lock_guard lock(mutex_);
    if (used_.size() > 10000)
      std::erase_if(used_, [&](auto& e) { return e.second.first < now - 3600; });
    auto& [since, count] = used_[client];
    if (since < now - 3600) since = now, count = 0;
    return ++count <= kPerClientAnHour;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::pair<long long, int>> used_;
};

std::string replaced(std::string text, const std::string& key, const std::string& value) {
  for (size_t at = text.find(key); at != std::string::npos; at = text.find(key, at + value.size()))
    text.replace(at, key.size(), value);
  return text;
}

// eduMFA's requiredemail: "/<regular expression>/", searched in the address.
bool email_allowed(const std::string& pattern, const std::string& email) {
  auto expression = pattern;
  if (expression.size() >= 2 && expression.front() == '/' && expression.back() == '/')
    expression = expression.substr(1, expression.size() - 2);
  try {
    return std::regex_search(email, std::regex(expression, std::regex::ECMAScript));
  } catch (const std::regex_error&) {
    return false;  // a pattern that does not compile allows nobody
  }
}

}  // namespace

void add_register_routes(http::Router& router, const RegisterApiContext& x) {
  const auto policy_value = [x](const http::RequestContext& c, const char* action) {
    return x.access.engine()
        ->value(policy::Scope::registration, action, {"", "", "", "", c.request.remote_address})
        .value_or("");
  };

  // Whether registration is offered: the WebUI shows its button on true.
  router.add("GET", "/register", [policy_value](http::RequestContext& c) {
    return json_result(!policy_value(c, "resolver").empty());
  });

  auto budget = std::make_shared<RegistrationBudget>();
  router.add("POST", "/register", [x, policy_value, budget](http::RequestContext& c) {
    const auto resolver = policy_value(c, "resolver");
    const auto smtp = policy_value(c, "smtpconfig");
    if (resolver.empty() || smtp.empty())
      throw ApiError::bad_parameter(
          "registration is not offered here (a register policy names no resolver or no "
          "smtpconfig)");
    db::UserRow row;
    row.username = required_param(c, "username", 255);
    row.surname = required_param(c, "surname", 255);
    row.given_name = required_param(c, "givenname", 255);
    row.email = required_param(c, "email", 255);
    row.mobile = string_param(c, "mobile", 255);
    row.phone = string_param(c, "phone", 255);
    row.resolver = resolver;
    c.audit.user = row.username;
    const auto password = required_param(c, "password", 1024);
    if (password.size() < 8)
      throw ApiError::bad_parameter("a password needs at least 8 characters");
    if (row.email.find('@') == std::string::npos ||
        row.email.find_first_of(" \r\n,;<>") != std::string::npos)
      throw ApiError::bad_parameter("email is one e-mail address");
    if (const auto pattern = policy_value(c, "requiredemail");
        !pattern.empty() && !email_allowed(pattern, row.email))
      throw ApiError::bad_parameter("This email address is not allowed to register!");

    auto realm = policy_value(c, "realm");
    if (realm.empty())
      if (auto fallback = x.identities.default_realm()) realm = fallback->name;
    const auto realm_row = realm.empty() ? std::nullopt : x.identities.realm(realm);
    if (!realm_row || std::find(realm_row->resolvers.begin(), realm_row->resolvers.end(),
                                resolver) == realm_row->resolvers.end())
      throw ApiError::bad_parameter("the register policy's resolver '" + resolver +
                                    "' is not in realm '" + realm + "'");
    const auto store = x.identities.resolver(resolver);
    if (!store || store->type != "sql")
      throw ApiError::bad_parameter("the register policy's resolver '" + resolver +
                                    "' is not Tessera's built-in user store");
    const auto notifier = x.notifiers.instance(smtp);
    if (!notifier || x.notifiers.type_of(smtp) != "email")
      throw ApiError::bad_parameter("the register policy's smtpconfig '" + smtp +
                                    "' is no SMTP server");
    c.audit.realm = realm;
    if (x.directory.find(row.username, realm))
      throw ApiError::bad_parameter("The username is already registered!");
    if (!budget->take(c.request.remote_address, util::unix_seconds()))
      throw ApiError(429, error_code::parameter,
                     "too many registrations from this address: try again in an hour");

    row.password_hash = crypto::hash_password(password);
    if (!x.identities.add_user(row))
      throw ApiError::bad_parameter("The username is already registered!");
    const auto code = crypto::random_password(12);
    tokens::EnrollmentRequest request;
    request.type = "pw";
    request.description = "registration code";
    request.owner_user = row.username;
    request.owner_resolver = resolver;
    request.owner_realm = realm;
    request.label = row.username;
    request.issuer = "Tessera";
    request.note = {row.username + "@" + realm, "self-registration"};
    request.params = {{"otpkey", code}};
    request.complete = [](const boost::json::object&, db::TokenRow& token, boost::json::object&) {
      token.count_auth_success_max = 1;
      token.valid_until = util::unix_seconds() + kCodeValidSeconds;
    };
    std::string serial;
    try {
      serial = x.enrollment.enroll(request).token.serial;
      const auto body = policy_value(c, "registrationcode_body");
      notifier->call(
          plugins::Operation::execute,
          {{"action", "sendmail"},
           {"options",
            {{"to", "tokenowner"},
             {"subject", "Your registration"},
             {"body", replaced(body.empty() ? kDefaultBody : body, "{regkey}", code)}}},
           {"event", {{"event", "register"}, {"user", {{"email", row.email}}}}},
           {"tags",
            {{"user", row.username}, {"givenname", row.given_name}, {"surname", row.surname}}},
           {"recipients", boost::json::array{row.email.c_str()}}});
    } catch (const std::exception& e) {
      // No account without its code: both go again, as in eduMFA.
      if (!serial.empty()) x.tokens.remove(serial);
      x.identities.delete_user(resolver, row.username);
      c.audit.info = std::string("registration failed: ") + e.what();
      // eduMFA's words when the mail failed; otherwise the code could not be made at all.
      if (serial.empty())
        throw ApiError(500, error_code::parameter,
                       std::string("the registration code could not be made: ") + e.what());
      throw ApiError(502, error_code::parameter, "Failed to send email!");
    }
    c.audit.info = "registered; registration code " + serial + " mailed";
    return json_result(true);
  });
}

}  // namespace tessera::api
