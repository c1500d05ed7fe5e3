#include "server/events/outbox_worker.hpp"

#include <algorithm>
#include <stdexcept>

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include "server/plugins/component_instance.hpp"
#include "server/util/clock.hpp"

namespace tessera::events {
int OutboxWorker::run_once() {
  int delivered = 0;
  for (const auto& row : events_.due(util::unix_milliseconds(), 50)) {
    const long long now = util::unix_milliseconds();
    const int attempt = row.attempts + 1;
    const auto host = host_actions_.find(row.notifier);
    const auto lease = host != host_actions_.end() ? host->second.second : settings_.lease;
    if (!events_.claim(row.id, attempt, now, now + lease.count())) continue;
    auto fail = [&](const std::string& error, bool permanent) {
      const bool dead = permanent || attempt >= settings_.max_attempts;
      const long long pause = std::min<long long>(
          3600000, settings_.retry_base.count() * (1LL << std::min(attempt - 1, 20)));
      events_.failed(row.id, attempt, error, util::unix_milliseconds() + pause, dead);
      spdlog::warn("delivery {} ({} -> {}) failed, attempt {}{}: {}", row.id, row.handler,
                   row.notifier, attempt, dead ? ", now dead" : "", error);
    };
    try {
      if (host != host_actions_.end()) {
        host->second.first(boost::json::parse(row.request).as_object());
        events_.delivered(row.id, attempt, util::unix_milliseconds());
        ++delivered;
        continue;
      }
      auto notifier = notifiers_.instance(row.notifier);
      if (!notifier) {
        fail("the notification action '" + row.notifier + "' is gone", true);
        continue;
      }
      auto request = boost::json::parse(row.request).as_object();
      request["delivery"] = std::to_string(row.id);
      auto result = notifier->call(plugins::Operation::execute, request);
      if (apply_) apply_(request, result);
      events_.delivered(row.id, attempt, util::unix_milliseconds());
      ++delivered;
    } catch (const std::exception& e) {
      fail(e.what(), plugins::retrying_cannot_fix(e));
    }
  }
  return delivered;
}

}  // namespace tessera::events
