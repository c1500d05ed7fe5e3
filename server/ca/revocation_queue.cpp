#include "server/ca/revocation_queue.hpp"

#include <stdexcept>

#include <spdlog/spdlog.h>
#include <boost/json/serialize.hpp>

#include "server/plugins/component_instance.hpp"
#include "server/util/clock.hpp"

namespace tessera::ca {

boost::json::object QueuedRevocation::to_json() const {
  // "event" as the outbox listing reads it: what happened, to which token.
  return {{"event", {{"event", "certificate_revocation"}, {"token", {{"serial", token_serial}}}}},
          {"ca", ca},
          {"certificate_serial", certificate_serial},
          {"reason", reason}};
}

QueuedRevocation QueuedRevocation::from_json(const boost::json::object& request) {
  const auto text = [&](const char* key) {
    const auto* value = request.if_contains(key);
    if (!value || !value->is_string())
      throw std::invalid_argument(std::string("a queued revocation without ") + key);
    return std::string(value->get_string());
  };
  const auto* event = request.if_contains("event");
  const auto* token =
      event && event->is_object() ? event->as_object().if_contains("token") : nullptr;
  const auto* serial =
      token && token->is_object() ? token->as_object().if_contains("serial") : nullptr;
  if (!serial || !serial->is_string())
    throw std::invalid_argument("a queued revocation without its token");
  return {text("ca"), text("certificate_serial"), std::string(serial->get_string()),
          text("reason")};
}

std::string RevocationQueue::revoke(const QueuedRevocation& revocation,
                                    const std::function<std::string()>& tell_ca) {
  const auto now = util::unix_milliseconds();
  db::OutboxRow row;
  row.handler = "certificate revocation";
  row.notifier = kNotifier;
  row.action = kAction;
  row.request = boost::json::serialize(revocation.to_json());
  const auto id = outbox_.enqueue_claimed(row, now, now + lease_.count());
  try {
    auto note = tell_ca();
    outbox_.delivered(id, 1, util::unix_milliseconds());
    return note;
  } catch (const std::exception& e) {
    // As the outbox worker judges a failure: what retrying cannot fix is dead at once.
    const bool permanent = plugins::retrying_cannot_fix(e);
    outbox_.failed(id, 1, e.what(), util::unix_milliseconds() + retry_base_.count(), permanent);
    if (permanent)
      return "the CA refused to revoke certificate " + revocation.certificate_serial + " (" +
             e.what() + "): delivery " + std::to_string(id) + " is dead, retry it from the outbox";
    spdlog::warn(
        "certificate {} of token {}: CA '{}' could not revoke it, retried as delivery "
        "{}: {}",
        revocation.certificate_serial, revocation.token_serial, revocation.ca, id, e.what());
    return "the CA could not revoke certificate " + revocation.certificate_serial + " yet (" +
           e.what() + "): retried from the outbox (delivery " + std::to_string(id) + ")";
  }
}

}  // namespace tessera::ca
