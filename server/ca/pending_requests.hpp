// The pending poller: asks the CA connector about each certificate request that it left
// pending (a CA that decides later, like a Microsoft CA with manager approval), each request
// on its own growing schedule, and moves the token to "enrolled" or "denied": a recorded
// transition, so the life-cycle events (certificate_issued, ...) fire and "your certificate
// is ready" mails work.
#pragma once

#include <chrono>

#include "db/token_repository.hpp"
#include "server/ca/certificate_issuer.hpp"

namespace tessera::ca {

class PendingRequests {
 public:
  // first_delay: the pause before asking again about a request; doubled each time (at most an
  // hour).
  // card_confirm: how long a smart card has to confirm a certificate issued here.
  PendingRequests(db::TokenRepository& tokens, CertificateIssuer& issuer,
                  std::chrono::seconds first_delay,
                  std::chrono::seconds card_confirm = std::chrono::seconds(3600))
      : tokens_(tokens), issuer_(issuer), first_delay_(first_delay), card_confirm_(card_confirm) {}

  // Asks about every request that is due; returns how many tokens it moved on.
  int run_once();

 private:
  db::TokenRepository& tokens_;
  CertificateIssuer& issuer_;
  std::chrono::seconds first_delay_;
  std::chrono::seconds card_confirm_;
};

}  // namespace tessera::ca
