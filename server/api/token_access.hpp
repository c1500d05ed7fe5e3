// Who may act on a token: admins as their policies allow for the owner's realm, users on their
// own tokens as user policies allow. A token that is not the caller's looks like a missing one,
// so its serial reveals nothing.
#pragma once

#include <string>

#include "db/token_repository.hpp"
#include "server/api/access_control.hpp"
#include "server/http/router.hpp"

namespace tessera::api {

// Throws ApiError (403, or 404 for someone else's token) unless the caller may do action on
// token; records the token in the audit details.
void authorize_token(const AccessControl& access, http::RequestContext& c,
                     const db::TokenRow& token, const std::string& action);

// The serial from the path (/token/x/<serial>) or the parameter, "" when neither names one.
std::string serial_of(const http::RequestContext& c);

}  // namespace tessera::api
