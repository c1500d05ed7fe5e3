// Parses the configured database URL (sqlite://path or postgresql://user:pw@host:port/db, or
// several hosts: postgresql://user@h1:5432,h2:5432/db?target_session_attrs=read-write) into what
// SOCI needs, and a form of it that is safe to print (no password).
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

namespace tessera::db {

enum class Dialect { sqlite, postgresql };

struct DatabaseUrl {
  Dialect dialect = Dialect::sqlite;
  std::filesystem::path sqlite_path;  // sqlite only
  std::string connect_string;         // for soci::session::open
  std::string display;                // the URL with any password masked
};

class DatabaseUrlError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Relative SQLite paths are taken from base_dir (the configuration file's folder).
DatabaseUrl parse_database_url(const std::string& url, const std::filesystem::path& base_dir);

}  // namespace tessera::db
