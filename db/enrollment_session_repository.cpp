#include "db/enrollment_session_repository.hpp"

#include <soci/soci.h>

namespace tessera::db {

void EnrollmentSessionRepository::add_link(const EnrollmentLinkRow& row) {
  database_.write([&](soci::session& sql) {
    const int used = row.used ? 1 : 0;
    sql << "INSERT INTO enrollment_link (id, form, email, token_hash, expires_at, used) VALUES "
           "(:i, :f, :e, :h, :x, :u)",
        soci::use(row.id), soci::use(row.form), soci::use(row.email), soci::use(row.token_hash),
        soci::use(row.expires_at), soci::use(used);
  });
}

std::optional<EnrollmentLinkRow> EnrollmentSessionRepository::link(const std::string& id) {
  return database_.with_session([&](soci::session& sql) -> std::optional<EnrollmentLinkRow> {
    soci::rowset<soci::row> rs = (sql.prepare << "SELECT id, form, email, token_hash, expires_at, "
                                                 "used FROM enrollment_link WHERE id = :i",
                                  soci::use(id));
    for (const auto& r : rs)
      return EnrollmentLinkRow{r.get<std::string>(0), r.get<std::string>(1), r.get<std::string>(2),
                               r.get<std::string>(3), r.get<long long>(4),   r.get<int>(5) != 0};
    return std::nullopt;
  });
}

void EnrollmentSessionRepository::set_link_token(const std::string& id,
                                                 const std::string& token_hash) {
  database_.write([&](soci::session& sql) {
    sql << "UPDATE enrollment_link SET token_hash = :h WHERE id = :i AND used = 0",
        soci::use(token_hash), soci::use(id);
  });
}

std::optional<std::string> EnrollmentSessionRepository::use_link(const std::string& form,
                                                                 const std::string& token_hash,
                                                                 long long now) {
  return database_.write([&](soci::session& sql) -> std::optional<std::string> {
    // Links that can no longer be used are forgotten on the way (they hold addresses).
    sql << "DELETE FROM enrollment_link WHERE expires_at < :n", soci::use(now);
    soci::statement st = (sql.prepare << "UPDATE enrollment_link SET used = 1 WHERE form = :f AND "
                                         "token_hash = :h AND used = 0 AND expires_at > :n",
                          soci::use(form), soci::use(token_hash), soci::use(now));
    st.execute(true);
    if (st.get_affected_rows() != 1) return std::nullopt;
    std::string email;
    sql << "SELECT email FROM enrollment_link WHERE form = :f AND token_hash = :h", soci::use(form),
        soci::use(token_hash), soci::into(email);
    return email;
  });
}

void EnrollmentSessionRepository::add_session(const std::string& token_hash,
                                              const EnrollmentSessionRow& row, long long now) {
  database_.write([&](soci::session& sql) {
    sql << "DELETE FROM enrollment_session WHERE expires_at < :n", soci::use(now);
    sql << "INSERT INTO enrollment_session (token_hash, form, email, organization, expires_at) "
           "VALUES (:h, :f, :e, :o, :x)",
        soci::use(token_hash), soci::use(row.form), soci::use(row.email),
        soci::use(row.organization), soci::use(row.expires_at);
  });
}

std::optional<EnrollmentSessionRow> EnrollmentSessionRepository::session(
    const std::string& token_hash, long long now) {
  return database_.with_session([&](soci::session& sql) -> std::optional<EnrollmentSessionRow> {
    soci::rowset<soci::row> rs =
        (sql.prepare << "SELECT form, email, organization, expires_at FROM enrollment_session "
                        "WHERE token_hash = :h AND expires_at > :n",
         soci::use(token_hash), soci::use(now));
    for (const auto& r : rs)
      return EnrollmentSessionRow{r.get<std::string>(0), r.get<std::string>(1),
                                  r.get<std::string>(2), r.get<long long>(3)};
    return std::nullopt;
  });
}

}  // namespace tessera::db
