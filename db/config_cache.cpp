#include "db/config_cache.hpp"

#include <atomic>

#include <soci/soci.h>

namespace tessera::db {
namespace {

// Read before every request's use of the cache: prepared once per connection.
struct VersionQuery {
  long long version = 0;
  soci::statement statement;
  explicit VersionQuery(soci::session& sql)
      : statement((sql.prepare << "SELECT version FROM config_version WHERE id = 1",
                   soci::into(version))) {}
};

// Changes made by this process (bump_config_version): a request's remembered snapshot is kept
// only while this has not moved, so a request sees its own change at once.
std::atomic<unsigned long long> local_changes{0};

// The snapshot the current request read first, if a RequestScope is open on this thread.
struct RequestMemo {
  bool open = false;
  const ConfigCache* cache = nullptr;
  unsigned long long changes = 0;
  std::shared_ptr<const ConfigSnapshot> snapshot;
};
thread_local RequestMemo request_memo;

}  // namespace

ConfigCache::RequestScope::RequestScope() {
  request_memo = RequestMemo{.open = true};
}

ConfigCache::RequestScope::~RequestScope() {
  request_memo = RequestMemo{};
}

const RealmRow* ConfigSnapshot::realm(const std::string& name) const {
  for (const auto& r : realms)
    if (r.name == name) return &r;
  return nullptr;
}

const RealmRow* ConfigSnapshot::default_realm() const {
  for (const auto& r : realms)
    if (r.is_default) return &r;
  return nullptr;
}

const ResolverRow* ConfigSnapshot::resolver(const std::string& name) const {
  for (const auto& r : resolvers)
    if (r.name == name) return &r;
  return nullptr;
}

std::shared_ptr<const ConfigSnapshot> ConfigCache::current() {
  auto& memo = request_memo;
  const auto changes = local_changes.load();
  if (memo.open && memo.cache == this && memo.changes == changes && memo.snapshot)
    return memo.snapshot;
  auto snapshot = load();
  if (memo.open) memo = {.open = true, .cache = this, .changes = changes, .snapshot = snapshot};
  return snapshot;
}

std::shared_ptr<const ConfigSnapshot> ConfigCache::load() {
  const long long version = database_.with_session([&](soci::session& sql) {
    auto& query = database_.prepared<VersionQuery>(sql);
    return Database::fetch_one(query.statement, [&] { return query.version; }).value_or(0);
  });
  {
    std::lock_guard lock(mutex_);
    if (snapshot_ && snapshot_->version == version) return snapshot_;
  }
  // Read after the version: the rows are at least as new as it says (a newer change makes the
  // next call load again).
  auto fresh = std::make_shared<ConfigSnapshot>();
  fresh->version = version;
  fresh->policies = policies_.all();
  fresh->realms = identities_.realms();
  fresh->resolvers = identities_.resolvers();
  if (event_handlers_) fresh->event_handlers = event_handlers_->all();
  std::lock_guard lock(mutex_);
  if (!snapshot_ || snapshot_->version <= version) snapshot_ = fresh;
  return fresh;
}

void bump_config_version(soci::session& sql) {
  ++local_changes;
  sql << "UPDATE config_version SET version = version + 1 WHERE id = 1";
}

}  // namespace tessera::db
