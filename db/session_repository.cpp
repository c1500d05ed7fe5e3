#include "db/session_repository.hpp"

#include <soci/soci.h>

namespace tessera::db {
namespace {

struct EndedQuery {
  std::string jti, account;
  long long issued_at = 0;
  int ended = 0;
  soci::statement statement;
  explicit EndedQuery(soci::session& sql)
      : statement((sql.prepare << "SELECT (SELECT COUNT(*) FROM revoked_session WHERE jti = :j) + "
                                  "(SELECT COUNT(*) FROM session_cutoff WHERE account = :a AND "
                                  "not_before >= :iat)",
                   soci::use(jti), soci::use(account), soci::use(issued_at), soci::into(ended))) {}
};

}  // namespace

void SessionRepository::revoke(const std::string& jti, long long expires_at, long long now) {
  database_.write([&](soci::session& sql) {
    sql << "DELETE FROM revoked_session WHERE expires_at < :now", soci::use(now);
    sql << "INSERT INTO revoked_session (jti, expires_at) VALUES (:j, :e) "
           "ON CONFLICT (jti) DO NOTHING",
        soci::use(jti), soci::use(expires_at);
  });
}

void SessionRepository::end_all(const std::string& account, long long now) {
  database_.write([&](soci::session& sql) {
    sql << "INSERT INTO session_cutoff (account, not_before) VALUES (:a, :n) "
           "ON CONFLICT (account) DO UPDATE SET not_before = :n",
        soci::use(account, "a"), soci::use(now, "n");
  });
}

bool SessionRepository::ended(const std::string& jti, const std::string& account,
                              long long issued_at) {
  return database_.with_session([&](soci::session& sql) {
    auto& query = database_.prepared<EndedQuery>(sql);
    query.jti = jti;
    query.account = account;
    query.issued_at = issued_at;
    return Database::fetch_one(query.statement, [&] { return query.ended > 0; }).value_or(true);
  });
}

}  // namespace tessera::db
