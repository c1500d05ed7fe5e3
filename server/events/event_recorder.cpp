#include "server/events/event_recorder.hpp"

#include <set>

#include <soci/soci.h>
#include <boost/json.hpp>

#include "server/events/event_catalog.hpp"
#include "server/util/clock.hpp"
#include "server/util/comma_list.hpp"
#include "server/util/json_fields.hpp"

namespace tessera::events {
namespace {

using util::text;

// What an API event says about the request: never a secret (no PIN, OTP, password, key).
constexpr const char* kSafeParams[] = {"type",   "serial", "user",    "realm",      "username",
                                       "reason", "ca",     "profile", "description"};

}  // namespace

boost::json::object EventRecorder::token_json(const db::TokenRow& t) {
  boost::system::error_code ec;
  auto info = boost::json::parse(t.info, ec);
  return {{"serial", t.serial},
          {"type", t.type},
          {"rollout_state", t.rollout_state},
          {"user", t.owner_user},
          {"realm", t.owner_realm},
          {"resolver", t.owner_resolver},
          {"active", t.active},
          {"revoked", t.revoked},
          {"failcount", t.failcount},
          {"maxfail", t.maxfail},
          {"description", t.description},
          {"info", !ec && info.is_object() ? info : boost::json::object()}};
}

bool EventRecorder::wanted(const std::string& name, const std::string& position) {
  for (const auto& handler : config_.current()->event_handlers) {
    if (!handler.active || handler.position != position) continue;
    for (const auto& event : util::split_comma_list(handler.events))
      if (event == name) return true;
  }
  return false;
}

void EventRecorder::write(const std::string& name, const std::string& position,
                          const boost::json::object& payload) {
  events_.append(name, position, boost::json::serialize(payload));
  if (wake_) wake_();
}

boost::json::object EventRecorder::request_payload(const http::RequestContext& c,
                                                   const std::string& name,
                                                   const std::string& position) const {
  boost::json::object payload{{"event", name},
                              {"position", position},
                              {"time", util::unix_seconds()},
                              {"client_ip", c.request.remote_address}};
  boost::json::object params;
  for (const char* key : kSafeParams)
    if (const auto* value = c.params.if_contains(key); value && value->is_string())
      params[key] = value->get_string();
  for (const auto& [key, value] : c.path_params) params[key] = value;
  payload["params"] = params;
  if (c.identity) {
    payload["logged_in"] = {{"role", c.identity->is_admin() ? "admin" : "user"},
                            {"username", c.identity->username},
                            {"realm", c.identity->realm}};
    if (!c.identity->is_admin())
      payload["user"] = {{"username", c.identity->username},
                         {"realm", c.identity->realm},
                         {"resolver", c.identity->resolver}};
  }
  if (!payload.contains("user")) {
    auto username = text(params, "user");
    if (username.empty()) username = text(params, "username");
    if (!username.empty())
      payload["user"] = {{"username", username}, {"realm", text(params, "realm")}};
  }
  return payload;
}

void EventRecorder::add_tokens(boost::json::object& payload, const http::RequestContext& c,
                               const std::string& detail_serial) {
  std::set<std::string> serials;
  if (auto it = c.path_params.find("serial"); it != c.path_params.end()) serials.insert(it->second);
  if (const auto* serial = c.params.if_contains("serial"); serial && serial->is_string())
    serials.insert(std::string(serial->get_string()));
  if (!detail_serial.empty()) serials.insert(detail_serial);
  boost::json::array tokens;
  // A user's request concerns only the user's own tokens, whatever serial it names (a refused
  // request names anything).
  const bool by_user = c.identity && !c.identity->is_admin();
  for (const auto& serial : serials)
    if (auto token = tokens_.find(serial))
      if (!by_user || (token->owner_user == c.identity->username &&
                       token->owner_resolver == c.identity->resolver))
        tokens.push_back(token_json(*token));
  // No serial: the event concerns the user's tokens, each of them.
  if (serials.empty()) {
    if (const auto* user = payload.if_contains("user"); user && user->is_object()) {
      db::TokenFilter filter;
      filter.owner_user = text(user->get_object(), "username");
      filter.realm = text(user->get_object(), "realm");
      // No realm given: the default realm, as the request itself reads it.
      if (filter.realm.empty()) {
        const auto snapshot = config_.current();
        const auto* realm = snapshot->default_realm();
        if (!realm)
          filter.owner_user.clear();
        else
          filter.realm = realm->name;
      }
      if (!filter.owner_user.empty())
        for (const auto& token : tokens_.list(filter, 1, 100).tokens)
          tokens.push_back(token_json(token));
    }
  }
  payload["tokens"] = tokens;
}

void EventRecorder::before(const http::RequestContext& c, const std::string& pattern) {
  const auto name = api_event_name(c.request.method, pattern);
  if (name.empty() || !wanted(name, "pre")) return;
  auto payload = request_payload(c, name, "pre");
  add_tokens(payload, c, "");
  write(name, "pre", payload);
}

void EventRecorder::after(const http::HttpRequest& request, const http::RequestContext* c,
                          const http::HttpResponse& response) {
  // A refused request changed nothing: no post event (its pre event, if any, was recorded).
  // /validate/radiuscheck answers a rejection with a bare 400, which is a result, not a refusal.
  if (!c || (response.status >= 400 && !response.body.empty())) return;
  const auto name = api_event_name(request.method, response.route);
  if (name.empty() || !wanted(name, "post")) return;
  auto payload = request_payload(*c, name, "post");
  boost::json::object result;
  std::string detail_serial;
  if (response.body.empty()) {  // /validate/radiuscheck: the status is the answer
    result = {{"status", response.status < 300}, {"value", response.status == 204}};
  } else {
    boost::system::error_code ec;
    auto body = boost::json::parse(response.body, ec);
    if (!ec && body.is_object()) {
      if (const auto* r = body.as_object().if_contains("result"); r && r->is_object()) {
        for (const char* key : {"status", "value", "authentication"})
          if (const auto* v = r->as_object().if_contains(key);
              v && !v->is_object() && !v->is_array())
            result[key] = *v;
      }
      if (const auto* d = body.as_object().if_contains("detail"); d && d->is_object())
        detail_serial = text(d->as_object(), "serial");
    }
  }
  payload["result"] = result;
  add_tokens(payload, *c, detail_serial);
  write(name, "post", payload);
}

void EventRecorder::transition(soci::session& sql, const db::RolloutTransition& t) {
  auto token = db::TokenRepository::find_in(sql, t.serial);
  if (!token) return;
  auto json = token_json(*token);
  json["old_rollout_state"] = t.from;
  json["rollout_state"] = t.to;
  boost::json::object payload{{"position", "post"},
                              {"time", t.time_us / 1000000},
                              {"tokens", boost::json::array{json}},
                              {"actor", t.actor},
                              {"reason", t.reason},
                              {"user",
                               {{"username", token->owner_user},
                                {"realm", token->owner_realm},
                                {"resolver", token->owner_resolver}}}};
  auto append = [&](const char* name) {
    payload["event"] = name;
    db::EventRepository::append(sql, name, "post", boost::json::serialize(payload));
  };
  append(lifecycle::rollout_state_changed);
  // A smart card holds a certificate too: its life cycle fires the same events.
  if (token->type == "certificate" || token->type == "smartcard") {
    if (t.to == "enrolled") append(lifecycle::certificate_issued);
    if (t.to == "denied") append(lifecycle::certificate_denied);
    if (t.to == "failed") append(lifecycle::certificate_failed);
    if (t.to == "revoked") append(lifecycle::certificate_revoked);
    // Certificates of enrollment forms have events of their own, with the form's page (its
    // extension as it is now: an old one would no longer open).
    boost::system::error_code ec;
    const auto info = boost::json::parse(token->info, ec);
    const auto* form =
        !ec && info.is_object() ? info.as_object().if_contains("enrollment_form") : nullptr;
    if (form && form->is_string() && (t.to == "enrolled" || t.to == "denied")) {
      const std::string name(form->get_string());
      std::string extension;
      sql << "SELECT extension FROM enrollment_form WHERE name = :n", soci::use(name),
          soci::into(extension);
      payload["enrollment_form"] = name;
      payload["enrollment_path"] = extension.empty() ? "" : "/enroll/" + extension;
      append(t.to == "enrolled" ? lifecycle::enrollment_form_issued
                                : lifecycle::enrollment_form_denied);
    }
  }
  // The dispatcher is woken after the commit, by the announcement of the transition.
}

void EventRecorder::locked(const std::string& serial) {
  auto token = tokens_.find(serial);
  if (!token) return;
  boost::json::object payload{{"event", lifecycle::token_locked},
                              {"position", "post"},
                              {"time", util::unix_seconds()},
                              {"tokens", boost::json::array{token_json(*token)}},
                              {"user",
                               {{"username", token->owner_user},
                                {"realm", token->owner_realm},
                                {"resolver", token->owner_resolver}}}};
  write(lifecycle::token_locked, "post", payload);
}

void EventRecorder::revoke_at_ca(const std::string& token_serial, const std::string& ca,
                                 const std::string& certificate_serial, const std::string& reason,
                                 const std::string& message) {
  auto token = tokens_.find(token_serial);
  if (!token) return;
  boost::json::object payload{
      {"event", lifecycle::certificate_revoke_at_ca},
      {"position", "post"},
      {"reason", reason},
      {"time", util::unix_seconds()},
      {"tokens", boost::json::array{token_json(*token)}},
      {"certificate",
       {{"serial", certificate_serial}, {"ca", ca}, {"reason", reason}, {"message", message}}},
      {"user",
       {{"username", token->owner_user},
        {"realm", token->owner_realm},
        {"resolver", token->owner_resolver}}}};
  write(lifecycle::certificate_revoke_at_ca, "post", payload);
}

void EventRecorder::expiring(soci::session& sql, const db::TokenRow& token,
                             const std::string& certificate_serial, long long not_after,
                             long long days_left) {
  boost::json::object payload{
      {"event", lifecycle::certificate_expiring},
      {"position", "post"},
      {"time", util::unix_seconds()},
      {"tokens", boost::json::array{token_json(token)}},
      {"certificate",
       {{"serial", certificate_serial}, {"not_after", not_after}, {"days_left", days_left}}},
      {"user",
       {{"username", token.owner_user},
        {"realm", token.owner_realm},
        {"resolver", token.owner_resolver}}}};
  db::EventRepository::append(sql, lifecycle::certificate_expiring, "post",
                              boost::json::serialize(payload));
}

}  // namespace tessera::events
