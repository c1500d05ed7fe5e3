// Turns what happens into events in the durable event log: API actions (before and after the
// request, only when an active handler listens, since /validate/check must stay cheap) and
// life-cycle events (always, inside the transaction of the change they report). An event's
// payload holds what conditions and templates need, read at the moment it happened:
//   {"event", "position", "time", "user" {username, realm, resolver}, "logged_in" {role,
//    username, realm}, "client_ip", "params" {safe request parameters}, "result" {status,
//    value, authentication}, "tokens" [{serial, type, rollout_state, old_rollout_state, user,
//    realm, resolver, active, revoked, failcount, maxfail, description, info}], "actor",
//    "reason", "certificate" {serial, not_after, days_left}}
#pragma once

#include <functional>
#include <string>

#include <soci/session.h>
#include <boost/json/object.hpp>

#include "db/config_cache.hpp"
#include "db/event_repository.hpp"
#include "db/token_repository.hpp"
#include "server/http/router.hpp"

namespace tessera::events {

class EventRecorder {
 public:
  // wake: called after an event was written, so that the dispatcher runs at once.
  EventRecorder(db::ConfigCache& config, db::EventRepository& events, db::TokenRepository& tokens,
                std::function<void()> wake)
      : config_(config), events_(events), tokens_(tokens), wake_(std::move(wake)) {}

  // Router hooks: before the handler runs, and after it answered.
  void before(const http::RequestContext& c, const std::string& pattern);
  void after(const http::HttpRequest& request, const http::RequestContext* c,
             const http::HttpResponse& response);

  // Inside the transaction of a rollout transition.
  void transition(soci::session& sql, const db::RolloutTransition& t);
  // A failure locked the token.
  void locked(const std::string& serial);
  // A revoked certificate whose CA cannot revoke it through its protocol: its administrator
  // must (a handler can open a ticket).
  void revoke_at_ca(const std::string& token_serial, const std::string& ca,
                    const std::string& certificate_serial, const std::string& reason,
                    const std::string& message);
  // A certificate expires in days_left days (announced once per certificate), inside the
  // transaction that marks it announced.
  static void expiring(soci::session& sql, const db::TokenRow& token,
                       const std::string& certificate_serial, long long not_after,
                       long long days_left);

  static boost::json::object token_json(const db::TokenRow& token);

 private:
  bool wanted(const std::string& name, const std::string& position);
  boost::json::object request_payload(const http::RequestContext& c, const std::string& name,
                                      const std::string& position) const;
  void add_tokens(boost::json::object& payload, const http::RequestContext& c,
                  const std::string& detail_serial);
  void write(const std::string& name, const std::string& position,
             const boost::json::object& payload);

  db::ConfigCache& config_;
  db::EventRepository& events_;
  db::TokenRepository& tokens_;
  std::function<void()> wake_;
};

}  // namespace tessera::events
