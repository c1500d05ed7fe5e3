#include "server/events/token_changes.hpp"

#include <algorithm>
#include <iterator>
#include <stdexcept>
#include <vector>

#include <boost/json.hpp>

namespace tessera::events {
namespace {

std::string text(const boost::json::object& object, const char* key) {
  const auto* value = object.if_contains(key);
  return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

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
  // All checked first: a delivery's changes are made all or none.
  struct Checked {
    db::TokenRow token;
    std::string what, reason, key, value;
  };
  std::vector<Checked> checked;
  for (const auto& item : changes->get_array()) {
    if (!item.is_object()) throw std::invalid_argument("a token change is not an object");
    const auto& change = item.get_object();
    const auto serial = text(change, "serial");
    const auto what = text(change, "change");
    if (serial.empty() || serial != allowed)
      throw std::invalid_argument("a token change may touch only the token of its event (" +
                                  (allowed.empty() ? std::string("none") : allowed) + "), not '" +
                                  serial + "'");
    auto token = tokens_.find(serial);
    if (!token) throw std::invalid_argument("token " + serial + " does not exist");
    Checked c{*token, what, text(change, "reason"), text(change, "key"), text(change, "value")};
    if (what == "revoke") {
      if (c.reason.empty()) c.reason = "unspecified";
      if (!ca::known_revocation_reason(c.reason))
        throw std::invalid_argument("'" + c.reason + "' is not an RFC 5280 revocation reason");
    } else if (what == "set_tokeninfo") {
      if (reserved_info(c.key))
        throw std::invalid_argument("token info '" + c.key + "' is the server's, not a handler's");
    } else if (what != "disable" && what != "enable") {
      throw std::invalid_argument("unknown token change '" + what + "'");
    }
    checked.push_back(std::move(c));
  }
  std::vector<db::TokenChange> changes_of_delivery;
  for (const auto& c : checked) {
    db::TokenChange change;
    change.serial = c.token.serial;
    if (c.what == "enable") change.kind = db::TokenChange::Kind::enable;
    if (c.what == "disable") change.kind = db::TokenChange::Kind::disable;
    if (c.what == "revoke") {
      change.kind = db::TokenChange::Kind::revoke;
      change.note = {"event handler", c.reason};
    }
    if (c.what == "set_tokeninfo") {
      change.kind = db::TokenChange::Kind::set_info;
      change.key = c.key;
      change.value = c.value;
    }
    changes_of_delivery.push_back(std::move(change));
  }
  const auto revoked = tokens_.apply(changes_of_delivery);
  // The CA is told after the commit (it is not part of the transaction). Also when an earlier
  // attempt revoked the token but not yet its certificate: revoking at the CA again is harmless.
  for (const auto& c : checked) {
    if (c.what != "revoke") continue;
    const bool now = std::find(revoked.begin(), revoked.end(), c.token.serial) != revoked.end();
    if (now || c.token.revoked) issuer_.revoke(c.token, c.reason);
  }
}

}  // namespace tessera::events
