// An RFC 8555 client over the host's outbound HTTP: the directory, nonces (a badNonce is
// retried with the nonce that came with it, a few times), signed POSTs with the account's key
// (by JWK until the account exists, then by its URL), and the CA's problem documents turned
// into errors that name the CA's own type and detail.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include <boost/json.hpp>

#include <tessera/sdk/host.hpp>

#include "jws.hpp"

namespace tessera::acme {

struct AcmeResponse {
  int status = 0;
  std::string body;
  std::string location;  // the Location header, if any
  std::string content_type;
  long long retry_after = 0;         // seconds from a numeric Retry-After header, else 0
  boost::json::object json() const;  // the body as a JSON object ({} when it is none)
};

class AcmeClient {
 public:
  AcmeClient(const sdk::Host& host, std::string directory_url, std::string trusted_ca_pem,
             std::chrono::milliseconds timeout)
      : host_(host),
        directory_url_(std::move(directory_url)),
        trusted_ca_pem_(std::move(trusted_ca_pem)),
        timeout_(timeout) {}

  // The directory, read once: throws Error::invalid_argument when the URL is no ACME directory.
  const boost::json::object& directory();
  std::string endpoint(const char* name);  // a directory URL ("newOrder"), or throws

  // A signed POST; kid empty: signed with the key's JWK (newAccount, revocation by key).
  // payload: JSON text, or "" for a POST-as-GET. Throws Error for a problem document:
  // unavailable for rateLimited, serverInternal, 5xx and a connection failure (worth
  // retrying later, with Retry-After in the message), invalid_argument for the rest.
  AcmeResponse post(const std::string& url, const std::string& payload, const AccountKey& key,
                    const std::string& kid, const char* accept = nullptr);

 private:
  sdk::HttpResponse send(const std::string& method, const std::string& url, const std::string& body,
                         const char* accept);
  std::string fresh_nonce();

  const sdk::Host& host_;
  std::string directory_url_, trusted_ca_pem_;
  std::chrono::milliseconds timeout_;
  std::mutex mutex_;
  std::optional<boost::json::object> directory_;
  std::string nonce_;  // the last Replay-Nonce seen, used once
};

}  // namespace tessera::acme
