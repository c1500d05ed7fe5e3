// Realms, resolvers, policies and event handlers change rarely but every request reads them. They
// are kept in memory and reloaded when the counter in config_version has moved: every change to
// them increments it in the change's own transaction, so a change made on any node applies to the
// next request on every node, for the price of one tiny SELECT per request (a RequestScope keeps
// the version a request read first for the rest of it).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <soci/session.h>

#include "db/database.hpp"
#include "db/event_handler_repository.hpp"
#include "db/identity_repository.hpp"
#include "db/policy_repository.hpp"

namespace tessera::db {

struct ConfigSnapshot {
  long long version = -1;
  std::vector<PolicyRow> policies;
  std::vector<RealmRow> realms;
  std::vector<ResolverRow> resolvers;
  std::vector<EventHandlerRow> event_handlers;  // in their order

  const RealmRow* realm(const std::string& name) const;
  const RealmRow* default_realm() const;
  const ResolverRow* resolver(const std::string& name) const;
};

class ConfigCache {
 public:
  ConfigCache(Database& database, IdentityRepository& identities, PolicyRepository& policies,
              EventHandlerRepository* event_handlers = nullptr)
      : database_(database),
        identities_(identities),
        policies_(policies),
        event_handlers_(event_handlers) {}

  // The current configuration; the same object until something changes.
  std::shared_ptr<const ConfigSnapshot> current();

  // While one lives on a thread, current() reads config_version once and answers that snapshot
  // again (a check used to read it four times: one round trip each on PostgreSQL), until a
  // change made in this process moves it. One per request, on the thread that handles it.
  class RequestScope {
   public:
    RequestScope();
    ~RequestScope();
    RequestScope(const RequestScope&) = delete;
    RequestScope& operator=(const RequestScope&) = delete;
  };

 private:
  std::shared_ptr<const ConfigSnapshot> load();

  Database& database_;
  IdentityRepository& identities_;
  PolicyRepository& policies_;
  EventHandlerRepository* event_handlers_;
  std::mutex mutex_;
  std::shared_ptr<const ConfigSnapshot> snapshot_;
};

// Call inside the transaction of every change to realms, resolvers, policies or event handlers.
void bump_config_version(soci::session& sql);

}  // namespace tessera::db
