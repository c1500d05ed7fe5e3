// The JSON Web Signatures an ACME client sends (RFC 7515 in RFC 8555's flattened form): the
// account key (EC P-256 -> ES256, RSA 3072 -> RS256), its JWK, and External Account Binding
// (RFC 8555 section 7.3.4: the account JWK signed with HS256 under the CA's MAC key).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <openssl/evp.h>

#include <boost/json.hpp>

namespace tessera::acme {

std::string base64url(std::string_view bytes);
// Throws std::invalid_argument for text that is not base64url.
std::string base64url_decode(std::string_view text);

class AccountKey {
 public:
  // type: "ec-p256" or "rsa-3072".
  static AccountKey generate(const std::string& type);
  static AccountKey from_pem(const std::string& pem);

  std::string pem() const;                        // PKCS#8, for the plugin store (sealed)
  boost::json::object jwk() const;                // the public key, members in lexicographic order
  const char* algorithm() const;                  // "ES256" or "RS256"
  std::string sign(std::string_view data) const;  // JWS signature bytes (ES256: r || s)

 private:
  explicit AccountKey(EVP_PKEY* key) : key_(key, EVP_PKEY_free) {}
  std::shared_ptr<EVP_PKEY> key_;
};

// A flattened JWS: {"protected", "payload", "signature"}. payload "" is a POST-as-GET.
boost::json::object sign_jws(const AccountKey& key, boost::json::object protected_header,
                             const std::string& payload);

// The externalAccountBinding member of a newAccount request.
boost::json::object external_account_binding(const std::string& key_id,
                                             const std::string& mac_key_base64url,
                                             const boost::json::object& jwk,
                                             const std::string& new_account_url);

}  // namespace tessera::acme
