// /organization/ (an organization's realm and resolver, departments and delegated e-mail domains)
// and /person/ (its persons: one at a time, or a CSV import previewed and then committed all or
// nothing), for enrollment forms.
#pragma once

#include "db/identity_repository.hpp"
#include "db/organization_repository.hpp"
#include "server/api/access_control.hpp"
#include "server/http/router.hpp"
#include "server/tokens/pin_hasher.hpp"

namespace tessera::api {

// secret_ids: hashes persons' secret IDs (an HMAC under a server key).
void add_organization_routes(http::Router& router, db::OrganizationRepository& organizations,
                             db::IdentityRepository& identities,
                             const tokens::PinHasher& secret_ids, const AccessControl& access);

}  // namespace tessera::api
