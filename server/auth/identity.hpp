// Who made a request, as established from its JWT.
#pragma once

#include <string>
#include <utility>

namespace tessera::auth {

enum class Role { admin, user };

struct Identity {
  Identity() = default;
  Identity(Role role, std::string username, std::string realm, std::string resolver = {},
           std::string session_id = {}, long long issued_at = 0, long long expires_at = 0)
      : role(role),
        username(std::move(username)),
        realm(std::move(realm)),
        resolver(std::move(resolver)),
        session_id(std::move(session_id)),
        issued_at(issued_at),
        expires_at(expires_at) {}

  Role role = Role::user;
  std::string username;
  std::string realm;     // empty for admins
  std::string resolver;  // where the user was found at login; empty for admins
  // The session, from the JWT: its id (jti), when it was issued and when it expires (Unix
  // seconds). Empty and 0 for an identity that no JWT carries yet.
  std::string session_id;
  long long issued_at = 0, expires_at = 0;

  bool is_admin() const { return role == Role::admin; }
  // The account's name for lockout and sessions: "admin:<name>" or "user:<resolver>:<name>".
  std::string account() const {
    return is_admin() ? "admin:" + username : "user:" + resolver + ":" + username;
  }
};

}  // namespace tessera::auth
