// Base class of a CA connector. Named instances (e.g. "corp-ca") are made from the admin's
// configuration. Issuance may be immediate or pending: sign_request answers
// {"state":"issued","certificate":PEM} or {"state":"pending","request_id":...} or
// {"state":"denied","reason":...}; request_status answers the same for a pending request id.
// The host checks an issued certificate before it enrolls anything: it must parse, carry the
// CSR's public key, chain to ca_certificate and stay within the profile (subject, names, EKU,
// term); serial and not_after are read from it, not from the answer. Optional operations
// (ca_certificate, crl, cancel_request, actions, run_action) are offered only when the class
// overrides them; a connector without crl publishes its own CRL. sdk/REFERENCE.md lists every
// field.
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
  // The token of a request left pending {"request_id"} was revoked or deleted: withdraw it at
  // the CA, so that it is never issued. Returns {} (or throws Error::unavailable when the CA
  // cannot be reached: the host records that it could not). Since ABI 1.4.
  virtual boost::json::object cancel_request(const boost::json::object& /*request*/) {
    throw Error::invalid_argument("this CA connector cannot withdraw a request");
  }
  // What an admin may run on the connector besides issuing (an account key rollover, say):
  // {"actions": [{"name", "description", "on_delete": true for one that may be run as the
  // connector is deleted}]}. Since ABI 1.6.
  virtual boost::json::object actions(const boost::json::object& /*request*/) {
    return {{"actions", boost::json::array{}}};
  }
  // Runs one of them: {"action": name} -> {"message": what was done, for the admin}.
  // Since ABI 1.6.
  virtual boost::json::object run_action(const boost::json::object& /*request*/) {
    throw Error::invalid_argument("this CA connector has no actions");
  }
};

}  // namespace tessera::sdk
