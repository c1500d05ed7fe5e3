// SQL for administrator accounts.
#include "db/admin_repository.hpp"

#include <chrono>

#include <soci/soci.h>

namespace tessera::db {

bool AdminRepository::add(const std::string& username, const std::string& password_hash) {
  long long now = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  return database_.with_session([&](soci::session& sql) {
    // ON CONFLICT DO NOTHING makes the first-admin creation race-free across processes.
    soci::statement st = (sql.prepare << "INSERT INTO admin (username, password_hash, created_at) "
                                         "VALUES (:u, :h, :t) ON CONFLICT (username) DO NOTHING",
                          soci::use(username), soci::use(password_hash), soci::use(now));
    st.execute(true);
    return st.get_affected_rows() == 1;
  });
}

std::optional<std::string> AdminRepository::password_hash(const std::string& username) {
  return database_.with_session([&](soci::session& sql) -> std::optional<std::string> {
    std::string hash;
    soci::indicator ind = soci::i_null;
    sql << "SELECT password_hash FROM admin WHERE username = :u", soci::use(username),
        soci::into(hash, ind);
    if (!sql.got_data() || ind != soci::i_ok) return std::nullopt;
    return hash;
  });
}

std::vector<std::string> AdminRepository::usernames() {
  return database_.with_session([&](soci::session& sql) {
    std::vector<std::string> names;
    soci::rowset<std::string> rows =
        (sql.prepare << "SELECT username FROM admin ORDER BY username");
    for (const auto& name : rows) names.push_back(name);
    return names;
  });
}

bool AdminRepository::set_password_hash(const std::string& username,
                                        const std::string& password_hash) {
  return database_.with_session([&](soci::session& sql) {
    soci::statement st = (sql.prepare << "UPDATE admin SET password_hash = :h WHERE username = :u",
                          soci::use(password_hash), soci::use(username));
    st.execute(true);
    return st.get_affected_rows() == 1;
  });
}

bool AdminRepository::remove(const std::string& username) {
  return database_.with_session([&](soci::session& sql) {
    soci::statement st =
        (sql.prepare << "DELETE FROM admin WHERE username = :u", soci::use(username));
    st.execute(true);
    return st.get_affected_rows() == 1;
  });
}

std::string AdminRepository::email(const std::string& username) {
  return database_.with_session([&](soci::session& sql) {
    std::string email;
    soci::indicator found = soci::i_null;
    sql << "SELECT email FROM admin WHERE username = :u", soci::use(username),
        soci::into(email, found);
    return found == soci::i_ok ? email : std::string();
  });
}

bool AdminRepository::set_email(const std::string& username, const std::string& email) {
  return database_.write([&](soci::session& sql) {
    soci::statement st = (sql.prepare << "UPDATE admin SET email = :e WHERE username = :u",
                          soci::use(email), soci::use(username));
    st.execute(true);
    return st.get_affected_rows() == 1;
  });
}

}  // namespace tessera::db
