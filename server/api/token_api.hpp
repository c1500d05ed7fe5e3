// /token/ (enrollment and management) and /validate/ (checks) in eduMFA's shapes.
#pragma once

#include "db/token_repository.hpp"
#include "server/api/access_control.hpp"
#include "server/ca/certificate_enrollment.hpp"
#include "server/ca/certificate_issuer.hpp"
#include "server/ca/certificate_login.hpp"
#include "server/ca/smartcard_enrollment.hpp"
#include "server/http/router.hpp"
#include "server/identity/user_directory.hpp"
#include "server/tokens/token_checker.hpp"
#include "server/tokens/token_enrollment.hpp"

namespace tessera::api {

struct TokenApiContext {
  db::TokenRepository& tokens;
  identity::UserDirectory& directory;
  const AccessControl& access;
  const tokens::TokenTypes& types;
  const tokens::TokenEnrollment& enrollment;
  const tokens::TokenChecker& checker;
  const tokens::PinHasher& pins;
  ca::CertificateIssuer& issuer;
  ca::CertificateEnrollment& certificates;
  ca::CertificateLogin& certificate_login;
  ca::SmartcardEnrollment& smartcards;
};

void add_token_routes(http::Router& router, const TokenApiContext& context);
// /token/set, /token/description, /token/info, /token/copypin, /token/copyuser,
// /token/setrandompin, /token/getserial, /token/challenges/ (token_settings_api.cpp).
void add_token_settings_routes(http::Router& router, const TokenApiContext& context);
// /token/load/<filename>: PSKC and OATH CSV files (token_load_api.cpp).
void add_token_load_routes(http::Router& router, const TokenApiContext& context);
void add_validate_routes(http::Router& router, const TokenApiContext& context);

}  // namespace tessera::api
