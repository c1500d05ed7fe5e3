// Logs accounts in (POST /auth) and recognises the JWT on later requests. Every failure looks
// the same to the caller (wrong password, unknown or locked account) and takes comparable time.
#pragma once

#include <chrono>
#include <string>

#include "db/admin_repository.hpp"
#include "db/auth_failure_repository.hpp"
#include "db/session_repository.hpp"
#include "server/api/api_error.hpp"
#include "server/auth/identity.hpp"
#include "server/auth/jwt_service.hpp"
#include "server/http/http_message.hpp"
#include "server/identity/user_directory.hpp"

namespace tessera::auth {

// A refused login: the client always reads "wrong credentials" (401, 4031); reason() says for
// the audit log what happened (a wrong password, a locked account, the moment of locking).
class LoginFailed : public api::ApiError {
 public:
  explicit LoginFailed(std::string reason)
      : api::ApiError(401, 4031, "authentication failed: wrong credentials"),
        reason_(std::move(reason)) {}
  const std::string& reason() const { return reason_; }

 private:
  std::string reason_;
};

struct LoginResult {
  Identity identity;
  std::string token;
};

class AuthService {
 public:
  AuthService(db::AdminRepository& admins, identity::UserDirectory& users,
              db::AuthFailureRepository& failures, db::SessionRepository& sessions,
              const JwtService& jwt);

  // Without a realm, an admin account of that name logs in as admin; otherwise the user is
  // looked up in the realm (or the default realm). Throws api::ApiError 401 (code 4031) for any
  // failure.
  LoginResult login(const std::string& username, const std::string& password,
                    const std::string& realm, const std::string& client);

  // A user whom something other than a password authenticated (a client certificate): a JWT
  // for them, if their account still exists. Throws api::ApiError 401 (4031) otherwise.
  LoginResult login_as(const Identity& identity);
  // The identity in the request's Authorization header (raw JWT, as eduMFA clients send it,
  // or "Bearer <jwt>"). Throws api::ApiError 401: 4033 when missing, 4305 when invalid.
  Identity authenticate(const http::HttpRequest& request) const;
  // Ends the session of identity (a logout): its JWT is refused from now on, on every node.
  void end_session(const Identity& identity);
  // The identity the user would have after a login (for acting on their sessions); nullopt
  // when there is no such user. Throws api::ApiError 503 when the directory cannot be reached.
  std::optional<Identity> find_user(const std::string& username, const std::string& realm);
  // Ends every session of account (Identity::account()) issued until now.
  void end_all_sessions(const std::string& account);

 private:
  db::AdminRepository& admins_;
  identity::UserDirectory& users_;
  db::AuthFailureRepository& failures_;
  db::SessionRepository& sessions_;
  const JwtService& jwt_;
  // Verified against when the account does not exist, so that an unknown name costs the same.
  std::string dummy_hash_;
};

}  // namespace tessera::auth
