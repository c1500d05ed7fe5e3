#include "server/api/token_access.hpp"

#include "server/api/api_error.hpp"
#include "server/api/params.hpp"

namespace tessera::api {

void authorize_token(const AccessControl& access, http::RequestContext& c,
                     const db::TokenRow& token, const std::string& action) {
  c.audit.serial = token.serial;
  c.audit.token_type = token.type;
  c.audit.user = token.owner_user;
  c.audit.realm = token.owner_realm;
  if (c.identity->is_admin()) {
    access.require_admin(c, action, token.owner_realm);
    return;
  }
  // Admins see whose token it was in the audit log; the user's own view of the row reads as
  // for a serial that does not exist (audit_api).
  if (token.owner_user != c.identity->username || token.owner_resolver != c.identity->resolver)
    throw ApiError::not_found("no token " + token.serial);
  if (action == "tokenlist") return;  // users always see their own tokens, as in the list
  if (action == "unassign") throw ApiError(403, 303, "only admins unassign tokens");
  // Resetting the fail counter oneself would undo the lockout for whoever has only the
  // password: it needs a user policy that grants "reset".
  const bool allowed =
      action == "reset" ? access.user_explicitly_may(c, action) : access.user_may(c, action);
  if (!allowed) throw ApiError(403, 303, "user policies do not allow '" + action + "'");
}

std::string serial_of(const http::RequestContext& c) {
  auto it = c.path_params.find("serial");
  if (it != c.path_params.end()) return it->second;
  return string_param(c, "serial", 64);
}

}  // namespace tessera::api
