// What a certificate signing request (PKCS#10) asks for, in words an approver reads before
// deciding: its key, the subject it names and its alternative names. The CA's profile decides
// what is issued; this shows what the requester asked.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace tessera::crypto {

struct RequestSummary {
  std::string key;                 // "EC P-256", "RSA 3072", "ED25519"
  std::string subject;             // RFC 2253, "CN=alice,O=Example"
  std::vector<std::string> names;  // "email:alice@corp.example", "DNS:host", "IP Address:..."
};

// nullopt when pem is no CSR.
std::optional<RequestSummary> summarize_request(const std::string& pem);

}  // namespace tessera::crypto
