// Sends one Access-Request over UDP and waits for its signed reply, retrying as RFC 2865 asks
// (the same id and authenticator each time). Datagrams that are not the reply (another id, a
// wrong signature) are dropped and the wait goes on, so a forged packet cannot end it.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>

#include "server/radius/radius_packet.hpp"

namespace tessera::radius {

struct ServerAddress {
  std::string host;  // a name or an address
  int port = 1812;
  std::string secret;
  std::chrono::seconds timeout{5};  // per try
  int retries = 3;                  // tries after the first
  // The longest the whole exchange may take; 0: timeout per try, every try. A check's caller
  // waits only so long (a token type's plugin deadline), so the tries fit into that.
  std::chrono::milliseconds budget{0};
};

// No reply within the tries, or the server's name does not resolve.
class Unreachable : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Throws Unreachable, or std::invalid_argument for a request that cannot be encoded.
Reply send_access_request(const ServerAddress& server, const AccessRequest& request);

}  // namespace tessera::radius
