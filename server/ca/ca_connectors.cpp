#include "server/ca/ca_connectors.hpp"

#include <chrono>
#include <ctime>

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include "db/sealed_bindings.hpp"
#include "server/crypto/encoding.hpp"
#include "server/plugins/abi_access.hpp"
#include "server/plugins/component_config.hpp"

namespace tessera::ca {
namespace {

constexpr const char* kKind = "ca_connector";

long long unix_now() {
  return static_cast<long long>(std::time(nullptr));
}

}  // namespace

boost::json::object CaConnectors::open_config(const db::ComponentConfigRow& row) const {
  auto text = secrets_.open(row.sealed_config, db::binding::component_config(kKind, row.name));
  return boost::json::parse(text).as_object();
}

void CaConnectors::create(const std::string& name, const std::string& type,
                          const boost::json::object& params) {
  auto ref = registry_.find(TESSERA_COMPONENT_CA_CONNECTOR, type);
  if (!ref) {
    std::string known;
    for (const auto& plugin : registry_.plugins())
      for (size_t i = 0; i < plugin->descriptor().component_count; ++i) {
        const auto& c = plugins::component_at(plugin->descriptor(), i);
        if (c.kind == TESSERA_COMPONENT_CA_CONNECTOR)
          known += (known.empty() ? "" : ", ") + std::string(c.type_id);
      }
    throw CaConnectorError("no CA connector type '" + type +
                           "' (loaded: " + (known.empty() ? "none" : known) + ")");
  }
  if (configs_.find(kKind, name)) throw CaConnectorError("a CA connector '" + name + "' exists");
  boost::json::object config;
  try {
    config = plugins::validate_component_config(
        *ref->component, plugins::coerce_component_config(*ref->component, params));
  } catch (const plugins::ComponentConfigError& e) {
    throw CaConnectorError(e.what());
  }
  auto made = registry_.create_instance(TESSERA_COMPONENT_CA_CONNECTOR, type, name, config);
  db::ComponentConfigRow row{
      kKind, name, type,
      secrets_.seal(boost::json::serialize(config), db::binding::component_config(kKind, name)),
      std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count()};
  if (!configs_.insert(row)) throw CaConnectorError("a CA connector '" + name + "' exists");
  std::lock_guard lock(mutex_);
  instances_[name] = {row.created_at, std::move(made)};
}

ConnectorInfo CaConnectors::info_of(const db::ComponentConfigRow& row) const {
  auto ref = registry_.find(TESSERA_COMPONENT_CA_CONNECTOR, row.type_id);
  return {row.name, row.type_id,
          ref ? plugins::redact_component_config(*ref->component, open_config(row))
              : boost::json::object{{"error", "its plugin is not loaded"}}};
}

std::vector<ConnectorInfo> CaConnectors::list() {
  std::vector<ConnectorInfo> result;
  for (const auto& row : configs_.list(kKind)) result.push_back(info_of(row));
  return result;
}

std::optional<ConnectorInfo> CaConnectors::find(const std::string& name) {
  auto row = configs_.find(kKind, name);
  if (!row) return std::nullopt;
  return info_of(*row);
}

bool CaConnectors::remove(const std::string& name) {
  const bool removed = configs_.remove(kKind, name);
  std::lock_guard lock(mutex_);
  instances_.erase(name);
  return removed;
}

std::shared_ptr<plugins::ComponentInstance> CaConnectors::instance_for(
    const db::ComponentConfigRow& row) {
  {
    std::lock_guard lock(mutex_);
    auto it = instances_.find(row.name);
    if (it != instances_.end() && it->second.first == row.created_at) return it->second.second;
  }
  auto made = registry_.create_instance(TESSERA_COMPONENT_CA_CONNECTOR, row.type_id, row.name,
                                        open_config(row));
  std::lock_guard lock(mutex_);
  instances_[row.name] = {row.created_at, made};
  return made;
}

std::shared_ptr<plugins::ComponentInstance> CaConnectors::instance(const std::string& name) {
  // The row is read each time: a connector deleted or made again on another node is noticed.
  auto row = configs_.find(kKind, name);
  if (!row) return nullptr;
  return instance_for(*row);
}

std::string CaConnectors::ca_certificate_pem(const std::string& name) {
  auto connector = instance(name);
  if (!connector) throw CaConnectorError("no CA connector '" + name + "'");
  return std::string(connector->call(4, {}).at("certificate").as_string());
}

std::string CaConnectors::crl_der(const std::string& name) {
  return crl(name, false);
}

void CaConnectors::renew_crl(const std::string& name) {
  crl(name, true);
}

int CaConnectors::renew_due_crls() {
  int renewed = 0;
  for (const auto& connector : list()) {
    try {
      bool fresh = false;
      crl(connector.name, false, &fresh);
      renewed += fresh ? 1 : 0;
    } catch (const std::exception& e) {
      spdlog::warn("cannot renew the CRL of CA connector {}: {}", connector.name, e.what());
    }
  }
  return renewed;
}

std::string CaConnectors::crl(const std::string& name, bool renew, bool* renewed) {
  auto connector = instance(name);
  if (!connector) throw CaConnectorError("no CA connector '" + name + "'");
  const long long now = unix_now();
  auto stored = crls_.current(name);
  const bool due = renew || !stored || stored->next_update - crl_renew_before_ <= now;
  if (renewed) *renewed = due;
  if (due) {
    boost::json::array revoked;
    for (const auto& r : crls_.revoked(name))
      revoked.push_back({{"serial", r.serial}, {"time", r.revoked_at}, {"reason", r.reason}});
    db::StoredCrl fresh;
    fresh.crl_number = stored ? stored->crl_number + 1 : 1;
    fresh.next_update = now + crl_validity_;
    fresh.der_base64 = std::string(connector
                                       ->call(5, {{"revoked", revoked},
                                                  {"crl_number", fresh.crl_number},
                                                  {"next_update", fresh.next_update}})
                                       .at("crl")
                                       .as_string());
    // Another node may have renewed it at the same moment: then its CRL is the current one.
    stored = crls_.replace(name, fresh) ? fresh : crls_.current(name);
  }
  auto der = crypto::base64_decode(stored->der_base64);
  if (!der) throw std::runtime_error("the stored CRL of " + name + " is not base64");
  return std::string(der->begin(), der->end());
}

}  // namespace tessera::ca
