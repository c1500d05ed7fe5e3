#include "server/migration/policy_import.hpp"

#include <soci/soci.h>

#include <functional>
#include <map>
#include <stdexcept>

#include "server/migration/source_rows.hpp"
#include "server/policy/policy.hpp"
#include "server/util/comma_list.hpp"

namespace tessera::migration {

std::vector<EduMfaPolicy> read_edumfa_policies(const db::DatabaseUrl& source) {
  soci::session sql;
  open_source(sql, source);
  std::vector<EduMfaPolicy> found;
  try {
    std::map<long long, size_t> at;
    soci::rowset<soci::row> rows =
        sql.prepare << "SELECT id, name, scope, action, realm, adminrealm, adminuser, resolver, "
                       "\"user\", client, time, active, priority FROM policy ORDER BY name";
    for (const auto& r : rows) {
      at[number_at(r, 0, 0)] = found.size();
      found.push_back({text_at(r, 1), text_at(r, 2), text_at(r, 3), text_at(r, 4), text_at(r, 5),
                       text_at(r, 6), text_at(r, 7), text_at(r, 8), text_at(r, 9), text_at(r, 10),
                       number_at(r, 11, 1) != 0, static_cast<int>(number_at(r, 12, 1)), 0});
    }
    soci::rowset<soci::row> conditions = sql.prepare << "SELECT policy_id FROM policycondition";
    for (const auto& r : conditions)
      if (auto it = at.find(number_at(r, 0, 0)); it != at.end()) ++found[it->second].conditions;
  } catch (const soci::soci_error& e) {
    throw std::runtime_error(
        "not an eduMFA or privacyIDEA database (the tables policy and policycondition are "
        "read): " +
        std::string(e.get_error_message()));
  }
  return found;
}

PolicyImportPlan plan_policy_import(const std::vector<EduMfaPolicy>& found,
                                    const std::function<bool(const std::string&)>& known_policy) {
  PolicyImportPlan plan;
  for (const auto& p : found) {
    const auto which = "policy " + p.name;
    const auto skip = [&](const std::string& why) { plan.skipped.emplace_back(which, why); };
    if (known_policy(p.name)) {
      plan.notes.emplace_back(which, "one of that name is here already: left as it is");
      continue;
    }
    const auto scope = policy::parse_scope(p.scope);
    if (!scope) {
      skip("scope " + p.scope +
           ": Tessera's scopes are admin, user, enrollment, "
           "authentication, webui and register");
      continue;
    }
    // Brought over without them, the policy would apply where eduMFA did not apply it.
    if (!p.time.empty()) {
      skip("it applies only at times (" + p.time + "), which Tessera's policies do not know");
      continue;
    }
    if (p.conditions > 0) {
      skip("it has " + std::to_string(p.conditions) +
           " extended conditions, which Tessera's policies do not know");
      continue;
    }
    if (!p.adminrealm.empty()) {
      skip("it is restricted to admins of realm " + p.adminrealm + ", which Tessera does not know");
      continue;
    }
    std::string actions, dropped;
    for (const auto& item : util::split_comma_list(p.action)) {
      const auto name = util::trim(std::string_view(item).substr(0, item.find('=')));
      const auto& known = policy::known_actions(*scope);
      const bool enroll_type = (*scope == policy::Scope::admin || *scope == policy::Scope::user) &&
                               name.size() > 6 && name.rfind("enroll", 0) == 0;
      if (enroll_type || std::find(known.begin(), known.end(), name) != known.end())
        actions += (actions.empty() ? "" : ", ") + item;
      else
        dropped += (dropped.empty() ? "" : ", ") + name;
    }
    if (actions.empty()) {
      skip("none of its actions (" + dropped + ") is known here");
      continue;
    }
    db::PolicyRow row{p.name,      p.scope,  actions,  p.realm,    p.resolver, p.user,
                      p.adminuser, p.client, p.active, p.priority, 0};
    try {
      policy::parse_policy(row);  // what the admin API would refuse is refused here too
    } catch (const std::exception& e) {
      skip(e.what());
      continue;
    }
    if (!dropped.empty())
      plan.notes.emplace_back(which, "without the actions not known here: " + dropped);
    plan.policies.push_back(std::move(row));
  }
  return plan;
}

int write_policy_import(soci::session& sql, const PolicyImportPlan& plan) {
  int added = 0;
  for (const auto& row : plan.policies) added += db::PolicyRepository::add_in(sql, row) ? 1 : 0;
  return added;
}

}  // namespace tessera::migration
