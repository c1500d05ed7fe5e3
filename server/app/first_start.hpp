// What a first start creates: the data folder, the encryption key, the TLS certificate, the
// schema and the first admin. Each step is idempotent, so every start runs them all.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "server/config/server_config.hpp"
#include "server/crypto/secret_box.hpp"

namespace tessera::app {

void ensure_data_dir(const ServerConfig& config);

// Fills in config.tls with a self-signed certificate in <data_dir>/tls when TLS is used and no
// certificate is configured; returns true when one was created now.
bool ensure_tls_certificate(ServerConfig& config);

std::unique_ptr<db::Database> open_database(const ServerConfig& config);

struct FirstAdmin {
  bool created = false;
  std::optional<std::string> generated_password;  // to print once; empty when from the env
};

// Creates the admin "admin" when no admin exists, with TESSERA_ADMIN_PASSWORD or a generated
// password.
FirstAdmin ensure_first_admin(db::Database& database);

// A 32-byte server-wide key (the JWT signing key, the audit chain key), shared by every node
// through the database, sealed at rest; created on the first start.
std::vector<uint8_t> load_server_key(db::Database& database, const crypto::SecretBox& secrets,
                                     const std::string& name);

}  // namespace tessera::app
