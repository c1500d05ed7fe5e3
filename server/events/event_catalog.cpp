#include "server/events/event_catalog.hpp"

#include <algorithm>
#include <utility>

namespace tessera::events {
namespace {

struct ApiRoute {
  const char* method;
  const char* pattern;
  const char* event;
};

// Both forms of a route (serial in the path or as a parameter) raise the same event.
constexpr ApiRoute kRoutes[] = {
    {"POST", "/auth", "auth"},
    {"GET", "/validate/check", "validate_check"},
    {"POST", "/validate/check", "validate_check"},
    {"GET", "/validate/radiuscheck", "validate_check"},
    {"POST", "/validate/radiuscheck", "validate_check"},
    {"POST", "/validate/triggerchallenge", "validate_triggerchallenge"},
    {"POST", "/token/init", "token_init"},
    {"GET", "/token/", "token_list"},
    {"POST", "/token/assign", "token_assign"},
    {"POST", "/token/unassign", "token_unassign"},
    {"POST", "/token/unassign/<serial>", "token_unassign"},
    {"POST", "/token/enable", "token_enable"},
    {"POST", "/token/enable/<serial>", "token_enable"},
    {"POST", "/token/disable", "token_disable"},
    {"POST", "/token/disable/<serial>", "token_disable"},
    {"POST", "/token/revoke", "token_revoke"},
    {"POST", "/token/revoke/<serial>", "token_revoke"},
    {"POST", "/token/reset", "token_reset"},
    {"POST", "/token/reset/<serial>", "token_reset"},
    {"POST", "/token/resync", "token_resync"},
    {"POST", "/token/resync/<serial>", "token_resync"},
    {"POST", "/token/setpin", "token_setpin"},
    {"POST", "/token/setpin/<serial>", "token_setpin"},
    {"POST", "/token/approve", "token_approve"},
    {"POST", "/token/approve/<serial>", "token_approve"},
    {"POST", "/token/deny", "token_deny"},
    {"POST", "/token/deny/<serial>", "token_deny"},
    {"DELETE", "/token/<serial>", "token_delete"},
    {"GET", "/user/", "user_list"},
    {"POST", "/user/", "user_add"},
    {"PUT", "/user/", "user_update"},
    {"DELETE", "/user/<resolver>/<username>", "user_delete"},
    // Enrollment forms' public side: a person asks for a certificate (handlers may mail the
    // organization's admins; the person hears of an approval through certificate_issued).
    {"POST", "/enroll/<extension>/certificate", "enrollment_form_request"},
};

std::vector<EventDescription> make_catalog() {
  std::vector<EventDescription> all;
  for (const auto& route : kRoutes)
    if (std::none_of(all.begin(), all.end(), [&](const auto& e) { return e.name == route.event; }))
      all.push_back(
          {route.event, std::string("the API action ") + route.method + " " + route.pattern});
  const std::pair<const char*, const char*> lifecycle_events[] = {
      {lifecycle::rollout_state_changed,
       "a token's rollout state changed (conditions rollout_state, old_rollout_state)"},
      {lifecycle::certificate_issued, "a certificate was issued for a token (now enrolled)"},
      {lifecycle::certificate_denied, "a certificate request or existing certificate was denied"},
      {lifecycle::certificate_failed, "the CA could not issue a certificate (token failed)"},
      {lifecycle::certificate_revoked, "a certificate token was revoked"},
      {lifecycle::certificate_expiring,
       "a certificate expires within certificates.expiry_warning_days (tag days_left)"},
      {lifecycle::certificate_revoke_at_ca,
       "a revoked certificate's CA cannot revoke it through its protocol (AD CS): its "
       "administrator must (tags certificate_serial, ca, reason)"},
      {lifecycle::token_locked, "a failed check locked a token (fail counter at its maximum)"},
      {lifecycle::enrollment_form_issued,
       "a certificate asked for on an enrollment form was issued (tag enrollment_url: the "
       "form's page, where the person collects it)"},
      {lifecycle::enrollment_form_denied,
       "a certificate asked for on an enrollment form was denied"},
  };
  for (const auto& [name, description] : lifecycle_events)
    all.push_back({name, description, false});
  return all;
}

}  // namespace

const std::vector<EventDescription>& all_events() {
  static const auto catalog = make_catalog();
  return catalog;
}

bool known_event(const std::string& name) {
  const auto& all = all_events();
  return std::any_of(all.begin(), all.end(), [&](const auto& e) { return e.name == name; });
}

std::string api_event_name(const std::string& method, const std::string& pattern) {
  for (const auto& route : kRoutes)
    if (method == route.method && pattern == route.pattern) return route.event;
  return {};
}

}  // namespace tessera::events
