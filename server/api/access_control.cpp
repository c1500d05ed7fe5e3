// Policies come from the configuration cache, which sees a change made on any node at the next
// request.
#include "server/api/access_control.hpp"

#include "server/api/api_error.hpp"

namespace tessera::api {
namespace {

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

}  // namespace

std::shared_ptr<const policy::PolicyEngine> AccessControl::engine() const {
  auto snapshot = config_.current();
  std::lock_guard lock(mutex_);
  if (snapshot != parsed_from_) {
    std::vector<policy::Policy> parsed;
    for (const auto& row : snapshot->policies) parsed.push_back(policy::parse_policy(row));
    engine_ = std::make_shared<const policy::PolicyEngine>(std::move(parsed));
    parsed_from_ = snapshot;
  }
  return engine_;
}

void AccessControl::require_admin(http::RequestContext& c, std::string_view action,
                                  const std::string& realm) const {
  if (!c.identity || !c.identity->is_admin())
    throw ApiError(403, 303, "this needs an admin (" + std::string(action) + ")");
  const policy::Subject subject{c.identity->username, "", realm, "", c.request.remote_address};
  const auto engine_now = this->engine();
  const auto& engine = *engine_now;
  c.audit.policies = join(engine.matching(policy::Scope::admin, subject));
  if (!engine.allowed(policy::Scope::admin, action, subject))
    throw ApiError(403, 303,
                   "admin policies do not allow '" + std::string(action) + "' for " +
                       c.identity->username + (realm.empty() ? "" : " in realm " + realm));
}

std::vector<std::string> AccessControl::rights(const auth::Identity& identity,
                                               const std::string& client) const {
  const policy::Subject subject =
      identity.is_admin() ? policy::Subject{identity.username, "", "", "", client}
                          : policy::Subject{"", identity.username, identity.realm, "", client};
  return engine()->granted(identity.is_admin() ? policy::Scope::admin : policy::Scope::user,
                           subject);
}

bool AccessControl::user_may(http::RequestContext& c, std::string_view action) const {
  if (!c.identity || c.identity->is_admin()) return false;
  const policy::Subject subject{"", c.identity->username, c.identity->realm, "",
                                c.request.remote_address};
  const auto engine_now = this->engine();
  const auto& engine = *engine_now;
  c.audit.policies = join(engine.matching(policy::Scope::user, subject));
  return engine.allowed(policy::Scope::user, action, subject);
}

bool AccessControl::user_explicitly_may(http::RequestContext& c, std::string_view action) const {
  if (!c.identity || c.identity->is_admin()) return false;
  const policy::Subject subject{"", c.identity->username, c.identity->realm, "",
                                c.request.remote_address};
  const auto engine = this->engine();
  c.audit.policies = join(engine->matching(policy::Scope::user, subject));
  return engine->explicitly_allowed(policy::Scope::user, action, subject);
}

std::optional<std::string> AccessControl::user_value(http::RequestContext& c,
                                                     std::string_view action) const {
  if (!c.identity || c.identity->is_admin()) return std::nullopt;
  const policy::Subject subject{"", c.identity->username, c.identity->realm, "",
                                c.request.remote_address};
  return engine()->value(policy::Scope::user, action, subject);
}

void AccessControl::refuse_naming_others(const http::RequestContext& c) const {
  if (!c.identity || c.identity->is_admin()) return;
  const auto& me = *c.identity;
  for (const auto& [name, own] : {std::pair<const char*, const std::string*>{"user", &me.username},
                                  {"realm", &me.realm},
                                  {"resolver", &me.resolver}}) {
    const auto* value = c.params.if_contains(name);
    if (!value) continue;
    const bool same = value->is_string() && (value->get_string().empty() ||
                                             std::string_view(value->get_string()) == *own);
    if (!same)
      throw ApiError(403, 303,
                     std::string("you can act only on your own account: '") + name +
                         "' names another " + name);
  }
}

}  // namespace tessera::api
