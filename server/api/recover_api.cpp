// Password recovery for users of the built-in store, as eduMFA's /recover: a user names herself
// and her e-mail address; where the user policy password_reset names an SMTP server (a
// notifier of type email) for her, a code goes to that address, valid for an hour and used
// once; /recover/reset with the code sets a new password. The answer to /recover is the same
// whether the user exists, the address matches or a code went (the audit log tells them
// apart), a code is sent at most once a minute, and five wrong codes end it.
#include "server/api/recover_api.hpp"

#include <algorithm>
#include <cctype>

#include <spdlog/spdlog.h>

#include "server/api/api_error.hpp"
#include "server/api/envelope.hpp"
#include "server/api/params.hpp"
#include "server/crypto/password_hash.hpp"
#include "server/crypto/random.hpp"
#include "server/plugins/component_instance.hpp"
#include "server/util/clock.hpp"

namespace tessera::api {
namespace {

constexpr long long kValidSeconds = 3600;
constexpr int kMostFailures = 5;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return text;
}

// The user of the built-in store named by user and realm, and the SMTP notifier the
// password_reset policy names for her; nullopt (with why, for the audit log) otherwise.
struct Recoverable {
  identity::LocatedUser user;
  std::string notifier;
};

std::optional<Recoverable> recoverable(const RecoverApiContext& x, http::RequestContext& c,
                                       std::string& why) {
  const auto username = required_param(c, "user", 255);
  auto user = x.directory.find(username, string_param(c, "realm", 64));
  c.audit.user = username;
  if (!user) {
    why = "no such user";
    return std::nullopt;
  }
  c.audit.realm = user->realm;
  if (!user->ldap_dn.empty()) {
    why = "a directory user: the password is changed in the directory";
    return std::nullopt;
  }
  const auto notifier = x.access.engine()->value(
      policy::Scope::user, "password_reset",
      {"", user->user.username, user->realm, user->user.resolver, c.request.remote_address});
  if (!notifier || notifier->empty()) {
    why = "no user policy password_reset names an SMTP server for this user";
    return std::nullopt;
  }
  return Recoverable{*user, *notifier};
}

}  // namespace

void add_recover_routes(http::Router& router, const RecoverApiContext& x) {
  router.add("POST", "/recover", [x](http::RequestContext& c) {
    const auto email = required_param(c, "email", 255);
    std::string why;
    const auto found = recoverable(x, c, why);
    c.audit.success = false;
    if (found && lower(found->user.user.email) != lower(email))
      why = "the e-mail address is not the user's";
    if (found && why.empty()) {
      const auto code = crypto::random_password(16);
      const auto now = util::unix_seconds();
      if (!x.codes.put(found->user.user.resolver, found->user.user.username,
                       {x.hasher.hash(code), now, now + kValidSeconds, 0}, now - 60)) {
        why = "a code was sent less than a minute ago";
      } else if (auto notifier = x.notifiers.instance(found->notifier);
                 !notifier || x.notifiers.type_of(found->notifier) != "email") {
        why = "password_reset names '" + found->notifier + "', which is no SMTP server";
      } else {
        try {
          notifier->call(
              plugins::Operation::execute,
              {{"action", "sendmail"},
               {"options",
                {{"to", "tokenowner"},
                 {"subject", "Your password recovery code"},
                 {"body", "Hello {givenname},\n\nyour password recovery code is " + code +
                              ". It is valid for an hour.\n\nIf you did not ask for it, tell your "
                              "administrator."}}},
               {"event", {{"event", "recover"}, {"user", {{"email", found->user.user.email}}}}},
               {"tags",
                {{"user", found->user.user.username},
                 {"givenname", found->user.user.given_name},
                 {"surname", found->user.user.surname}}},
               {"recipients", boost::json::array{found->user.user.email.c_str()}}});
          c.audit.success = true;
          why = "recovery code sent";
        } catch (const plugins::PluginCallError& e) {
          x.codes.remove(found->user.user.resolver, found->user.user.username);
          why = std::string("the code could not be sent: ") + e.what();
        }
      }
    }
    c.audit.info = why;
    return json_result(true);  // alike in every case: nothing is told about the account
  });

  router.add("POST", "/recover/reset", [x](http::RequestContext& c) {
    const auto code = required_param(c, "recoverycode", 64);
    const auto password = required_param(c, "password", 1024);
    if (password.size() < 8)
      throw ApiError::bad_parameter("a password needs at least 8 characters");
    std::string why;
    const auto found = recoverable(x, c, why);
    c.audit.success = false;
    if (!found) {
      c.audit.info = why;
      return json_result(false);
    }
    const auto& person = found->user.user;
    const auto stored = x.codes.find(person.resolver, person.username);
    if (!stored || stored->expires_at < util::unix_seconds() ||
        !x.hasher.matches(stored->code_hash, code)) {
      if (stored) x.codes.failed(person.resolver, person.username, kMostFailures);
      c.audit.info = stored ? "wrong or expired recovery code" : "no recovery code";
      return json_result(false);
    }
    x.codes.remove(person.resolver, person.username);  // used once
    auto row = x.identities.user(person.resolver, person.username);
    if (!row) return json_result(false);
    row->password_hash = crypto::hash_password(password);
    if (!x.identities.update_user(*row)) return json_result(false);
    c.audit.success = true;
    c.audit.info = "password reset with a recovery code";
    return json_result(true);
  });
}

}  // namespace tessera::api
