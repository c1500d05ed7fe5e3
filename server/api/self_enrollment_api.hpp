// /enroll/<extension>/...: the public endpoints of enrollment forms (no login): the form's
// public text, a one-time link by e-mail, a session by link or secret ID, the accounts open to
// it, and the certificate.
#pragma once

#include "server/enrollment/self_enrollment.hpp"
#include "server/http/router.hpp"

namespace tessera::api {

void add_self_enrollment_routes(http::Router& router, const enrollment::SelfEnrollment& forms);

}  // namespace tessera::api
