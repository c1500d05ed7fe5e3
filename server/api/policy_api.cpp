// Policies are validated (scope, actions, networks) before they are stored.
#include "server/api/policy_api.hpp"

#include "server/api/api_error.hpp"
#include "server/api/envelope.hpp"
#include "server/api/params.hpp"
#include "server/api/stale_save.hpp"
#include "server/policy/policy.hpp"

namespace tessera::api {
namespace {

boost::json::object policy_json(const db::PolicyRow& p) {
  return {{"name", p.name},         {"scope", p.scope},        {"action", p.actions},
          {"realm", p.realms},      {"resolver", p.resolvers}, {"user", p.users},
          {"adminuser", p.admins},  {"client", p.clients},     {"active", p.active},
          {"priority", p.priority}, {"version", p.version}};
}

// eduMFA's export file: a [section] per policy with "key = value" lines, values as
// POST /policy/<name> takes them.
std::string exported(const std::vector<db::PolicyRow>& policies) {
  std::string text;
  for (const auto& p : policies) {
    text += "[" + p.name + "]\n";
    for (const auto& [key, value] : policy::policy_fields(p)) text += key + " = " + value + "\n";
    text += "\n";
  }
  return text;
}

// A value as eduMFA writes it (a Python list "['a', 'b']" or dict "{'a': True, 'b': '5'}") or as
// Tessera does ("a, b=5"), in Tessera's form. Flat literals only: one pass, no recursion.
std::string plain_value(std::string value) {
  if (value.size() < 2 || (value.front() != '[' && value.front() != '{')) return value;
  const bool dict = value.front() == '{';
  value = value.substr(1, value.size() - 2);
  std::string out, item;
  bool quoted = false;
  char quote = 0;
  const auto flush = [&] {
    auto trimmed = item;
    trimmed.erase(0, trimmed.find_first_not_of(' '));
    trimmed.erase(trimmed.find_last_not_of(' ') + 1);
    if (dict) {
      const auto colon = trimmed.find(':');
      auto key = trimmed.substr(0, colon),
           val = colon == std::string::npos ? "" : trimmed.substr(colon + 1);
      val.erase(0, val.find_first_not_of(' '));
      trimmed = val == "True" || val.empty() ? key : key + "=" + val;
    }
    if (!trimmed.empty()) out += (out.empty() ? "" : ", ") + trimmed;
    item.clear();
  };
  for (const char ch : value) {
    if (quoted) {
      if (ch == quote)
        quoted = false;
      else
        item += ch;
    } else if (ch == '\'' || ch == '"') {
      quoted = true;
      quote = ch;
    } else if (ch == ',') {
      flush();
    } else {
      item += ch;
    }
  }
  flush();
  return out;
}

// Reads an export file into policies, each parsed (validated) before anything is stored.
std::vector<db::PolicyRow> imported(std::string_view text) {
  std::vector<db::PolicyRow> rows;
  size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const auto end = std::min(text.find('\n'), text.size());
    std::string line(text.substr(0, end));
    text.remove_prefix(std::min(end + 1, text.size()));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    line = line.substr(first);
    if (line.front() == '[') {
      if (line.back() != ']' || line.size() < 3)
        throw ApiError::bad_parameter("line " + std::to_string(line_number) +
                                      ": a section is [name]");
      db::PolicyRow row;
      row.name = line.substr(1, line.size() - 2);
      rows.push_back(std::move(row));
      continue;
    }
    const auto equals = line.find('=');
    if (rows.empty() || equals == std::string::npos)
      throw ApiError::bad_parameter("line " + std::to_string(line_number) +
                                    ": expected [policy name] or key = value");
    auto key = line.substr(0, equals);
    key.erase(key.find_last_not_of(" \t") + 1);
    auto value = line.substr(equals + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    value = plain_value(value);
    auto& row = rows.back();
    if (key == "scope")
      row.scope = value;
    else if (key == "action")
      row.actions = value;
    else if (key == "realm")
      row.realms = value;
    else if (key == "resolver")
      row.resolvers = value;
    else if (key == "user")
      row.users = value;
    else if (key == "adminuser")
      row.admins = value;
    else if (key == "client")
      row.clients = value;
    else if (key == "active")
      row.active = value != "False" && value != "false" && value != "0";
    else if (key == "priority") {
      try {
        row.priority = std::stoi(value);
      } catch (const std::exception&) {
        throw ApiError::bad_parameter("line " + std::to_string(line_number) +
                                      ": priority is a number");
      }
    }
    // eduMFA's other keys (name, adminrealm, edumfanode, time, conditions, ...) have no
    // Tessera meaning; an empty one changes nothing, a set one is refused.
    else if (!value.empty() && value != "[]" && value != "{}" && key != "name" &&
             key != "check_all_resolvers")
      throw ApiError::bad_parameter("policy '" + row.name + "': '" + key +
                                    "' is not supported by Tessera");
  }
  if (rows.size() > 1000) throw ApiError::bad_parameter("a file holds at most 1000 policies");
  for (const auto& row : rows) try {
      policy::parse_policy(row);
    } catch (const policy::PolicyError& e) {
      throw ApiError::bad_parameter("policy '" + row.name + "': " + e.what());
    }
  return rows;
}

}  // namespace

void add_policy_routes(http::Router& router, db::PolicyRepository& policies,
                       const AccessControl& access) {
  router.add(
      "GET", "/policy/",
      [&](http::RequestContext& c) {
        access.require_admin(c, "policyread");
        const auto scope = string_param(c, "scope", 32);
        boost::json::array list;
        for (const auto& p : policies.all())
          if (scope.empty() || p.scope == scope) list.push_back(policy_json(p));
        return json_result(list);
      },
      http::Access::authenticated);

  // The actions each scope knows, for forms (eduMFA: /policy/defs).
  router.add(
      "GET", "/policy/defs",
      [&](http::RequestContext& c) {
        access.require_admin(c, "policyread");
        boost::json::object defs;
        for (const auto scope :
             {policy::Scope::admin, policy::Scope::user, policy::Scope::enrollment,
              policy::Scope::authentication, policy::Scope::webui, policy::Scope::registration}) {
          boost::json::array actions;
          for (const auto& action : policy::known_actions(scope)) actions.push_back(action.c_str());
          defs[policy::scope_name(scope)] = std::move(actions);
        }
        return json_result(defs);
      },
      http::Access::authenticated);

  router.add(
      "GET", "/policy/defs/<scope>",
      [&](http::RequestContext& c) {
        access.require_admin(c, "policyread");
        const auto scope = policy::parse_scope(c.path_params.at("scope"));
        if (!scope)
          throw ApiError::not_found("no policy scope '" + c.path_params.at("scope") +
                                    "' (admin, user, enrollment, authentication, webui, register)");
        boost::json::object actions;
        for (const auto& action : policy::known_actions(*scope))
          actions[action] = boost::json::object{{"type", "str"}};
        return json_result(actions);
      },
      http::Access::authenticated);

  // Would these parameters match a policy that sets this action? (eduMFA's /policy/check)
  router.add(
      "GET", "/policy/check",
      [&](http::RequestContext& c) {
        access.require_admin(c, "policyread");
        const auto scope = policy::parse_scope(required_param(c, "scope", 32));
        if (!scope)
          throw ApiError::bad_parameter("unknown scope '" + string_param(c, "scope") + "'");
        const auto action = required_param(c, "action", 128);
        const policy::Subject subject{
            "", required_param(c, "user", 255), required_param(c, "realm", 64),
            string_param(c, "resolver", 64), string_param(c, "client", 64)};
        const auto engine = access.engine();
        boost::json::array matched;
        for (const auto& name : engine->matching(*scope, subject))
          for (const auto& row : policies.all())
            if (row.name == name && policy::parse_policy(row).actions.count(action))
              matched.push_back(policy_json(row));
        if (matched.empty())
          return json_result(
              boost::json::object{{"allowed", false}, {"info", "No policies found"}});
        return json_result(boost::json::object{{"allowed", true}, {"policy", std::move(matched)}});
      },
      http::Access::authenticated);

  // Every policy as a file (eduMFA's format, values as POST /policy/<name> takes them).
  router.add(
      "GET", "/policy/export/<file>",
      [&](http::RequestContext& c) {
        access.require_admin(c, "policyread");
        http::HttpResponse response;
        response.content_type = "text/plain; charset=utf-8";
        response.body = exported(policies.all());
        response.headers.emplace_back("Content-Disposition",
                                      "attachment; filename=\"policies.cfg\"");
        return response;
      },
      http::Access::authenticated);

  // A file as exported here or by eduMFA (parameter "file", as eduMFA's upload): every policy
  // is checked before any is stored; a policy of the same name is replaced.
  router.add(
      "POST", "/policy/import/<file>",
      [&](http::RequestContext& c) {
        access.require_admin(c, "policywrite");
        const auto rows = imported(required_param(c, "file", 1024 * 1024));
        for (const auto& row : rows) policies.save(row);
        c.audit.info = "imported " + std::to_string(rows.size()) + " policies from " +
                       c.path_params.at("file");
        return json_result(static_cast<int64_t>(rows.size()));
      },
      http::Access::authenticated);

  router.add(
      "GET", "/policy/<name>",
      [&](http::RequestContext& c) {
        access.require_admin(c, "policyread");
        const auto& name = c.path_params.at("name");
        for (const auto& p : policies.all())
          if (p.name == name) return json_result(boost::json::array{policy_json(p)});
        throw ApiError::not_found("no policy named '" + name + "'");
      },
      http::Access::authenticated);

  router.add(
      "POST", "/policy/<name>",
      [&](http::RequestContext& c) {
        access.require_admin(c, "policywrite");
        db::PolicyRow row{c.path_params.at("name"),
                          required_param(c, "scope", 32),
                          required_param(c, "action", 4096),
                          string_param(c, "realm", 4096),
                          string_param(c, "resolver", 4096),
                          string_param(c, "user", 4096),
                          string_param(c, "adminuser", 4096),
                          string_param(c, "client", 4096),
                          bool_param(c, "active", true),
                          int_param(c, "priority", 1, 1, 1000),
                          0};
        try {
          policy::parse_policy(row);
        } catch (const policy::PolicyError& e) {
          throw ApiError::bad_parameter(e.what());
        }
        refusing_stale([&] { policies.save(row, version_param(c)); });
        c.audit.info = "policy " + row.name;
        return json_result(boost::json::object{{"setPolicy " + row.name, 1}});
      },
      http::Access::authenticated);

  // eduMFA's /policy/enable/<name> and /policy/disable/<name>: the rest of the policy stays.
  for (const bool active : {true, false})
    router.add(
        "POST", active ? "/policy/enable/<name>" : "/policy/disable/<name>",
        [&, active](http::RequestContext& c) {
          access.require_admin(c, "policywrite");
          const auto& name = c.path_params.at("name");
          if (!policies.set_active(name, active))
            throw ApiError::not_found("no policy named '" + name + "'");
          c.audit.info = (active ? "enabled policy " : "disabled policy ") + name;
          return json_result(1);
        },
        http::Access::authenticated);

  router.add(
      "DELETE", "/policy/<name>",
      [&](http::RequestContext& c) {
        access.require_admin(c, "policydelete");
        if (!policies.remove(c.path_params.at("name")))
          throw ApiError::not_found("no policy named '" + c.path_params.at("name") + "'");
        return json_result(1);
      },
      http::Access::authenticated);
}

}  // namespace tessera::api
