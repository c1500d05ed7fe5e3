#include "db/user_attribute_repository.hpp"

#include <soci/soci.h>

namespace tessera::db {

std::map<std::string, std::string> UserAttributeRepository::of(const std::string& resolver,
                                                               const std::string& user) {
  return database_.with_session([&](soci::session& sql) {
    std::map<std::string, std::string> found;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT attribute_key, attribute_value FROM user_attribute WHERE "
                        "resolver = :r AND username = :u",
         soci::use(resolver), soci::use(user));
    for (const auto& r : rows) found[r.get<std::string>(0)] = r.get<std::string>(1);
    return found;
  });
}

bool UserAttributeRepository::set(const std::string& resolver, const std::string& user,
                                  const std::string& key, const std::string& value,
                                  const std::string& type) {
  return database_.in_transaction([&](soci::session& sql) {
    long long count = 0, existing = 0;
    sql << "SELECT COUNT(*) FROM user_attribute WHERE resolver = :r AND username = :u",
        soci::use(resolver), soci::use(user), soci::into(count);
    sql << "SELECT COUNT(*) FROM user_attribute WHERE resolver = :r AND username = :u AND "
           "attribute_key = :k",
        soci::use(resolver), soci::use(user), soci::use(key), soci::into(existing);
    if (!existing && count >= 64) return false;
    sql << "INSERT INTO user_attribute (resolver, username, attribute_key, attribute_value, "
           "attribute_type) VALUES (:r, :u, :k, :v, :t) ON CONFLICT (resolver, username, "
           "attribute_key) DO UPDATE SET attribute_value = excluded.attribute_value, "
           "attribute_type = excluded.attribute_type",
        soci::use(resolver), soci::use(user), soci::use(key), soci::use(value), soci::use(type);
    return true;
  });
}

bool UserAttributeRepository::remove(const std::string& resolver, const std::string& user,
                                     const std::string& key) {
  return database_.write([&](soci::session& sql) {
    soci::statement st = (sql.prepare << "DELETE FROM user_attribute WHERE resolver = :r AND "
                                         "username = :u AND attribute_key = :k",
                          soci::use(resolver), soci::use(user), soci::use(key));
    st.execute(true);
    return st.get_affected_rows() == 1;
  });
}

}  // namespace tessera::db
