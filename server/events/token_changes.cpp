#include "server/events/token_changes.hpp"

#include <algorithm>
#include <iterator>
#include <stdexcept>

#include <boost/json.hpp>

namespace tessera::events {
namespace {

std::string text(const boost::json::object& object, const char* key) {
  const auto* value = object.if_contains(key);
  return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

}  // namespace

void TokenChanges::apply(const boost::json::object& result) {
  const auto* changes = result.if_contains("token_changes");
  if (!changes || !changes->is_array()) return;
  for (const auto& item : changes->get_array()) {
    if (!item.is_object()) throw std::invalid_argument("a token change is not an object");
    const auto& change = item.get_object();
    const auto serial = text(change, "serial");
    const auto what = text(change, "change");
    auto token = tokens_.find(serial);
    if (!token) throw std::invalid_argument("token " + serial + " does not exist");
    if (what == "disable") {
      tokens_.set_active(serial, false);
    } else if (what == "enable") {
      tokens_.set_active(serial, true);
    } else if (what == "revoke") {
      auto reason = text(change, "reason");
      if (reason.empty()) reason = "unspecified";
      if (!ca::known_revocation_reason(reason))
        throw std::invalid_argument("'" + reason + "' is not an RFC 5280 revocation reason");
      // Also when an earlier attempt revoked the token but not yet its certificate (the CA was
      // unreachable): revoking at the CA again is harmless.
      if (tokens_.revoke(serial, {"event handler", reason}) || token->revoked)
        issuer_.revoke(*token, reason);
    } else if (what == "set_tokeninfo") {
      // Entries the server relies on are not an event handler's to change.
      static const char* const reserved[] = {"certificate",
                                             "certificate_serial",
                                             "ca",
                                             "external_ca",
                                             "ca_request_id",
                                             "certificate_request",
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
      const auto key = text(change, "key");
      if (std::find(std::begin(reserved), std::end(reserved), key) != std::end(reserved))
        throw std::invalid_argument("token info '" + key + "' is the server's, not a handler's");
      // Compare and set on the info, so that a change made meanwhile is not overwritten.
      for (int attempt = 0; attempt < 5 && token; ++attempt) {
        boost::system::error_code ec;
        auto info = boost::json::parse(token->info, ec);
        if (ec || !info.is_object()) info = boost::json::object();
        info.as_object()[text(change, "key")] = text(change, "value");
        if (tokens_.claim(serial, token->rollout_state, token->info, boost::json::serialize(info)))
          break;
        token = tokens_.find(serial);
      }
    } else {
      throw std::invalid_argument("unknown token change '" + what + "'");
    }
  }
}

}  // namespace tessera::events
