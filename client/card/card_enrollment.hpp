// One card's enrollment, as `tessera-card enroll` and its agent take it with the server
// (server/ca/smartcard_enrollment.hpp): begin (a token waits for the card), then with the card:
// the user PIN (set with the SO PIN where the card has none, after the server's rules), the key
// made on the card, its CSR issued, the certificate written beside the key, the server's
// challenge signed. Each step is told to progress as it is done.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>

#include <boost/json/object.hpp>

#include "client/card/pkcs11_card.hpp"
#include "client/card/tessera_api.hpp"

namespace tessera::card {

// A failure in a named step, with what to do about it.
struct StepFailure : std::runtime_error {
  StepFailure(std::string step_name, std::string reason, std::string what_to_do)
      : std::runtime_error(step_name + ": " + reason +
                           (what_to_do.empty() ? "" : "\n  what to do: " + what_to_do)),
        step(std::move(step_name)),
        why(std::move(reason)),
        todo(std::move(what_to_do)) {}
  std::string step, why, todo;
};

using Progress = std::function<void(const std::string&)>;

struct BeginRequest {
  std::string user, realm, ca, profile, replaces;
};

// Step one: the token's detail (serial, enrollment_code, key_types, pin_rules,
// attestation_required). Throws StepFailure.
boost::json::object begin_enrollment(const TesseraApi& api, const BeginRequest& request);

struct Finished {
  std::string serial;
  std::string state;                                   // enrolled, pending, denied or failed
  std::string message;                                 // the CA's reason (denied, failed)
  std::string subject, certificate_serial, not_after;  // enrolled
};

// The rest, with the card. so_pin is needed only where the card has no user PIN yet. A failure
// before the key is made deletes the token begun. Throws StepFailure.
Finished finish_enrollment(const TesseraApi& api, Pkcs11Module& module, const CardInfo& card,
                           const boost::json::object& started, const std::string& pin,
                           const std::string& so_pin, const Progress& progress);

// A token whose request waited for an approver: its certificate, once issued, is written and
// confirmed (the key is on the card already). state "pending" while it still waits.
Finished resume_enrollment(const TesseraApi& api, Pkcs11Module& module, const CardInfo& card,
                           const std::string& serial, const std::string& pin,
                           const Progress& progress);

// What the server says of a card's token: its rollout state, "revoked", or "unknown to the
// server". Throws ApiFailure.
std::string token_state(const TesseraApi& api, const std::string& serial);

}  // namespace tessera::card
