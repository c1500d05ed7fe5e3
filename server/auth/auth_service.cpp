// Password checks go through Argon2id in every case; lockout is counted per account and client
// in the database, so it holds across server processes.
#include "server/auth/auth_service.hpp"

#include "server/api/api_error.hpp"
#include "server/crypto/password_hash.hpp"
#include "server/crypto/random.hpp"

namespace tessera::auth {
namespace {

constexpr size_t kMaxCredentialSize = 1024;

api::ApiError wrong_credentials() {
  return {401, 4031, "authentication failed: wrong credentials"};
}

long long unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

AuthService::AuthService(db::AdminRepository& admins, identity::UserDirectory& users,
                         db::AuthFailureRepository& failures, const JwtService& jwt)
    : admins_(admins),
      users_(users),
      failures_(failures),
      jwt_(jwt),
      dummy_hash_(crypto::hash_password(crypto::random_password())) {}

LoginResult AuthService::login(const std::string& username, const std::string& password,
                               const std::string& realm, const std::string& client) {
  if (username.empty() || username.size() > 255 || password.size() > kMaxCredentialSize ||
      realm.size() > 255)
    throw wrong_credentials();
  const std::string account = realm.empty() ? username : username + "@" + realm;
  const long long now = unix_now();
  const bool locked = failures_.is_locked(account, client, now);

  Identity identity{Role::admin, username, ""};
  bool known = false;
  bool password_ok = false;
  if (realm.empty()) {
    if (auto hash = admins_.password_hash(username)) {
      known = true;
      password_ok = crypto::verify_password(password, *hash);
    }
  }
  if (!known) {
    std::optional<identity::LocatedUser> user;
    try {
      user = users_.find(username, realm);
      if (user) password_ok = users_.check_password(*user, password);
    } catch (const identity::LdapError& e) {
      throw api::ApiError(503, 5030, std::string("the user store cannot be reached: ") + e.what());
    }
    if (user) {
      known = true;
      identity = {Role::user, username, user->realm};
    }
  }
  // An unknown account costs the same Argon2id work as a known one.
  if (!known) crypto::verify_password(password, dummy_hash_);
  if (locked || !password_ok) {
    if (!locked) failures_.record_failure(account, client, now);
    throw wrong_credentials();
  }
  failures_.clear(account, client);
  return {identity, jwt_.issue(identity, std::chrono::system_clock::now())};
}

Identity AuthService::authenticate(const http::HttpRequest& request) const {
  std::string token(request.header("authorization"));
  if (token.empty())
    throw api::ApiError(401, 4033, "authentication required: missing Authorization header");
  if (token.rfind("Bearer ", 0) == 0) token.erase(0, 7);
  auto identity = jwt_.verify(token, std::chrono::system_clock::now());
  if (!identity)
    throw api::ApiError(401, 4305,
                        "authentication failed: the token is invalid or expired; log in again");
  return *identity;
}

}  // namespace tessera::auth
