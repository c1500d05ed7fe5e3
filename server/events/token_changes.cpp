#include "server/events/token_changes.hpp"
#include "server/util/json_fields.hpp"

#include <algorithm>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <vector>

#include <boost/json.hpp>

namespace tessera::events {
namespace {

using util::text;

// Entries the server relies on are not an event handler's to change.
bool reserved_info(const std::string& key) {
  static const char* const reserved[] = {"certificate",
                                         "certificate_serial",
                                         "ca",
                                         "external_ca",
                                         "ca_request_id",
                                         "certificate_request",
                                         "requested",
                                         "profile",
                                         "validity_days",
                                         "not_after",
                                         "hashlib",
                                         "timeStep",
                                         "timeShift",
                                         "tokenkind",
                                         "issuing_since",
                                         "next_poll_at",
                                         "poll_delay",
                                         "subject",
                                         "issuer",
                                         "decided_by",
                                         "attestation"};
  return std::find(std::begin(reserved), std::end(reserved), key) != std::end(reserved);
}

// The serial of the token the delivery's event concerns, or empty.
std::string event_serial(const boost::json::object& request) {
  const auto* event = request.if_contains("event");
  if (!event || !event->is_object()) return {};
  const auto* token = event->get_object().if_contains("token");
  return token && token->is_object() ? text(token->get_object(), "serial") : std::string();
}

}  // namespace

void TokenChanges::apply(const boost::json::object& request, const boost::json::object& result) {
  const auto* changes = result.if_contains("token_changes");
  if (!changes) return;
  if (!changes->is_array()) throw std::invalid_argument("token_changes is not a list");
  const auto allowed = event_serial(request);
  std::optional<db::TokenRow> token;     // the event's token, the only one a change may touch
  std::vector<db::TokenChange> checked;  // all checked first: made all or none
  for (const auto& item : changes->get_array()) {
    if (!item.is_object()) throw std::invalid_argument("a token change is not an object");
    const auto& change = item.get_object();
    const auto serial = text(change, "serial");
    const auto what = text(change, "change");
    if (serial.empty() || serial != allowed)
      throw std::invalid_argument("a token change may touch only the token of its event (" +
                                  (allowed.empty() ? std::string("none") : allowed) + "), not '" +
                                  serial + "'");
    if (!token) token = tokens_.find(serial);
    if (!token) throw std::invalid_argument("token " + serial + " does not exist");
    db::TokenChange c;
    c.serial = serial;
    if (what == "revoke") {
      auto reason = text(change, "reason");
      if (reason.empty()) reason = "unspecified";
      if (!ca::known_revocation_reason(reason))
        throw std::invalid_argument("'" + reason + "' is not an RFC 5280 revocation reason");
      c.kind = db::TokenChange::Kind::revoke;
      c.note = {"event handler", reason};
    } else if (what == "set_tokeninfo") {
      c.kind = db::TokenChange::Kind::set_info;
      c.key = text(change, "key");
      c.value = text(change, "value");
      if (reserved_info(c.key))
        throw std::invalid_argument("token info '" + c.key + "' is the server's, not a handler's");
    } else if (what == "disable" || what == "enable") {
      c.kind = what == "enable" ? db::TokenChange::Kind::enable : db::TokenChange::Kind::disable;
    } else {
      throw std::invalid_argument("unknown token change '" + what + "'");
    }
    checked.push_back(std::move(c));
  }
  if (checked.empty()) return;
  const bool revoked_now = !tokens_.apply(checked).empty();
  // The CA is told once, after the commit (it is not part of the transaction). Also when an
  // earlier attempt revoked the token but not yet its certificate: revoking again is harmless.
  const auto revoke = std::find_if(checked.begin(), checked.end(), [](const db::TokenChange& c) {
    return c.kind == db::TokenChange::Kind::revoke;
  });
  if (revoke != checked.end() && (revoked_now || token->revoked))
    issuer_.revoke(*token, revoke->note.reason);
}

}  // namespace tessera::events
