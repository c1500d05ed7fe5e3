// Reading integers from a soci::row whatever width the backend reports: SQLite calls an
// INTEGER PRIMARY KEY a 32-bit column, PostgreSQL a BIGSERIAL a 64-bit one.
#pragma once

#include <string>

#include <soci/soci.h>

namespace tessera::db {

inline long long integer_at(const soci::row& r, std::size_t i) {
  switch (r.get_properties(i).get_data_type()) {
    case soci::dt_integer:
      return r.get<int>(i);
    case soci::dt_long_long:
      return r.get<long long>(i);
    case soci::dt_unsigned_long_long:
      return static_cast<long long>(r.get<unsigned long long>(i));
    default:
      return std::stoll(r.get<std::string>(i));
  }
}

}  // namespace tessera::db
