#include "server/migration/source_rows.hpp"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "db/row_values.hpp"

namespace tessera::migration {

void open_source(soci::session& sql, const db::DatabaseUrl& source) {
  if (source.dialect == db::Dialect::sqlite) {
    if (!std::filesystem::exists(source.sqlite_path))
      throw std::runtime_error("no database file " + source.sqlite_path.string());
    sql.open(*soci::factory_sqlite3(), source.connect_string);
  } else {
    sql.open(*soci::factory_postgresql(), source.connect_string);
  }
}

std::string text_at(const soci::row& row, size_t i) {
  return row.get_indicator(i) == soci::i_null ? std::string() : row.get<std::string>(i);
}

long long number_at(const soci::row& row, size_t i, long long otherwise) {
  if (row.get_indicator(i) == soci::i_null) return otherwise;
  switch (row.get_properties(i).get_data_type()) {
    case soci::dt_double:
      return static_cast<long long>(row.get<double>(i));
    case soci::dt_string: {
      const auto value = row.get<std::string>(i);
      return value == "t" || value == "true" ? 1 : std::atoll(value.c_str());
    }
    case soci::dt_integer:
    case soci::dt_long_long:
    case soci::dt_unsigned_long_long:
      return db::integer_at(row, i);
    default:
      return otherwise;
  }
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

}  // namespace tessera::migration
