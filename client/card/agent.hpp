// tessera-card agent: the card's client for the WebUI, since browsers cannot reach PKCS#11. It
// listens on 127.0.0.1 only and answers only pages of the configured server's origin (CORS, no
// wildcard) that hold the pairing secret it prints once at start. It offers what the command
// line does: the cards, the beginning of an enrollment, and its end with the card (PINs come
// from the page to the agent only, never to the server). Every request is logged, without PINs.
//   GET  /cards                        the cards: [{label, serial, manufacturer, model,
//                                      user_pin_set, user_pin_locked}]
//   POST /begin  {user, realm, ca, profile, replaces}   the server's first step (with the page's
//                                      JWT in Authorization): {serial, key_types, pin_rules,
//                                      attestation_required}; the enrollment code stays here
//   POST /finish {serial, token_label, pin, so_pin}      the card's steps: {state, steps, subject,
//                                      certificate_serial, not_after} or {error, step, todo}
//   POST /status {token_label}         the certificates on the card and their tokens' state
#pragma once

#include <string>

namespace tessera::card {

struct AgentOptions {
  std::string module;      // the card's PKCS#11 module
  std::string server_url;  // the Tessera server whose pages may use the agent
  std::string cacert;      // a PEM file to trust for its TLS ("" for the system's)
  unsigned short port = 0;
};

// Serves until the process ends. Prints the pairing secret and the address first.
int run_agent(const AgentOptions& options);

}  // namespace tessera::card
