// What AD CS said of a certificate request, on either transport, and how its answers fail.
#pragma once

#include <string>

#include <tessera/sdk/error.hpp>

namespace tessera::msca {

struct Disposition {
  enum class State { issued, pending, denied };
  State state = State::denied;
  std::string chain_pem;   // issued: the certificate, then its chain (may be empty for certsrv)
  std::string request_id;  // the CA's request id (issued and pending), text as on the wire
  std::string message;     // the CA's disposition message
};

// The service (or the KDC before it) refused the connector's login: the configuration's to
// fix. An invalid_argument, so that saving a connector with it fails; the poller's caller turns
// it into a pause (the request at the CA is not lost because a password changed).
class LoginRefused : public sdk::Error {
 public:
  explicit LoginRefused(const std::string& message) : Error(Kind::invalid_argument, message) {}
};

// Request ids are text on the wire (Windows has RequestIdString; some services use UUIDs as
// integers): kept as text, at most this long, of letters, digits and "-_.{}".
constexpr size_t kMaxRequestIdLength = 64;
bool followable_request_id(const std::string& id);

}  // namespace tessera::msca
