// Password checks go through Argon2id in every case; lockout is counted per account and client
// in the database, so it holds across server processes.
#include "server/auth/auth_service.hpp"

#include <spdlog/spdlog.h>

#include "server/api/api_error.hpp"
#include "server/crypto/password_hash.hpp"
#include "server/util/clock.hpp"

namespace tessera::auth {
namespace {

constexpr size_t kMaxCredentialSize = 1024;

LoginFailed wrong_credentials() {
  return LoginFailed("wrong credentials");
}

}  // namespace

AuthService::AuthService(db::AdminRepository& admins, identity::UserDirectory& users,
                         db::AuthFailureRepository& failures, db::SessionRepository& sessions,
                         const JwtService& jwt)
    : admins_(admins),
      users_(users),
      failures_(failures),
      sessions_(sessions),
      jwt_(jwt),
      dummy_hash_(crypto::unmatchable_password_hash()) {}

LoginResult AuthService::login(const std::string& username, const std::string& password,
                               const std::string& realm, const std::string& client) {
  if (username.empty() || username.size() > 255 || password.size() > kMaxCredentialSize ||
      realm.size() > 255)
    throw wrong_credentials();
  const long long now = util::unix_seconds();

  // First find the account, so that lockout counts per account, not per spelling of its name
  // (LDAP matches "Alice" and "alice " to the same entry).
  Identity identity{Role::admin, username, "", ""};
  std::optional<std::string> admin_hash;
  std::optional<identity::LocatedUser> user;
  if (realm.empty()) admin_hash = admins_.password_hash(username);
  if (!admin_hash) {
    try {
      user = users_.find(username, realm);
    } catch (const identity::LdapError& e) {
      spdlog::error("login in realm '{}': {}", realm, e.what());
      throw api::ApiError(503, 5030,
                          "the user store cannot be reached; the server log has the details");
    }
  }
  std::string account;
  if (admin_hash) {
    account = "admin:" + username;
  } else if (user) {
    identity = {Role::user, user->user.username, user->realm, user->user.resolver};
    account = "user:" + user->user.resolver + ":" + user->user.username;
  } else {
    std::string name = username;
    for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    account = "unknown:" + name + "@" + realm;
  }

  // The attempt is counted before anything is checked, so that parallel guesses get no more
  // checks than the limit; a locked account is not checked at all (no bind is sent to a
  // directory for it).
  const auto attempt = failures_.claim_attempt(account, client, now);
  const bool locked = !attempt;
  bool password_ok = false;
  bool argon2_done = false;
  if (!locked && admin_hash) {
    password_ok = crypto::verify_password(password, *admin_hash);
    argon2_done = true;
  } else if (!locked && user) {
    try {
      password_ok = users_.check_password(*user, password);
    } catch (const identity::LdapError& e) {
      spdlog::error("login in realm '{}': {}", user->realm, e.what());
      throw api::ApiError(503, 5030,
                          "the user store cannot be reached; the server log has the details");
    }
    argon2_done = user->ldap_dn.empty() && !user->user.password_hash.empty();
  }
  // Every path costs one Argon2id verification, so timing does not tell which kind of account
  // (or none) a name belongs to.
  if (!argon2_done) crypto::verify_password(password, dummy_hash_);
  // The client hears the same in every case; the audit log tells them apart.
  if (locked)
    throw LoginFailed("refused without a check: the account is locked after " +
                      std::to_string(failures_.policy().max_failures) + " failed logins");
  if (!password_ok)
    throw LoginFailed(attempt->locks_on_failure
                          ? "wrong credentials; the account is now locked for " +
                                std::to_string(failures_.policy().lock_duration.count()) + " s"
                          : "wrong credentials");
  failures_.clear(account, client);
  return {identity, jwt_.issue(identity, std::chrono::system_clock::now())};
}

LoginResult AuthService::login_as(const Identity& identity) {
  if (!users_.may_still_exist(identity.resolver, identity.username)) throw wrong_credentials();
  return {identity, jwt_.issue(identity, std::chrono::system_clock::now())};
}

Identity AuthService::authenticate(const http::HttpRequest& request) const {
  std::string token(request.header("authorization"));
  // privacyIDEA's clients (and eduMFA's behind proxies that keep Authorization) send this one.
  if (token.empty()) token = request.header("pi-authorization");
  if (token.empty())
    throw api::ApiError(401, 4033, "authentication required: missing Authorization header");
  if (token.rfind("Bearer ", 0) == 0) token.erase(0, 7);
  auto identity = jwt_.verify(token, std::chrono::system_clock::now());
  // A deleted admin's tokens end with the account; so do a deleted user's (checked in the
  // built-in store; a directory is not asked on every request).
  if (identity && identity->is_admin() && !admins_.password_hash(identity->username))
    identity.reset();
  if (identity && !identity->is_admin() &&
      !users_.may_still_exist(identity->resolver, identity->username))
    identity.reset();
  // A session that logged out, or that an admin ended, is over before its JWT expires.
  if (identity && sessions_.ended(identity->session_id, identity->account(), identity->issued_at))
    identity.reset();
  if (!identity)
    throw api::ApiError(401, 4305,
                        "authentication failed: the token is invalid or expired; log in again");
  return *identity;
}

void AuthService::end_session(const Identity& identity) {
  sessions_.revoke(identity.session_id, identity.expires_at, util::unix_seconds());
}

std::optional<Identity> AuthService::find_user(const std::string& username,
                                               const std::string& realm) {
  try {
    auto user = users_.find(username, realm);
    if (!user) return std::nullopt;
    return Identity{Role::user, user->user.username, user->realm, user->user.resolver};
  } catch (const identity::LdapError& e) {
    spdlog::error("finding '{}' in realm '{}': {}", username, realm, e.what());
    throw api::ApiError(503, 5030,
                        "the user store cannot be reached; the server log has the details");
  }
}

void AuthService::end_all_sessions(const std::string& account) {
  sessions_.end_all(account, util::unix_seconds());
}

}  // namespace tessera::auth
