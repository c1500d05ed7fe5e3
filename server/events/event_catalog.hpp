// The events handlers can listen to: one per API action, named as eduMFA names them, each
// "pre" (before the request runs) and "post" (after it answered); and the life-cycle events
// that happen outside a request or inside one as a consequence.
#pragma once

#include <string>
#include <vector>

namespace tessera::events {

struct EventDescription {
  std::string name;
  std::string description;
  bool api = true;  // an API action (pre and post); otherwise a life-cycle event (post only)
};

const std::vector<EventDescription>& all_events();
bool known_event(const std::string& name);

// The event of an API route ("POST", "/token/init" -> "token_init"); empty for none.
std::string api_event_name(const std::string& method, const std::string& pattern);

// Life-cycle events.
namespace lifecycle {
inline constexpr const char* rollout_state_changed = "token_rollout_state";
inline constexpr const char* certificate_issued = "certificate_issued";
inline constexpr const char* certificate_denied = "certificate_denied";
inline constexpr const char* certificate_failed = "certificate_failed";
inline constexpr const char* certificate_revoked = "certificate_revoked";
inline constexpr const char* certificate_expiring = "certificate_expiring";
inline constexpr const char* certificate_revoke_at_ca = "certificate_revoke_at_ca";
inline constexpr const char* token_locked = "token_locked";
// A certificate of an enrollment form was issued (after an approval, or a CA that answered
// later) or denied: the payload names the form and the path of its page.
inline constexpr const char* enrollment_form_issued = "enrollment_form_issued";
inline constexpr const char* enrollment_form_denied = "enrollment_form_denied";
}  // namespace lifecycle

}  // namespace tessera::events
