#include "server/events/token_changes.hpp"

#include <algorithm>
#include <iterator>
#include <optional>
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
  for (auto& c : checked) {
    const auto& serial = c.token.serial;
    if (c.what == "disable" || c.what == "enable") {
      tokens_.set_active(serial, c.what == "enable");
    } else if (c.what == "revoke") {
      // Also when an earlier attempt revoked the token but not yet its certificate (the CA was
      // unreachable): revoking at the CA again is harmless.
      if (tokens_.revoke(serial, {"event handler", c.reason}) || c.token.revoked)
        issuer_.revoke(c.token, c.reason);
    } else {
      // Compare and set on the info, so that a change made meanwhile is not overwritten.
      std::optional<db::TokenRow> token = c.token;
      for (int attempt = 0; attempt < 5 && token; ++attempt) {
        boost::system::error_code ec;
        auto info = boost::json::parse(token->info, ec);
        if (ec || !info.is_object()) info = boost::json::object();
        info.as_object()[c.key] = c.value;
        if (tokens_.claim(serial, token->rollout_state, token->info, boost::json::serialize(info)))
          break;
        token = tokens_.find(serial);
      }
    }
  }
}

}  // namespace tessera::events
