// Revocations reach their CA even while it is down: each one is written to the outbox, as a
// delivery of the host's own action "@ca", before the CA is called. It is marked delivered when
// the call succeeds; otherwise the outbox worker retries it like a notification (growing pauses,
// dead after max_attempts, listed in GET /event/outbox and retried by an admin from there). If
// the process dies during the call, the delivery's lease runs out and a worker takes it over.
// Telling a CA twice is harmless: a revoked certificate stays revoked.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include <boost/json/object.hpp>

#include "db/event_repository.hpp"

namespace tessera::ca {

struct QueuedRevocation {
  std::string ca, certificate_serial, token_serial, reason;

  boost::json::object to_json() const;
  // Throws std::invalid_argument for a request that is not one.
  static QueuedRevocation from_json(const boost::json::object& request);
};

class RevocationQueue {
 public:
  static constexpr const char* kNotifier = "@ca";  // not a name an admin can give a notifier
  static constexpr const char* kAction = "revoke";

  RevocationQueue(db::EventRepository& outbox, std::chrono::milliseconds retry_base,
                  std::chrono::milliseconds lease)
      : outbox_(outbox), retry_base_(retry_base), lease_(lease) {}

  // Queues the revocation and makes its first attempt with tell_ca (which throws when the CA
  // fails, and returns a note for the audit row, or ""). Returns tell_ca's note when it went
  // through, else what the audit row says.
  std::string revoke(const QueuedRevocation& revocation,
                     const std::function<std::string()>& tell_ca);

 private:
  db::EventRepository& outbox_;
  std::chrono::milliseconds retry_base_, lease_;
};

}  // namespace tessera::ca
