// What a user or a CA hands the server as PEM: certificate requests (summarised for the approval
// page and checked against a profile) and certificate chains (a CA's answer, an uploaded
// certificate). The input's first byte picks which; the rest is the text.
#include <cstddef>
#include <cstdint>
#include <string>

#include "server/crypto/request_summary.hpp"
#include "server/crypto/x509.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    if (data[0] % 2 == 0) {
      if (auto summary = tessera::crypto::summarize_request(text)) (void)summary->subject;
    } else {
      for (const auto& certificate : tessera::crypto::parse_certificates(text)) {
        (void)tessera::crypto::subject_text(certificate.get());
        (void)tessera::crypto::issuer_text(certificate.get());
        (void)tessera::crypto::serial_hex(certificate.get());
        (void)tessera::crypto::not_after(certificate.get());
      }
    }
  } catch (const std::exception&) {  // refused with a reason: what the callers expect
  }
  return 0;
}
