// Delivers what the outbox holds, in the background: claims each due delivery for a lease,
// runs its notification action, and records the outcome. A failure worth retrying comes back
// after a growing pause (retry_base, doubled each time, at most an hour); after max_attempts,
// or at once for a refusal that retrying cannot fix, the delivery is dead, for admins to list
// and retry. A delivery whose process died mid-way is taken again when its lease ends.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>

#include <boost/json/object.hpp>

#include "db/event_repository.hpp"
#include "server/plugins/configured_components.hpp"

namespace tessera::events {

struct OutboxSettings {
  std::chrono::milliseconds retry_base{5000};
  int max_attempts = 10;
  // Longer than any action may take: the host gives up on a notification call at its deadline
  // (plugins.deadlines.notification_ms), so a claim runs out only when its process died.
  std::chrono::milliseconds lease{40000};
};

class OutboxWorker {
 public:
  // apply: carries out what an action asks of the host ({"token_changes": [...]} from
  // token_action); throws std::invalid_argument for what cannot be done.
  // Gets the delivery's request (the event it is about) and the notifier's result.
  using ResultHandler =
      std::function<void(const boost::json::object& request, const boost::json::object& result)>;

  OutboxWorker(db::EventRepository& events, plugins::ConfiguredComponents& notifiers,
               OutboxSettings settings, ResultHandler apply)
      : events_(events), notifiers_(notifiers), settings_(settings), apply_(std::move(apply)) {}

  // Deliveries whose notifier column names action are the host's own (such as a certificate
  // revocation, "@ca"): run gets their request and throws when the attempt failed
  // (std::invalid_argument: for good). Set before the worker runs.
  // lease: how long a claim of one lasts (longer than the action may take).
  using HostAction = std::function<void(const boost::json::object& request)>;
  void add_host_action(std::string action, HostAction run, std::chrono::milliseconds lease) {
    host_actions_[std::move(action)] = {std::move(run), lease};
  }

  // Delivers what is due; returns how many were delivered.
  int run_once();

 private:
  std::map<std::string, std::pair<HostAction, std::chrono::milliseconds>> host_actions_;
  db::EventRepository& events_;
  plugins::ConfiguredComponents& notifiers_;
  OutboxSettings settings_;
  ResultHandler apply_;
};

}  // namespace tessera::events
