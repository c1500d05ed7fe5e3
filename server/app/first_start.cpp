// First-start steps. Secrets created here are printed once at most, never logged.
#include "server/app/first_start.hpp"

#include <cstdlib>

#include <openssl/crypto.h>

#include <spdlog/spdlog.h>

#include "db/admin_repository.hpp"
#include "db/migrator.hpp"
#include "db/sealed_bindings.hpp"
#include "db/server_secret_repository.hpp"
#include "server/crypto/encoding.hpp"
#include "server/crypto/password_hash.hpp"
#include "server/crypto/random.hpp"
#include "server/crypto/self_signed_certificate.hpp"

namespace tessera::app {

void ensure_data_dir(const ServerConfig& config) {
  namespace fs = std::filesystem;
  if (fs::exists(config.data_dir)) {
    if (!fs::is_directory(config.data_dir))
      throw ConfigError(config.config_file.string() + ": data_dir: " + config.data_dir.string() +
                        " exists but is not a folder");
    return;
  }
  fs::create_directories(config.data_dir);
  fs::permissions(config.data_dir, fs::perms::owner_all, fs::perm_options::replace);
  spdlog::info("created data folder {}", config.data_dir.string());
}

bool ensure_tls_certificate(ServerConfig& config) {
  auto& tls = config.server.tls;
  if (!config.server.any_tls_listener() || !tls.certificate.empty()) return false;
  auto files = crypto::ensure_self_signed_certificate(config.data_dir / "tls");
  tls.certificate = files.certificate;
  tls.private_key = files.private_key;
  return files.created;
}

std::unique_ptr<db::Database> open_database(const ServerConfig& config) {
  db::DatabaseUrl url;
  try {
    url = db::parse_database_url(config.database_url, config.config_file.parent_path());
  } catch (const db::DatabaseUrlError& e) {
    throw ConfigError(config.config_file.string() + ": database.url: " + e.what());
  }
  if (url.dialect == db::Dialect::sqlite &&
      !std::filesystem::is_directory(url.sqlite_path.parent_path()))
    throw ConfigError(config.config_file.string() + ": database.url: folder " +
                      url.sqlite_path.parent_path().string() + " not found");
  std::unique_ptr<db::Database> database;
  try {
    database = std::make_unique<db::Database>(url, config.database_pool_size);
  } catch (const db::DatabaseError& e) {
    throw ConfigError(config.config_file.string() + ": database.url: " + e.what());
  }
  auto applied = db::migrate(*database);
  for (int version : applied) spdlog::info("applied schema migration {}", version);
  return database;
}

FirstAdmin ensure_first_admin(db::Database& database) {
  db::AdminRepository admins(database);
  if (!admins.usernames().empty()) return {};
  FirstAdmin result;
  std::string password;
  if (const char* from_env = std::getenv("TESSERA_ADMIN_PASSWORD"); from_env && *from_env) {
    password = from_env;
  } else {
    password = crypto::random_password();
    result.generated_password = password;
  }
  // add() is a no-op if another process created the admin in the meantime.
  result.created = admins.add("admin", crypto::hash_password(password));
  if (!result.created) return {};
  spdlog::info("created the first admin account 'admin'");
  return result;
}

std::vector<uint8_t> load_server_key(db::Database& database, const crypto::SecretBox& secrets,
                                     const std::string& name) {
  const std::string binding = db::binding::server_secret(name);
  db::ServerSecretRepository repository(database);
  auto sealed = repository.get_or_create(name, [&] {
    auto key = crypto::random_bytes(32);
    auto text = crypto::base64_encode(key.data(), key.size());
    OPENSSL_cleanse(key.data(), key.size());
    auto result = secrets.seal(text, binding);
    OPENSSL_cleanse(text.data(), text.size());
    return result;
  });
  std::string text;
  try {
    text = secrets.open(sealed, binding);
  } catch (const crypto::SecretBoxError&) {
    throw std::runtime_error(
        "the database holds secrets sealed with another encryption key: every server sharing a "
        "database needs the same encryption_key_file (copy it from the first node)");
  }
  auto key = crypto::base64_decode(text);
  OPENSSL_cleanse(text.data(), text.size());
  if (!key || key->size() != 32) throw std::runtime_error("the stored key " + name + " is damaged");
  return std::move(*key);
}

}  // namespace tessera::app
