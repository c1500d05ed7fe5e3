// One-time links and sessions of enrollment forms (see migration 0015). Secrets are never
// stored: only the SHA-256 of a link's or session's token, which has 256 random bits.
#pragma once

#include <optional>
#include <string>

#include "db/database.hpp"

namespace tessera::db {

struct EnrollmentLinkRow {
  std::string id, form, email, token_hash;
  long long expires_at = 0;
  bool used = false;
};

struct EnrollmentSessionRow {
  std::string form, email, organization;  // organization: of a person who gave a secret ID
  long long expires_at = 0;
};

class EnrollmentSessionRepository {
 public:
  explicit EnrollmentSessionRepository(Database& database) : database_(database) {}

  void add_link(const EnrollmentLinkRow& row);
  std::optional<EnrollmentLinkRow> link(const std::string& id);
  // The secret of a link that is about to be mailed (a new one on every attempt).
  void set_link_token(const std::string& id, const std::string& token_hash);
  // Uses the link once: the address it was asked for, or nothing when it is unknown, used or
  // expired (on every node: one statement decides).
  std::optional<std::string> use_link(const std::string& form, const std::string& token_hash,
                                      long long now);

  void add_session(const std::string& token_hash, const EnrollmentSessionRow& row, long long now);
  std::optional<EnrollmentSessionRow> session(const std::string& token_hash, long long now);

 private:
  Database& database_;
};

}  // namespace tessera::db
