// INSERT ... ON CONFLICT DO NOTHING, then read: race-free across processes.
#include "db/server_secret_repository.hpp"

#include <chrono>

#include <soci/soci.h>

namespace tessera::db {

std::string ServerSecretRepository::get_or_create(const std::string& name,
                                                  const std::function<std::string()>& make_sealed) {
  return database_.with_session([&](soci::session& sql) {
    std::string sealed;
    sql << "SELECT sealed_value FROM server_secret WHERE name = :n", soci::use(name),
        soci::into(sealed);
    if (sql.got_data()) return sealed;
    const std::string fresh = make_sealed();
    long long now = std::chrono::duration_cast<std::chrono::seconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    sql << "INSERT INTO server_secret (name, sealed_value, created_at) VALUES (:n, :v, :t) "
           "ON CONFLICT (name) DO NOTHING",
        soci::use(name), soci::use(fresh), soci::use(now);
    sql << "SELECT sealed_value FROM server_secret WHERE name = :n", soci::use(name),
        soci::into(sealed);
    return sealed;
  });
}

}  // namespace tessera::db
