// Policies as eduMFA defines them: a scope, actions (name or name=value), and conditions on
// realm, resolver, user, admin and client network. Empty conditions match everything.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "db/policy_repository.hpp"

namespace tessera::policy {

// registration is eduMFA's scope "register" (a keyword in C++).
enum class Scope { admin, user, enrollment, authentication, webui, registration };

std::optional<Scope> parse_scope(std::string_view name);
const char* scope_name(Scope scope);

struct Policy {
  std::string name;
  Scope scope = Scope::admin;
  std::map<std::string, std::string> actions;  // "enrollHOTP" -> "", "otppin" -> "userstore"
  std::vector<std::string> realms, resolvers, users, admins, clients;
  bool active = true;
  int priority = 1;  // lower wins when two policies give one action different values
};

class PolicyError : public std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// Parses and validates a stored or submitted policy; throws PolicyError saying what to fix
// (unknown scope or action, a malformed client network).
Policy parse_policy(const db::PolicyRow& row);

// A stored policy's fields under eduMFA's names (scope, action, realm, resolver, user,
// adminuser, client, active as True/False, priority), in that order, for files and documents.
std::vector<std::pair<std::string, std::string>> policy_fields(const db::PolicyRow& row);

// The actions each scope knows, for validation and for the README.
const std::vector<std::string>& known_actions(Scope scope);

}  // namespace tessera::policy
