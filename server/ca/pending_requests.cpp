#include "server/ca/pending_requests.hpp"

#include <algorithm>
#include <ctime>
#include <vector>

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include "server/ca/card_confirmation.hpp"
#include "server/plugins/component_instance.hpp"
#include "server/util/json_fields.hpp"

namespace tessera::ca {
namespace {

using util::text;

using util::number;

}  // namespace

int PendingRequests::run_once() {
  const long long now = static_cast<long long>(std::time(nullptr));
  int moved = 0;
  // Certificate tokens and smart cards: both wait for CAs.
  std::vector<db::TokenRow> waiting;
  for (const char* type : {"certificate", "smartcard"}) {
    db::TokenFilter filter;
    filter.type = type;
    filter.rollout_states = {"pending"};
    for (auto& token : tokens_.list(filter, 1, 500).tokens) waiting.push_back(std::move(token));
  }
  for (const auto& token : waiting) {
    boost::system::error_code ec;
    auto parsed = boost::json::parse(token.info, ec);
    if (ec || !parsed.is_object()) continue;
    auto info = parsed.as_object();
    const auto request_id = text(info, "ca_request_id");
    if (request_id.empty() || number(info, "next_poll_at") > now) continue;
    // Claimed for this round (compare and set on the info), so that one node asks at a time.
    const long long delay = std::min<long long>(
        3600, std::max<long long>(first_delay_.count(), number(info, "poll_delay") * 2));
    info["next_poll_at"] = now + delay;
    info["poll_delay"] = delay;
    const auto claimed = boost::json::serialize(info);
    if (!tokens_.claim(token.serial, "pending", token.info, claimed)) continue;
    const auto ca = text(info, "ca");
    try {
      long long ca_wait = 0;
      auto outcome = issuer_.poll(ca, request_id, token.serial, info, &ca_wait);
      if (!outcome) {
        // Not before the CA said (its Retry-After), when that is later than our own schedule.
        if (ca_wait > delay) {
          auto later = info;
          later["next_poll_at"] = now + ca_wait;
          later["poll_delay"] = ca_wait;
          tokens_.claim(token.serial, "pending", claimed, boost::json::serialize(later));
        }
        continue;
      }
      for (const auto& [key, value] : outcome->info) info[key] = value;
      for (const char* key :
           {"ca_request_id", "certificate_request", "requested", "next_poll_at", "poll_delay"})
        info.erase(key);
      const db::TransitionNote note{"CA " + ca, outcome->rollout_state == "denied"
                                                    ? text(outcome->info, "denial_reason")
                                                    : "issued"};
      // A smart card's certificate waits for the card to write it and confirm.
      const auto target = outcome->rollout_state == "enrolled"
                              ? state_after_issue(token.type, info, card_confirm_)
                              : outcome->rollout_state;
      if (tokens_.change_rollout(token.serial, "pending", target, boost::json::serialize(info),
                                 note))
        ++moved;
      else if (outcome->rollout_state == "enrolled")  // revoked meanwhile: do not leave it valid
        issuer_.revoke_queued(ca, text(outcome->info, "certificate_serial"), token.serial,
                              "cessationOfOperation");
    } catch (const IssueError& e) {
      info["failure"] = e.what();
      if (tokens_.change_rollout(token.serial, "pending", "failed", boost::json::serialize(info),
                                 {"system", e.what()}))
        ++moved;
    } catch (const plugins::PluginCallError& e) {
      // The connector can never follow this request (an id it cannot send, a request the CA
      // refuses to look up): asking again each round would keep the token pending forever.
      if (e.status() == TESSERA_ERR_INVALID_ARGUMENT) {
        const auto why = "CA '" + ca + "' cannot follow request " + request_id + ": " + e.what();
        info["failure"] = why;
        if (tokens_.change_rollout(token.serial, "pending", "failed", boost::json::serialize(info),
                                   {"system", why}))
          ++moved;
        continue;
      }
      spdlog::warn("pending certificate {}: CA {} did not answer: {}", token.serial, ca, e.what());
    } catch (const std::exception& e) {  // the CA is unreachable: asked again later
      spdlog::warn("pending certificate {}: CA {} did not answer: {}", token.serial, ca, e.what());
    }
  }
  return moved;
}

}  // namespace tessera::ca
