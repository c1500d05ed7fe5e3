// What AD CS said of a certificate request, on either transport.
#pragma once

#include <string>

namespace tessera::msca {

struct Disposition {
  enum class State { issued, pending, denied };
  State state = State::denied;
  std::string chain_pem;   // issued: the certificate, then its chain (may be empty for certsrv)
  std::string request_id;  // the CA's request id (issued and pending)
  std::string message;     // the CA's disposition message
};

}  // namespace tessera::msca
