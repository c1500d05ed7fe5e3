// The TLS certificate the server makes for itself at first start when none is configured.
#pragma once

#include <filesystem>

namespace tessera::crypto {

struct CertificateFiles {
  std::filesystem::path certificate;
  std::filesystem::path private_key;
  bool created = false;
};

// Creates <dir>/server.crt and <dir>/server.key (EC P-256, for localhost, 127.0.0.1 and ::1)
// unless both exist already.
CertificateFiles ensure_self_signed_certificate(const std::filesystem::path& dir);

}  // namespace tessera::crypto
