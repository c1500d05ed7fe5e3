// Base class of a CA connector. Named instances (e.g. "corp-ca") are made from the admin's
// configuration. Issuance may be immediate or pending: sign_request answers
// {"state":"issued","certificate":PEM} or {"state":"pending","request_id":...} or
// {"state":"denied","reason":...}; request_status answers the same for a pending request id.
#pragma once

#include <boost/json.hpp>

#include "tessera/sdk/component.hpp"
#include "tessera/sdk/error.hpp"

namespace tessera::sdk {

class CaConnector : public Component {
 public:
  static constexpr tessera_component_kind kind = TESSERA_COMPONENT_CA_CONNECTOR;

  using Component::Component;

  virtual boost::json::object sign_request(const boost::json::object& request) = 0;
  virtual boost::json::object request_status(const boost::json::object& request) = 0;
  virtual boost::json::object revoke(const boost::json::object& request) = 0;
  // {"certificate": PEM of the CA certificate, then its chain}. Since ABI 1.2.
  virtual boost::json::object ca_certificate(const boost::json::object& /*request*/) {
    throw Error::invalid_argument("this CA connector does not publish its certificate");
  }
  // Signs a CRL from the host's record of revocations: {"revoked": [{"serial" (hex), "time"
  // (Unix seconds), "reason" (RFC 5280 name)}], "crl_number", "next_update"} ->
  // {"crl": base64 DER}. For CAs that publish their own CRL, keep the default. Since ABI 1.2.
  virtual boost::json::object crl(const boost::json::object& /*request*/) {
    throw Error::invalid_argument("this CA connector does not sign CRLs here");
  }
};

}  // namespace tessera::sdk
