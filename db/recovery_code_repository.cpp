#include "db/recovery_code_repository.hpp"

#include <soci/soci.h>

namespace tessera::db {

bool RecoveryCodeRepository::put(const std::string& resolver, const std::string& user,
                                 const RecoveryCodeRow& row, long long not_before) {
  return database_.in_transaction([&](soci::session& sql) {
    long long recent = 0;
    sql << "SELECT COUNT(*) FROM recovery_code WHERE resolver = :r AND username = :u AND "
           "created_at > :n",
        soci::use(resolver), soci::use(user), soci::use(not_before), soci::into(recent);
    if (recent > 0) return false;
    sql << "DELETE FROM recovery_code WHERE resolver = :r AND username = :u", soci::use(resolver),
        soci::use(user);
    sql << "INSERT INTO recovery_code (resolver, username, code_hash, created_at, expires_at, "
           "failures) VALUES (:r, :u, :h, :c, :e, 0)",
        soci::use(resolver), soci::use(user), soci::use(row.code_hash), soci::use(row.created_at),
        soci::use(row.expires_at);
    return true;
  });
}

std::optional<RecoveryCodeRow> RecoveryCodeRepository::find(const std::string& resolver,
                                                            const std::string& user) {
  return database_.with_session([&](soci::session& sql) -> std::optional<RecoveryCodeRow> {
    RecoveryCodeRow row;
    soci::indicator found = soci::i_null;
    sql << "SELECT code_hash, created_at, expires_at, failures FROM recovery_code WHERE "
           "resolver = :r AND username = :u",
        soci::use(resolver), soci::use(user), soci::into(row.code_hash, found),
        soci::into(row.created_at), soci::into(row.expires_at), soci::into(row.failures);
    if (found != soci::i_ok) return std::nullopt;
    return row;
  });
}

void RecoveryCodeRepository::failed(const std::string& resolver, const std::string& user,
                                    int limit) {
  database_.in_transaction([&](soci::session& sql) {
    sql << "UPDATE recovery_code SET failures = failures + 1 WHERE resolver = :r AND username = "
           ":u",
        soci::use(resolver), soci::use(user);
    sql << "DELETE FROM recovery_code WHERE resolver = :r AND username = :u AND failures >= :l",
        soci::use(resolver), soci::use(user), soci::use(limit);
  });
}

void RecoveryCodeRepository::remove(const std::string& resolver, const std::string& user) {
  database_.write([&](soci::session& sql) {
    sql << "DELETE FROM recovery_code WHERE resolver = :r AND username = :u", soci::use(resolver),
        soci::use(user);
  });
}

}  // namespace tessera::db
