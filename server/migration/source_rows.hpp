// Reading an eduMFA or privacyIDEA database, SQLite or PostgreSQL: the session, and cells that
// may be NULL, with booleans stored as integers or as text ("t").
#pragma once

#include <string>

#include <soci/soci.h>

#include "db/database_url.hpp"

namespace tessera::migration {

// Opens sql on the source; throws std::runtime_error for a SQLite file that is not there.
void open_source(soci::session& sql, const db::DatabaseUrl& source);

std::string text_at(const soci::row& row, size_t i);
long long number_at(const soci::row& row, size_t i, long long otherwise = 0);

std::string lower(std::string text);

}  // namespace tessera::migration
