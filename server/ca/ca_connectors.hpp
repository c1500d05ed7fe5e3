// The CA connectors that admins configure: named instances of CA connector plugins (see
// plugins/configured_components.hpp). Also keeps each CA's CRL: renewed when it is due,
// numbered in one sequence across nodes.
#pragma once

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "db/component_config_repository.hpp"
#include "db/crl_repository.hpp"
#include "server/crypto/secret_box.hpp"
#include "server/plugins/configured_components.hpp"
#include "server/plugins/plugin_registry.hpp"

namespace tessera::ca {

using CaConnectorError = plugins::ConfiguredComponentError;
using ConnectorInfo = plugins::ConfiguredComponent;

class CaConnectors {
 public:
  CaConnectors(const plugins::PluginRegistry& registry, db::ComponentConfigRepository& configs,
               db::CrlRepository& crls, const crypto::SecretBox& secrets)
      : connectors_(TESSERA_COMPONENT_CA_CONNECTOR, "ca_connector", "CA connector", registry,
                    configs, secrets),
        crls_(crls) {}

  // Creates a connector (the instance first: a local CA creates or imports its CA here), or
  // gives an existing one a new configuration (secrets left out or "***" are kept; the type
  // stays). A local CA keeps its key and certificate: its key_type and common_name apply to a
  // new CA only. expected_version as in ConfiguredComponents::save. True when it created one.
  // Throws CaConnectorError, plugins::ConfiguredComponentConflict, or plugins::PluginCallError
  // when the plugin refuses.
  bool save(const std::string& name, const std::string& type, const boost::json::object& params,
            std::optional<long long> expected_version = std::nullopt) {
    return connectors_.save(name, type, params, expected_version);
  }
  std::vector<ConnectorInfo> list() { return connectors_.list(); }
  std::optional<ConnectorInfo> find(const std::string& name) { return connectors_.find(name); }
  // Forgets the configuration; a local CA's key stays in its store (nothing is lost, and the
  // same name would bring the same CA back).
  bool remove(const std::string& name) { return connectors_.remove(name); }

  // nullptr when there is no such connector.
  std::shared_ptr<plugins::ComponentInstance> instance(const std::string& name) {
    return connectors_.instance(name);
  }

  std::string ca_certificate_pem(const std::string& name);
  // The current CRL in DER, signed anew when none is stored, or the stored one is due or lacks
  // a revocation. Revocations sign no CRL themselves: a burst of them costs one signature.
  std::string crl_der(const std::string& name);
  // What Tessera recorded as revoked at this CA, newest first: for a CA that cannot revoke
  // through its protocol, the list its administrator works through.
  std::vector<db::RevokedCertificate> revocations(const std::string& name) {
    auto list = crls_.revoked(name);
    std::sort(list.begin(), list.end(),
              [](const auto& a, const auto& b) { return a.revoked_at > b.revoked_at; });
    return list;
  }

  // Signs anew every CRL that is missing, due or lacks a revocation (the background job's
  // turn); returns how many.
  // A connector that fails is logged and skipped: the others still get theirs.
  int renew_due_crls();

  // How long a CRL is valid, and how long before its end it counts as due.
  void set_crl_timing(long long validity_seconds, long long renew_before_seconds) {
    crl_validity_ = validity_seconds;
    crl_renew_before_ = renew_before_seconds;
  }

 private:
  // The current CRL; renewed first when missing, due or stale. *renewed tells which.
  std::string crl(const std::string& name, bool* renewed = nullptr);

  plugins::ConfiguredComponents connectors_;
  db::CrlRepository& crls_;
  long long crl_validity_ = 7 * 86400;
  long long crl_renew_before_ = 86400;
};

}  // namespace tessera::ca
