// What an import from eduMFA or privacyIDEA makes of each token: a Tessera token row (its seed
// re-sealed under Tessera's key, its counter, fail counter, PIN hash, owner and state kept), or
// the reason it cannot come over. The plan is made whole before anything is written, so a dry
// run shows exactly what the real run does; the real run writes it in one transaction.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "db/certificate_repository.hpp"
#include "db/database.hpp"
#include "db/token_repository.hpp"
#include "server/crypto/secret_box.hpp"
#include "server/migration/edumfa_secrets.hpp"
#include "server/migration/edumfa_tokens.hpp"
#include "server/tokens/pin_hasher.hpp"

namespace tessera::migration {

struct TokenImportPlan {
  std::vector<db::TokenRow> tokens;                          // to write
  std::vector<db::CertificateRow> certificates;              // of the certificate tokens
  std::vector<std::pair<std::string, std::string>> skipped;  // serial, why not
  std::vector<std::pair<std::string, std::string>> notes;    // serial, what changed on the way
};

struct TokenImportContext {
  const EduMfaSecrets& source_keys;
  const crypto::SecretBox& sealer;  // Tessera's key
  const tokens::PinHasher& pins;
  // The owner's login name here, for eduMFA's user id in a resolver of a realm (both of the
  // names eduMFA gives them), or nothing when Tessera cannot tell who that is.
  std::function<std::optional<std::string>(const std::string& realm, const std::string& resolver,
                                           const std::string& user_id)>
      owner_name;
};

TokenImportPlan plan_token_import(const std::vector<EduMfaToken>& tokens,
                                  const TokenImportContext& context);

struct TokenImportResult {
  int written = 0;
  int already_there = 0;  // a token of that serial exists: left as it is
};

// Writes the plan inside the caller's transaction.
TokenImportResult write_token_import(soci::session& sql, const TokenImportPlan& plan);

}  // namespace tessera::migration
