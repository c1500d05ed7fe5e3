// The keyed hash that links audit rows: HMAC-SHA256 over the previous row's hash and every
// field of the row. Without the key (sealed in the database under the encryption key file),
// whoever can write the database cannot forge a row or rebuild the chain after editing it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "db/audit_repository.hpp"

namespace tessera::audit {

class AuditChain {
 public:
  explicit AuditChain(std::vector<uint8_t> key);
  ~AuditChain();
  AuditChain(AuditChain&&) = default;

  // Hex HMAC of the entry (its id and prev_hash included; its hash ignored).
  std::string link(const db::AuditEntry& entry) const;
  // Hex HMAC of the chain's head (last id and hash).
  std::string seal_head(const db::AuditHead& head) const;

 private:
  std::vector<uint8_t> key_;
};

struct VerifyResult {
  bool ok = false;
  long long rows = 0;
  std::string message;  // names the first row that was changed or removed
};

// Walks the whole log in id order and checks every link and the head.
VerifyResult verify_audit_log(db::AuditRepository& repository, const AuditChain& chain);

}  // namespace tessera::audit
