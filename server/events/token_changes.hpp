// Carries out what a token action asks of the host after an event: {"token_changes":
// [{"serial", "change": disable | enable | revoke | set_tokeninfo, "reason", "key", "value"}]}.
// Plugins hold no tokens; the host changes them, with the same rules as the API.
#pragma once

#include <boost/json/object.hpp>

#include "db/token_repository.hpp"
#include "server/ca/certificate_issuer.hpp"

namespace tessera::events {

class TokenChanges {
 public:
  TokenChanges(db::TokenRepository& tokens, ca::CertificateIssuer& issuer)
      : tokens_(tokens), issuer_(issuer) {}

  // request: the delivery's request, whose event names the token it is about; a change may
  // touch only that token. Every change is checked before any is made, so one that cannot be
  // made (another token, no such token, an unknown change, a reserved info key) leaves all of
  // them undone (std::invalid_argument: retrying would not help); the changes are then made in
  // one transaction, and the CA is told of a revocation after it committed.
  void apply(const boost::json::object& request, const boost::json::object& result);

 private:
  db::TokenRepository& tokens_;
  ca::CertificateIssuer& issuer_;
};

}  // namespace tessera::events
