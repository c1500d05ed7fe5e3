// Decides what a request may do from the policies that match it.
//
// Semantics (eduMFA's): in the admin and user scopes, when no active policy of the scope
// exists, everything is allowed; as soon as one exists, only the actions that a matching policy
// grants are. Value actions (otppin=userstore) come from the matching policy with the lowest
// priority number.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/policy/policy.hpp"

namespace tessera::policy {

// Who asks, about whom, from where.
struct Subject {
  std::string admin;  // the logged-in admin, if any
  std::string user;   // the user acted on (or the logged-in user)
  std::string realm;
  std::string resolver;
  std::string client;  // IP address
};

class PolicyEngine {
 public:
  explicit PolicyEngine(std::vector<Policy> policies) : policies_(std::move(policies)) {}

  bool allowed(Scope scope, std::string_view action, const Subject& subject) const;
  // Only a matching active policy grants action here, even while the scope has none (for
  // rights too risky to hand out by default, such as a user resetting their fail counter).
  bool explicitly_allowed(Scope scope, std::string_view action, const Subject& subject) const;
  std::optional<std::string> value(Scope scope, std::string_view action,
                                   const Subject& subject) const;
  // The actions the subject may use in scope somewhere: every known one while the scope has no
  // active policy, else those its policies grant, whatever realm they are limited to (sorted).
  std::vector<std::string> granted(Scope scope, const Subject& subject) const;
  // Names of the policies that matched the subject in scope (for the audit log).
  std::vector<std::string> matching(Scope scope, const Subject& subject) const;

 private:
  bool matches(const Policy& policy, const Subject& subject, bool any_realm = false) const;
  std::vector<Policy> policies_;
};

// Whether ip lies in network ("10.0.0.0/8", "::1", "192.168.1.7").
bool in_network(const std::string& ip, const std::string& network);
bool is_network(const std::string& network);

}  // namespace tessera::policy
