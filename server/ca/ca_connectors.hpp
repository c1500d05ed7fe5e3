// The CA connectors that admins configure: named instances of CA connector plugins. Their
// configuration lives in the database, sealed; each process makes an instance when it first
// needs one, so a connector created on one node works on every node. Also keeps each CA's
// CRL: renewed when it is due, numbered in one sequence across nodes.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "db/component_config_repository.hpp"
#include "db/crl_repository.hpp"
#include "server/crypto/secret_box.hpp"
#include "server/plugins/plugin_registry.hpp"

namespace tessera::ca {

// Bad input for a connector: unknown type, taken name, invalid configuration.
class CaConnectorError : public std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

struct ConnectorInfo {
  std::string name;
  std::string type;
  boost::json::object config;  // secret parameters shown as "***"
};

class CaConnectors {
 public:
  CaConnectors(const plugins::PluginRegistry& registry, db::ComponentConfigRepository& configs,
               db::CrlRepository& crls, const crypto::SecretBox& secrets)
      : registry_(registry), configs_(configs), crls_(crls), secrets_(secrets) {}

  // Makes the instance first (a local CA creates or imports its CA here), then stores it.
  // Throws CaConnectorError, or plugins::PluginCallError when the plugin refuses.
  void create(const std::string& name, const std::string& type, const boost::json::object& params);
  std::vector<ConnectorInfo> list();
  std::optional<ConnectorInfo> find(const std::string& name);
  // Forgets the configuration; a local CA's key stays in its store (nothing is lost, and the
  // same name would bring the same CA back).
  bool remove(const std::string& name);

  // nullptr when there is no such connector.
  std::shared_ptr<plugins::ComponentInstance> instance(const std::string& name);

  std::string ca_certificate_pem(const std::string& name);
  // The current CRL in DER, signed anew when none is stored or the stored one is due.
  std::string crl_der(const std::string& name);
  // Signs a new CRL now (after a revocation).
  void renew_crl(const std::string& name);

  // Signs anew every CRL that is missing or due (the background job's turn); returns how many.
  // A connector that fails is logged and skipped: the others still get theirs.
  int renew_due_crls();

  // How long a CRL is valid, and how long before its end it counts as due.
  void set_crl_timing(long long validity_seconds, long long renew_before_seconds) {
    crl_validity_ = validity_seconds;
    crl_renew_before_ = renew_before_seconds;
  }

 private:
  boost::json::object open_config(const db::ComponentConfigRow& row) const;
  ConnectorInfo info_of(const db::ComponentConfigRow& row) const;
  std::shared_ptr<plugins::ComponentInstance> instance_for(const db::ComponentConfigRow& row);
  // The current CRL; renewed first when `renew`, or when missing or due. *renewed tells which.
  std::string crl(const std::string& name, bool renew, bool* renewed = nullptr);

  const plugins::PluginRegistry& registry_;
  db::ComponentConfigRepository& configs_;
  db::CrlRepository& crls_;
  const crypto::SecretBox& secrets_;
  long long crl_validity_ = 7 * 86400;
  long long crl_renew_before_ = 86400;
  std::mutex mutex_;
  // name -> (created_at of the configuration it was made from, instance)
  std::map<std::string, std::pair<long long, std::shared_ptr<plugins::ComponentInstance>>>
      instances_;
};

}  // namespace tessera::ca
