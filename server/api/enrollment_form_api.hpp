// /enrollmentform/: enrollment forms (their public URL extension, how people authenticate, help,
// the EULA) and each form's accounts (organization, department, profiles offered, where the key
// is made, how people are authorized), for admins.
#pragma once

#include "db/certificate_profile_repository.hpp"
#include "db/enrollment_form_repository.hpp"
#include "db/organization_repository.hpp"
#include "db/token_repository.hpp"
#include "server/api/access_control.hpp"
#include "server/http/router.hpp"
#include "server/plugins/configured_components.hpp"
#include "server/tokens/pin_hasher.hpp"

namespace tessera::api {

struct EnrollmentFormApiContext {
  db::EnrollmentFormRepository& forms;
  db::OrganizationRepository& organizations;
  db::CertificateProfileRepository& profiles;
  plugins::ConfiguredComponents& notifiers;
  const tokens::PinHasher& access_codes;  // HMACs of accounts' access codes
  const AccessControl& access;
  std::string public_url;       // server.public_url: mailed links need it
  db::TokenRepository& tokens;  // for a form's enrollments
};

void add_enrollment_form_routes(http::Router& router, const EnrollmentFormApiContext& context);

// A new random URL extension for a form (256 random bits as base64url: unguessable).
std::string new_form_extension();

}  // namespace tessera::api
