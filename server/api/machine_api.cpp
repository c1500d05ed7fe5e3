// eduMFA's machines: machine resolvers that list machines (type hosts: a hosts file on the
// server), sshkey tokens attached to a machine (or to every machine) for the application ssh
// with the Unix user they open, and the authentication items that OpenSSH's
// AuthorizedKeysCommand fetches for a host and user (GET /machine/authitem/ssh). Rights as
// eduMFA names them: mresolverread/-write/-delete, machinelist, manage_machine_tokens,
// fetch_authentication_items.
#include "server/api/machine_api.hpp"

#include <fstream>
#include <set>
#include <sstream>

#include <boost/json.hpp>

#include "server/api/api_error.hpp"
#include "server/api/envelope.hpp"
#include "server/api/params.hpp"
#include "server/api/token_access.hpp"

namespace tessera::api {
namespace {

struct Machine {
  std::string id;  // the address, as eduMFA's hosts resolver names machines
  std::vector<std::string> hostnames;
  std::string resolver;
};

// A hosts file: "address name [alias...]" per line, '#' comments; at most 1 MiB and 10,000
// machines are read.
std::vector<Machine> hosts_file(const std::string& resolver, const std::string& filename) {
  std::ifstream in(filename);
  if (!in)
    throw ApiError::bad_parameter("machine resolver '" + resolver + "' cannot read " + filename);
  std::vector<Machine> machines;
  size_t read = 0;
  for (std::string line; std::getline(in, line) && read < 1024 * 1024 && machines.size() < 10000;) {
    read += line.size() + 1;
    line = line.substr(0, line.find('#'));
    std::istringstream words(line);
    Machine m{{}, {}, resolver};
    if (!(words >> m.id)) continue;
    for (std::string name; words >> name;) m.hostnames.push_back(name);
    if (!m.hostnames.empty()) machines.push_back(std::move(m));
  }
  return machines;
}

std::string config_text(const db::MachineResolverRow& row, const char* key) {
  boost::system::error_code ec;
  const auto config = boost::json::parse(row.config, ec);
  if (ec || !config.is_object()) return {};
  const auto* value = config.get_object().if_contains(key);
  return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

std::vector<Machine> machines_of(db::MachineRepository& repository) {
  std::vector<Machine> all;
  for (const auto& r : repository.resolvers())
    for (auto& m : hosts_file(r.name, config_text(r, "filename"))) all.push_back(std::move(m));
  return all;
}

boost::json::object machine_json(const Machine& m) {
  boost::json::array names;
  for (const auto& n : m.hostnames) names.push_back(boost::json::string(n));
  return {{"id", m.id}, {"hostname", names}, {"ip", m.id}, {"resolver_name", m.resolver}};
}

boost::json::object options_of(const db::MachineTokenRow& row) {
  boost::system::error_code ec;
  auto parsed = boost::json::parse(row.options, ec);
  return !ec && parsed.is_object() ? parsed.as_object() : boost::json::object();
}

std::string option(const boost::json::object& options, const char* key) {
  const auto* v = options.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// Parameters that name the machine, the token and the application; the rest are options.
bool is_option(std::string_view key) {
  for (const char* fixed : {"hostname", "machineid", "resolver", "serial", "application", "mtid",
                            "client", "sortby", "sortdir", "page", "pagesize"})
    if (key == fixed) return false;
  return true;
}

class MachineRoutes {
 public:
  explicit MachineRoutes(const MachineApiContext& x) : x_(x) {}

  // hostname, or machineid with resolver, or neither (every machine): the resolver and id.
  std::pair<std::string, std::string> machine(const http::RequestContext& c) const {
    const auto hostname = string_param(c, "hostname", 255);
    auto resolver = string_param(c, "resolver", 64);
    auto id = string_param(c, "machineid", 255);
    if (id == "0" && resolver.empty()) id.clear();  // eduMFA's "any machine"
    if (!hostname.empty()) {
      for (const auto& m : machines_of(x_.machines))
        for (const auto& name : m.hostnames)
          if (name == hostname) return {m.resolver, m.id};
      throw ApiError::not_found("no machine resolver lists a machine named '" + hostname + "'");
    }
    if (id.empty() != resolver.empty())
      throw ApiError::bad_parameter(
          "give machineid and resolver together (or neither: every "
          "machine)");
    if (!id.empty()) {
      bool found = false;
      for (const auto& m : machines_of(x_.machines))
        found = found || (m.resolver == resolver && m.id == id);
      if (!found)
        throw ApiError::not_found("machine resolver '" + resolver + "' lists no machine " + id);
    }
    return {resolver, id};
  }

  http::HttpResponse attach(http::RequestContext& c) const {
    const auto serial = required_param(c, "serial", 64);
    auto token = x_.tokens.find(serial);
    if (!token) throw ApiError::not_found("no token " + serial);
    authorize_token(x_.access, c, *token, "manage_machine_tokens");
    const auto application = required_param(c, "application", 32);
    if (application != "ssh")
      throw ApiError::bad_parameter("application '" + application +
                                    "': Tessera serves ssh (offline OTP and LUKS are not offered)");
    if (token->type != "sshkey")
      throw ApiError::bad_parameter("the ssh application serves sshkey tokens; " + serial + " is " +
                                    token->type);
    boost::json::object options;
    for (const auto& [key, value] : c.params)
      if (is_option(key)) options[key] = string_param(c, std::string(key).c_str(), 255);
    if (options.size() > 16) throw ApiError::bad_parameter("at most 16 options");
    if (option(options, "user").empty())
      throw ApiError::bad_parameter("give user: the Unix account the key opens");
    check_service_id(option(options, "service_id"));
    const auto [resolver, id] = machine(c);
    const auto mtid =
        x_.machines.attach({0, serial, resolver, id, application, boost::json::serialize(options)});
    c.audit.info =
        "attached to " + (id.empty() ? std::string("every machine") : id) + " for " + application;
    return json_result(mtid);
  }

  http::HttpResponse detach(http::RequestContext& c) const {
    const auto& serial = c.path_params.at("serial");
    auto token = x_.tokens.find(serial);
    if (!token) throw ApiError::not_found("no token " + serial);
    authorize_token(x_.access, c, *token, "manage_machine_tokens");
    const auto& application = c.path_params.at("application");
    int removed = 0;
    for (const auto& row : x_.machines.attached(serial)) {
      if (row.application != application) continue;
      if (auto mtid = c.path_params.find("mtid"); mtid != c.path_params.end()) {
        if (std::to_string(row.id) != mtid->second) continue;
      } else {
        const auto machine_id = c.path_params.at("machineid");
        const bool any = machine_id == "0" && row.machine_id.empty();
        if (!any && (row.machine_id != machine_id || row.resolver != c.path_params.at("resolver")))
          continue;
      }
      removed += x_.machines.detach(row.id) ? 1 : 0;
    }
    if (removed == 0) throw ApiError::not_found("token " + serial + " is not attached there");
    return json_result(removed);
  }

  http::HttpResponse list_attached(http::RequestContext& c) const {
    x_.access.require_admin(c, "manage_machine_tokens");
    const auto serial = string_param(c, "serial", 64);
    const auto application = string_param(c, "application", 32);
    const auto hostname = string_param(c, "hostname", 255);
    std::string host_id;
    if (!hostname.empty()) host_id = machine(c).second;
    boost::json::array out;
    for (const auto& row :
         x_.machines.attached(serial.find('*') == std::string::npos ? serial : "")) {
      if (!application.empty() && row.application != application) continue;
      if (!hostname.empty() && row.machine_id != host_id) continue;
      const auto options = options_of(row);
      bool wanted = true;
      for (const auto& [key, value] : c.params)
        if (is_option(key) && option(options, std::string(key).c_str()) !=
                                  string_param(c, std::string(key).c_str(), 255))
          wanted = false;
      if (!wanted) continue;
      const auto token = x_.tokens.find(row.serial);
      out.push_back({{"id", row.id},
                     {"serial", row.serial},
                     {"type", token ? token->type : ""},
                     {"application", row.application},
                     {"machine_id", row.machine_id.empty() ? boost::json::value(nullptr)
                                                           : boost::json::value(row.machine_id)},
                     {"resolver", row.resolver.empty() ? boost::json::value(nullptr)
                                                       : boost::json::value(row.resolver)},
                     {"options", options}});
    }
    return json_result(out);
  }

  // Adds the options given (values) and removes those given empty, on one attachment (mtid) or
  // on the token's attachments for the application.
  http::HttpResponse set_options(http::RequestContext& c) const {
    x_.access.require_admin(c, "manage_machine_tokens");
    std::vector<db::MachineTokenRow> rows;
    if (const auto mtid = long_param(c, "mtid", 1, 1LL << 62)) {
      if (auto row = x_.machines.attachment(*mtid)) rows.push_back(*row);
    } else {
      const auto serial = required_param(c, "serial", 64);
      const auto application = required_param(c, "application", 32);
      for (auto& row : x_.machines.attached(serial))
        if (row.application == application) rows.push_back(std::move(row));
    }
    if (rows.empty()) throw ApiError::not_found("no such machine token");
    int added = 0, deleted = 0;
    for (auto& row : rows) {
      auto token = x_.tokens.find(row.serial);
      if (token) authorize_token(x_.access, c, *token, "manage_machine_tokens");
      auto options = options_of(row);
      for (const auto& [key, unused] : c.params) {
        if (!is_option(key)) continue;
        const auto value = string_param(c, std::string(key).c_str(), 255);
        if (value.empty()) {
          if (key == "user") throw ApiError::bad_parameter("an ssh attachment keeps its user");
          deleted += options.erase(key) ? 1 : 0;
        } else {
          if (key == "service_id") check_service_id(value);
          options[key] = value;
          ++added;
        }
      }
      x_.machines.set_options(row.id, boost::json::serialize(options));
    }
    return json_result(boost::json::object{{"added", added}, {"deleted", deleted}});
  }

  // What AuthorizedKeysCommand asks for: the keys for hostname (and user, service_id).
  http::HttpResponse auth_items(http::RequestContext& c) const {
    x_.access.require_admin(c, "fetch_authentication_items");
    auto it = c.path_params.find("application");
    const auto application = it != c.path_params.end() ? it->second : std::string("ssh");
    if (application != "ssh")
      throw ApiError::bad_parameter("application '" + application + "': Tessera serves ssh");
    const auto hostname = required_param(c, "hostname", 255);
    const auto user = string_param(c, "user", 255);
    const auto service_id = string_param(c, "service_id", 64);
    std::set<std::string> ids;
    for (const auto& m : machines_of(x_.machines))
      for (const auto& name : m.hostnames)
        if (name == hostname) ids.insert(m.resolver + "\n" + m.id);
    boost::json::array items;
    for (const auto& row : x_.machines.attached()) {
      if (row.application != "ssh") continue;
      const auto options = options_of(row);
      const bool here = row.machine_id.empty()
                            ? service_id.empty() || option(options, "service_id") == service_id
                            : ids.count(row.resolver + "\n" + row.machine_id) > 0;
      if (!here || (!user.empty() && option(options, "user") != user)) continue;
      const auto token = x_.tokens.find(row.serial);
      if (!token || token->type != "sshkey" || !token->active || token->revoked) continue;
      const auto info = boost::json::parse(token->info).as_object();
      const auto* key = info.if_contains("ssh_key");
      if (!key || !key->is_string()) continue;
      items.push_back({{"username", option(options, "user")}, {"sshkey", *key}});
    }
    c.audit.info = std::to_string(items.size()) + " ssh keys for " + hostname;
    return json_result(boost::json::object{{"ssh", std::move(items)}});
  }

 private:
  void check_service_id(const std::string& name) const {
    if (!name.empty() && x_.service_ids.list(name).empty())
      throw ApiError::not_found("no service ID '" + name + "' (POST /serviceid/" + name + ")");
  }

  MachineApiContext x_;
};

http::HttpResponse save_resolver(http::RequestContext& c, db::MachineRepository& machines) {
  const auto& name = c.path_params.at("resolver");
  check_identifier(name, "machine resolver");
  auto type = string_param(c, "type", 32);
  if (type.empty())
    if (auto existing = machines.resolver(name)) type = existing->type;
  if (type != "hosts")
    throw ApiError::bad_parameter("machine resolver type '" + type +
                                  "': Tessera has hosts (a hosts file on the server)");
  const auto filename = required_param(c, "filename", 1024);
  hosts_file(name, filename);  // readable now, or refused
  machines.save_resolver(
      {name, type, boost::json::serialize(boost::json::object{{"filename", filename}})});
  c.audit.info = "machine resolver " + name;
  return json_result(1);
}

}  // namespace

void add_machine_routes(http::Router& router, const MachineApiContext& x) {
  const auto authenticated = http::Access::authenticated;
  auto routes = std::make_shared<MachineRoutes>(x);
  const auto resolver_json = [](const db::MachineResolverRow& r) {
    return boost::json::object{{"resolvername", r.name},
                               {"type", r.type},
                               {"data", {{"filename", config_text(r, "filename")}}}};
  };
  router.add(
      "GET", "/machineresolver/",
      [x, resolver_json](http::RequestContext& c) {
        x.access.require_admin(c, "mresolverread");
        boost::json::object out;
        for (const auto& r : x.machines.resolvers()) out[r.name] = resolver_json(r);
        return json_result(out);
      },
      authenticated);
  router.add(
      "POST", "/machineresolver/test",
      [x](http::RequestContext& c) {
        x.access.require_admin(c, "mresolverwrite");
        if (string_param(c, "type", 32) != "hosts")
          throw ApiError::bad_parameter("machine resolver type: hosts");
        try {
          const auto found = hosts_file("test", required_param(c, "filename", 1024));
          return json_result(
              true,
              {{"description", "the file lists " + std::to_string(found.size()) + " machines"}});
        } catch (const ApiError& e) {
          return json_result(false, {{"description", e.what()}});
        }
      },
      authenticated);
  router.add(
      "GET", "/machineresolver/<resolver>",
      [x, resolver_json](http::RequestContext& c) {
        x.access.require_admin(c, "mresolverread");
        boost::json::object out;
        if (auto r = x.machines.resolver(c.path_params.at("resolver")))
          out[r->name] = resolver_json(*r);
        return json_result(out);
      },
      authenticated);
  router.add(
      "POST", "/machineresolver/<resolver>",
      [x](http::RequestContext& c) {
        x.access.require_admin(c, "mresolverwrite");
        return save_resolver(c, x.machines);
      },
      authenticated);
  router.add(
      "DELETE", "/machineresolver/<resolver>",
      [x](http::RequestContext& c) {
        x.access.require_admin(c, "mresolverdelete");
        std::string refusal;
        if (!x.machines.remove_resolver(c.path_params.at("resolver"), refusal)) {
          if (!refusal.empty()) throw ApiError::bad_parameter(refusal);
          throw ApiError::not_found("no machine resolver '" + c.path_params.at("resolver") + "'");
        }
        return json_result(1);
      },
      authenticated);

  router.add(
      "GET", "/machine/",
      [x](http::RequestContext& c) {
        x.access.require_admin(c, "machinelist");
        const auto hostname = string_param(c, "hostname", 255);
        const auto ip = string_param(c, "ip", 64);
        const auto any = string_param(c, "any", 255);
        boost::json::array out;
        for (const auto& m : machines_of(x.machines)) {
          bool name_matches = hostname.empty(),
               any_matches = any.empty() || m.id.find(any) != std::string::npos;
          for (const auto& n : m.hostnames) {
            name_matches = name_matches || n.find(hostname) != std::string::npos;
            any_matches = any_matches || n.find(any) != std::string::npos;
          }
          if (name_matches && any_matches && (ip.empty() || ip == m.id))
            out.push_back(machine_json(m));
        }
        return json_result(out);
      },
      authenticated);
  router.add(
      "POST", "/machine/token", [routes](http::RequestContext& c) { return routes->attach(c); },
      authenticated);
  router.add(
      "GET", "/machine/token",
      [routes](http::RequestContext& c) { return routes->list_attached(c); }, authenticated);
  for (const char* path : {"/machine/token/<serial>/<machineid>/<resolver>/<application>",
                           "/machine/token/<serial>/<application>/<mtid>"})
    router.add(
        "DELETE", path, [routes](http::RequestContext& c) { return routes->detach(c); },
        authenticated);
  router.add(
      "POST", "/machine/tokenoption",
      [routes](http::RequestContext& c) { return routes->set_options(c); }, authenticated);
  for (const char* path : {"/machine/authitem", "/machine/authitem/<application>"})
    router.add(
        "GET", path, [routes](http::RequestContext& c) { return routes->auth_items(c); },
        authenticated);
  router.add(
      "GET", "/application/",
      [x](http::RequestContext& c) {
        x.access.require_admin(c, "machinelist");
        return json_result(boost::json::object{{"ssh",
                                                {{"options",
                                                  {{"user", {{"type", "str"}, {"required", true}}},
                                                   {"service_id", {{"type", "str"}}}}}}}});
      },
      authenticated);
}

}  // namespace tessera::api
