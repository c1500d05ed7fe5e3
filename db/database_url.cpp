// Database URL parsing with Boost.URL.
#include "db/database_url.hpp"

#include <set>

#include <boost/url.hpp>

namespace tessera::db {
namespace {

// libpq conninfo values are quoted so that spaces and quotes in passwords survive.
std::string conninfo_value(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

}  // namespace

DatabaseUrl parse_database_url(const std::string& url, const std::filesystem::path& base_dir) {
  DatabaseUrl result;
  const std::string sqlite_prefix = "sqlite://";
  if (url.rfind(sqlite_prefix, 0) == 0) {
    std::filesystem::path path = url.substr(sqlite_prefix.size());
    if (path.empty())
      throw DatabaseUrlError("sqlite URL has no file path (sqlite://./data/tessera.db)");
    if (path.is_relative()) path = base_dir / path;
    result.dialect = Dialect::sqlite;
    result.sqlite_path = path.lexically_normal();
    // SOCI's sqlite3 backend: "timeout" is SQLite's busy timeout in seconds, so that concurrent
    // writers from several processes wait instead of failing.
    result.connect_string = "db=\"" + result.sqlite_path.string() + "\" timeout=10";
    result.display = "sqlite://" + result.sqlite_path.string();
    return result;
  }

  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) throw DatabaseUrlError("'" + url + "' is not a URL");
  const auto& u = *parsed;
  if (u.scheme() != "postgresql" && u.scheme() != "postgres")
    throw DatabaseUrlError("unsupported database scheme '" + std::string(u.scheme()) +
                           "' (use sqlite:// or postgresql://)");
  std::string dbname = u.path();
  if (!dbname.empty() && dbname.front() == '/') dbname.erase(0, 1);
  if (dbname.empty() || u.host().empty())
    throw DatabaseUrlError(
        "postgresql URL needs a host and a database name "
        "(postgresql://user:password@host:5432/tessera)");
  result.dialect = Dialect::postgresql;
  // IPv6 literals come without their brackets, as libpq wants them.
  const std::string host = u.host_address();
  std::string conninfo = "host=" + conninfo_value(host) + " dbname=" + conninfo_value(dbname);
  if (u.has_port()) conninfo += " port=" + std::string(u.port());
  if (u.has_userinfo()) {
    conninfo += " user=" + conninfo_value(u.user());
    if (u.has_password()) conninfo += " password=" + conninfo_value(u.password());
  }
  // TLS and routing options pass through to libpq; anything else is refused rather than
  // silently dropped (a dropped sslmode would mean an unverified connection).
  static const std::set<std::string> allowed{
      "sslmode",          "sslrootcert",         "sslcert", "sslkey", "sslcrl",
      "application_name", "target_session_attrs"};
  for (auto param : u.params()) {
    if (!allowed.count(param.key))
      throw DatabaseUrlError("unsupported PostgreSQL URL option '" + std::string(param.key) +
                             "' (supported: sslmode, sslrootcert, sslcert, sslkey, sslcrl, "
                             "application_name, target_session_attrs)");
    conninfo.append(" ").append(param.key).append("=").append(conninfo_value(param.value));
  }
  // Fail fast at start when the server is unreachable instead of hanging; a statement that
  // hangs (a lock held elsewhere, a dead peer) fails instead of blocking a worker forever.
  conninfo += " connect_timeout=5 keepalives=1 options='-c statement_timeout=30000'";
  result.connect_string = conninfo;
  boost::urls::url masked(u);
  if (u.has_password()) masked.set_password("***");
  result.display = std::string(masked.buffer());
  return result;
}

}  // namespace tessera::db
