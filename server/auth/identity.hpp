// Who made a request, as established from its JWT.
#pragma once

#include <string>

namespace tessera::auth {

enum class Role { admin, user };

struct Identity {
  Role role = Role::user;
  std::string username;
  std::string realm;     // empty for admins
  std::string resolver;  // where the user was found at login; empty for admins

  bool is_admin() const { return role == Role::admin; }
};

}  // namespace tessera::auth
