// Authorization on every endpoint: loads the policies for a request and checks what its
// identity may do. Refusals are 403 with eduMFA's policy error code (303).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <memory>
#include <mutex>

#include "db/config_cache.hpp"
#include "server/http/router.hpp"
#include "server/policy/policy_engine.hpp"

namespace tessera::api {

class AccessControl {
 public:
  explicit AccessControl(db::ConfigCache& config) : config_(config) {}

  // The policies as they are now, parsed once per change.
  std::shared_ptr<const policy::PolicyEngine> engine() const;

  // The request's identity must be an admin whose policies grant action for users of realm
  // (empty: any realm). Records the matched policies in the audit details.
  void require_admin(http::RequestContext& c, std::string_view action,
                     const std::string& realm = "") const;
  // A user-scope policy's value for the logged-in user (nullopt: none sets it).
  std::optional<std::string> user_value(http::RequestContext& c, std::string_view action) const;
  // A logged-in user acts on her own data only: a user, realm or resolver parameter that names
  // anyone else is refused (403), never replaced by her own. Admins are not affected.
  void refuse_naming_others(const http::RequestContext& c) const;
  // What identity may do, for /auth's "rights" (eduMFA shows these to the WebUI).
  std::vector<std::string> rights(const auth::Identity& identity, const std::string& client) const;
  // A logged-in user may do action on their own data unless user policies say otherwise.
  bool user_may(http::RequestContext& c, std::string_view action) const;
  // As user_may, but only a user policy that grants action allows it.
  bool user_explicitly_may(http::RequestContext& c, std::string_view action) const;

 private:
  db::ConfigCache& config_;
  mutable std::mutex mutex_;
  mutable std::shared_ptr<const db::ConfigSnapshot> parsed_from_;
  mutable std::shared_ptr<const policy::PolicyEngine> engine_;
};

}  // namespace tessera::api
