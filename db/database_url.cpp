// Database URL parsing with Boost.URL.
#include "db/database_url.hpp"

#include <algorithm>
#include <optional>
#include <set>
#include <string_view>

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

// One "host[:port]" of a multi-host authority; IPv6 literals in brackets.
std::pair<std::string, std::string> host_and_port(const std::string& entry) {
  std::string host = entry, port;
  if (!entry.empty() && entry.front() == '[') {
    const auto close = entry.find(']');
    if (close == std::string::npos) throw DatabaseUrlError("'" + entry + "' lacks its ']'");
    host = entry.substr(1, close - 1);
    if (close + 1 < entry.size()) {
      if (entry[close + 1] != ':') throw DatabaseUrlError("'" + entry + "' is not host:port");
      port = entry.substr(close + 2);
    }
  } else if (const auto colon = entry.rfind(':'); colon != std::string::npos) {
    host = entry.substr(0, colon);
    port = entry.substr(colon + 1);
  }
  if (host.empty()) throw DatabaseUrlError("a host in the database URL is empty");
  if (port.empty()) port = "5432";
  if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(port) < 1 || std::stoi(port) > 65535)
    throw DatabaseUrlError("'" + port + "' is not a port number (1 to 65535)");
  return {host, port};
}

// libpq takes several hosts (postgresql://h1:5432,h2:5432/db) and tries them in order; a URL
// parser does not. The host list is taken out and a placeholder host put in its place.
struct HostList {
  std::string url;           // with the placeholder host
  std::string hosts, ports;  // comma-separated, for conninfo
  std::string written;       // the list as written, for display
};
constexpr std::string_view kPlaceholderHost = "tessera-host-list.invalid";

std::optional<HostList> take_host_list(const std::string& url) {
  const auto start = url.find("://");
  if (start == std::string::npos) return std::nullopt;
  const auto authority_start = start + 3;
  const auto authority_end = std::min(url.find_first_of("/?#", authority_start), url.size());
  const auto at = url.rfind('@', authority_end);
  const auto hosts_start =
      at != std::string::npos && at >= authority_start ? at + 1 : authority_start;
  const auto written = url.substr(hosts_start, authority_end - hosts_start);
  if (written.find(',') == std::string::npos) return std::nullopt;
  HostList list;
  list.written = written;
  size_t from = 0;
  while (from <= written.size()) {
    const auto comma = std::min(written.find(',', from), written.size());
    auto [host, port] = host_and_port(written.substr(from, comma - from));
    list.hosts += (list.hosts.empty() ? "" : ",") + host;
    list.ports += (list.ports.empty() ? "" : ",") + port;
    from = comma + 1;
  }
  list.url = url.substr(0, hosts_start) + std::string(kPlaceholderHost) + url.substr(authority_end);
  return list;
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

  const auto host_list = take_host_list(url);
  auto parsed = boost::urls::parse_uri(host_list ? host_list->url : url);
  // Not echoed: the text may hold a password.
  if (!parsed)
    throw DatabaseUrlError("database.url is not a URL (postgresql://user:password@host:5432/db)");
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
  std::string conninfo;
  if (host_list) {
    if (u.has_port())
      throw DatabaseUrlError("database.url is not a URL (postgresql://user:password@host:5432/db)");
    conninfo = "host=" + conninfo_value(host_list->hosts) +
               " port=" + conninfo_value(host_list->ports) + " dbname=" + conninfo_value(dbname);
  } else {
    // IPv6 literals come without their brackets, as libpq wants them.
    conninfo = "host=" + conninfo_value(u.host_address()) + " dbname=" + conninfo_value(dbname);
    if (u.has_port()) conninfo += " port=" + std::string(u.port());
  }
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
  if (host_list)
    result.display.replace(result.display.find(kPlaceholderHost), kPlaceholderHost.size(),
                           host_list->written);
  return result;
}

}  // namespace tessera::db
