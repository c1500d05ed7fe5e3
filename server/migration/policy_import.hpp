// eduMFA's and privacyIDEA's policies (tables policy and policycondition): those whose scope
// Tessera has come over with the actions Tessera knows (the others are named); a policy whose
// meaning would change here (a time restriction, conditions, an admin realm) is listed instead.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <soci/session.h>

#include "db/database_url.hpp"
#include "db/policy_repository.hpp"

namespace tessera::migration {

struct EduMfaPolicy {
  std::string name, scope, action, realm, adminrealm, adminuser, resolver, user, client, time;
  bool active = true;
  int priority = 1;
  int conditions = 0;
};

std::vector<EduMfaPolicy> read_edumfa_policies(const db::DatabaseUrl& source);

struct PolicyImportPlan {
  std::vector<db::PolicyRow> policies;                       // to add
  std::vector<std::pair<std::string, std::string>> skipped;  // "policy x", why
  std::vector<std::pair<std::string, std::string>> notes;
};

PolicyImportPlan plan_policy_import(const std::vector<EduMfaPolicy>& found,
                                    const std::function<bool(const std::string&)>& known_policy);

// Inside the import's transaction; how many were added.
int write_policy_import(soci::session& sql, const PolicyImportPlan& plan);

}  // namespace tessera::migration
