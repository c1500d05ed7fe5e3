// Checks what a CA connector says it issued before anything is enrolled: the host owns the
// token's certificate, so it reads serial and end from the certificate itself and refuses one
// that is not for the CSR's key, does not chain to the connector's CA certificate, is a CA, or
// goes beyond what was asked (subject, alternative names, extended key usage, term).
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>

namespace tessera::ca {

// The CA's certificate cannot be used for this request; the message says why.
class IssuedCertificateRefused : public std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// What the host asked the CA for.
struct RequestedCertificate {
  std::string csr;                                           // PEM
  std::vector<std::pair<std::string, std::string>> subject;  // ("CN", "alice"), in order
  std::vector<std::string> emails, upns, dns_names;          // the only names allowed
  std::vector<std::string> ip_addresses;                     // as inet_ntop writes them
  std::vector<std::string> permanent_identifiers;            // RFC 4043 identifierValue
  std::vector<std::string> extended_key_usage;               // profile names: clientAuth...
  int validity_days = 0;
  // False for a request that went to the CA before the host kept what it asked for: then only
  // the key, the chain, the CA bit and the term are checked.
  bool scope_known = true;

  // As kept in a pending token's info ("requested"), so the poller checks the same things.
  boost::json::object to_json() const;
  static RequestedCertificate from_json(const boost::json::object& json, std::string csr);
};

struct IssuedCertificate {
  std::string pem;  // the certificate alone (a chain after it is dropped)
  std::string serial;
  long long not_after = 0;
};

// certificate_pem: the connector's answer (the certificate, optionally followed by its chain);
// ca_pem: the connector's CA certificate and chain. Throws IssuedCertificateRefused.
IssuedCertificate check_issued_certificate(const std::string& certificate_pem,
                                           const std::string& ca_pem,
                                           const RequestedCertificate& requested, long long now);

}  // namespace tessera::ca
