// Fields are length-prefixed before hashing, so no two different rows serialise alike.
#include "server/audit/audit_chain.hpp"

#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace tessera::audit {
namespace {

void add(std::string& out, const std::string& field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
}

std::string hex(const unsigned char* data, size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < size; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 0xf];
  }
  return out;
}

}  // namespace

AuditChain::AuditChain(std::vector<uint8_t> key) : key_(std::move(key)) {
  if (key_.size() < 32) throw std::invalid_argument("the audit key must have at least 32 bytes");
}

AuditChain::~AuditChain() {
  OPENSSL_cleanse(key_.data(), key_.size());
}

namespace {

std::string hmac_hex(const std::vector<uint8_t>& key, const std::string& text) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac, &size))
    throw std::runtime_error("HMAC failed");
  return hex(mac, size);
}

bool same(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::string AuditChain::seal_head(const db::AuditHead& head) const {
  std::string text = "head";
  add(text, std::to_string(head.last_id));
  add(text, head.last_hash);
  return hmac_hex(key_, text);
}

std::string AuditChain::link(const db::AuditEntry& e) const {
  std::string text;
  for (const auto& field :
       {std::to_string(e.id), std::to_string(e.time_us), std::to_string(e.duration_us), e.action,
        std::string(e.success ? "1" : "0"), e.serial, e.token_type, e.username, e.realm,
        e.administrator, e.client, e.policies, e.info, e.prev_hash})
    add(text, field);
  // Appended only when set: rows from before the actor columns keep their hashes, and the
  // length prefixes keep a row with an actor from reading like one without.
  if (!e.actor_user.empty() || !e.actor_realm.empty()) {
    add(text, e.actor_user);
    add(text, e.actor_realm);
  }
  return hmac_hex(key_, text);
}

VerifyResult verify_audit_log(db::AuditRepository& repository, const AuditChain& chain) {
  VerifyResult result;
  // The head first: rows written while the check runs lie beyond it and are left for next time.
  const auto head = repository.head();
  if (head.last_id != 0 && !same(chain.seal_head(head), head.mac)) {
    result.message =
        "the chain head was changed (it names row " + std::to_string(head.last_id) + ")";
    return result;
  }
  long long expected_id = 1;
  std::string previous_hash;
  repository.scan(head.last_id, [&](const db::AuditEntry& e) {
    if (e.id != expected_id) {
      result.message = "row " + std::to_string(expected_id) + " is missing (the next row is " +
                       std::to_string(e.id) + ")";
      return false;
    }
    if (e.prev_hash != previous_hash) {
      result.message = "row " + std::to_string(e.id) + " does not follow row " +
                       std::to_string(e.id - 1) + ": rows were removed, added or reordered";
      return false;
    }
    if (!same(chain.link(e), e.hash)) {
      result.message = "row " + std::to_string(e.id) + " was changed";
      return false;
    }
    previous_hash = e.hash;
    ++expected_id;
    ++result.rows;
    return true;
  });
  if (!result.message.empty()) return result;
  if (result.rows != head.last_id || previous_hash != head.last_hash) {
    result.message = "the newest rows were removed: the log ends at row " +
                     std::to_string(result.rows) + " but its head names row " +
                     std::to_string(head.last_id);
    return result;
  }
  result.ok = true;
  result.message = "audit log OK: " + std::to_string(result.rows) + " rows, head " + previous_hash;
  return result;
}

}  // namespace tessera::audit
