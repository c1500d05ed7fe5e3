#include "server/ca/ca_connectors.hpp"

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include <openssl/x509.h>
#include "db/sealed_bindings.hpp"

#include "server/crypto/encoding.hpp"
#include "server/crypto/x509.hpp"
#include "server/plugins/abi_access.hpp"
#include "server/plugins/answer_limits.hpp"
#include "server/plugins/component_config.hpp"
#include "server/util/clock.hpp"

namespace tessera::ca {
namespace {

// The base64 DER of the CRL a connector signed, once it is bounded and parses as a CRL.
std::string checked_crl(const std::string& name, const boost::json::object& answer) {
  const auto* crl = answer.if_contains("crl");
  std::string problem;
  std::optional<std::vector<uint8_t>> der;
  if (!crl || !crl->is_string())
    problem = "gave no CRL";
  else if (crl->get_string().size() > plugins::limits::kCrl)
    problem = "gave a CRL of " + std::to_string(crl->get_string().size()) + " bytes, more than " +
              std::to_string(plugins::limits::kCrl);
  else if (!(der = crypto::base64_decode(std::string(crl->get_string()))))
    problem = "gave a CRL that is not base64";
  if (problem.empty()) {
    const unsigned char* p = der->data();
    X509_CRL* parsed = d2i_X509_CRL(nullptr, &p, static_cast<long>(der->size()));
    if (!parsed || p != der->data() + der->size()) problem = "gave a CRL that does not parse";
    X509_CRL_free(parsed);
  }
  if (!problem.empty()) {
    spdlog::warn("refused the CRL of CA connector {}: it {}", name, problem);
    throw plugins::PluginCallError(TESSERA_ERR_INTERNAL, "CA connector '" + name + "' " + problem);
  }
  return std::string(crl->get_string());
}

}  // namespace
std::string CaConnectors::ca_certificate_pem(const std::string& name) {
  auto connector = instance(name);
  if (!connector) throw CaConnectorError("no CA connector '" + name + "'");
  const auto answer = connector->call(plugins::Operation::ca_certificate, {});
  const auto* pem = answer.if_contains("certificate");
  std::string problem;
  if (!pem || !pem->is_string())
    problem = "gave no CA certificate";
  else if (pem->get_string().size() > plugins::limits::kCaCertificate)
    problem = "gave a CA certificate of " + std::to_string(pem->get_string().size()) +
              " bytes, more than " + std::to_string(plugins::limits::kCaCertificate);
  else if (!crypto::parse_certificate(std::string(pem->get_string())))
    problem = "gave a CA certificate that is not one PEM certificate";
  if (!problem.empty()) {
    spdlog::warn("refused the CA certificate of CA connector {}: it {}", name, problem);
    throw plugins::PluginCallError(TESSERA_ERR_INTERNAL, "CA connector '" + name + "' " + problem);
  }
  return std::string(pem->get_string());
}

std::string CaConnectors::crl_der(const std::string& name) {
  return crl(name);
}

int CaConnectors::renew_due_crls() {
  int renewed = 0;
  for (const auto& connector : list()) {
    try {
      // A CA that signs its own CRLs (no crl operation) is a normal case, not a failure.
      if (const auto made = instance(connector.name); !made || !made->has(plugins::Operation::crl))
        continue;
      bool fresh = false;
      crl(connector.name, &fresh);
      renewed += fresh ? 1 : 0;
    } catch (const std::exception& e) {
      spdlog::warn("cannot renew the CRL of CA connector {}: {}", connector.name, e.what());
    }
  }
  return renewed;
}

std::string CaConnectors::crl(const std::string& name, bool* renewed) {
  auto connector = instance(name);
  if (!connector) throw CaConnectorError("no CA connector '" + name + "'");
  if (!connector->has(plugins::Operation::crl))
    throw CaConnectorError("CA connector '" + name +
                           "' publishes its own CRL: ask its CA (Tessera signs none for it)");
  const long long now = util::unix_seconds();
  // Read before the revocations: one counted after this read leaves the new CRL stale.
  auto stored = crls_.current(name);
  const auto due = [&] {
    return !stored || stored->stale() || stored->next_update - crl_renew_before_ <= now;
  };
  if (renewed) *renewed = due();
  // Another node may renew at the same moment from a list read before a revocation: then its
  // CRL is stale, and we sign again on top of it, so that no revocation is left out.
  for (int attempt = 0; due() && attempt < 5; ++attempt) {
    boost::json::array revoked;
    for (const auto& r : crls_.revoked(name, now))
      revoked.push_back({{"serial", r.serial}, {"time", r.revoked_at}, {"reason", r.reason}});
    db::StoredCrl fresh;
    fresh.crl_number = stored ? stored->crl_number + 1 : 1;
    fresh.next_update = now + crl_validity_;
    fresh.included = stored ? stored->revocations : 0;
    fresh.der_base64 = checked_crl(
        name, connector->call(plugins::Operation::crl, {{"revoked", revoked},
                                                        {"crl_number", fresh.crl_number},
                                                        {"next_update", fresh.next_update}}));
    if (crls_.replace(name, fresh)) {
      stored = fresh;
      break;
    }
    stored = crls_.current(name);
  }
  if (!stored) throw CaConnectorError("the CRL of CA connector '" + name + "' could not be stored");
  auto der = crypto::base64_decode(stored->der_base64);
  if (!der) throw std::runtime_error("the stored CRL of " + name + " is not base64");
  return std::string(der->begin(), der->end());
}

}  // namespace tessera::ca
