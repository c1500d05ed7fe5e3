#include "server/radius/radius_servers.hpp"

#include <algorithm>
#include <cctype>

#include "db/sealed_bindings.hpp"

namespace tessera::radius {
namespace {

RadiusServerDefinition from_row(const db::RadiusServerRow& row) {
  return {row.name,
          {row.host, row.port, {}, std::chrono::seconds(row.timeout_seconds), row.retries},
          row.description};
}

bool printable_word(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return c > 0x20 && c < 0x7f; });
}

}  // namespace

std::optional<std::string> definition_problem(const RadiusServerDefinition& d) {
  const auto& a = d.address;
  if (d.name.empty() || d.name.size() > 64 ||
      !std::all_of(d.name.begin(), d.name.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '_' || c == '-' || c == '.';
      }))
    return "a RADIUS server's name has 1 to 64 letters, digits, '_', '-' or '.'";
  if (a.host.empty() || a.host.size() > 255 || !printable_word(a.host))
    return "server is the RADIUS server's host name or address (1 to 255 characters, no spaces)";
  if (a.port < 1 || a.port > 65535) return "port is 1 to 65535";
  if (a.secret.empty() || a.secret.size() > 256) return "secret has 1 to 256 characters";
  if (a.timeout.count() < 1 || a.timeout.count() > 60) return "timeout is 1 to 60 seconds";
  if (a.retries < 0 || a.retries > 10) return "retries is 0 to 10";
  if (d.description.size() > 255) return "description has at most 255 characters";
  return std::nullopt;
}

std::vector<RadiusServerDefinition> RadiusServers::list() {
  std::vector<RadiusServerDefinition> out;
  for (const auto& row : rows_.all()) out.push_back(from_row(row));
  return out;
}

void RadiusServers::save(const RadiusServerDefinition& d) {
  if (auto problem = definition_problem(d)) throw std::invalid_argument(*problem);
  rows_.save({d.name, d.address.host, d.address.port,
              secrets_.seal(d.address.secret, db::binding::radius_secret(d.name)),
              static_cast<int>(d.address.timeout.count()), d.address.retries, d.description});
}

bool RadiusServers::remove(const std::string& name) {
  return rows_.remove(name);
}

Reply RadiusServers::send(const std::string& name, const AccessRequest& request,
                          std::chrono::milliseconds budget) {
  const auto row = rows_.find(name);
  if (!row) throw UnknownServer("no RADIUS server '" + name + "' is defined");
  auto definition = from_row(*row);
  definition.address.secret = secrets_.open(row->sealed_secret, db::binding::radius_secret(name));
  definition.address.budget = budget;
  return send_access_request(definition.address, request);
}

}  // namespace tessera::radius
