// The local CA: a CA connector that signs in process with OpenSSL. Its key and certificate are
// made at first use (or imported from the configuration) and kept in the host's store, the key
// sealed. It issues at once (never pending); revocations are recorded by the host, which asks
// for a CRL with the list of them.
#include <openssl/evp.h>

#include <tessera/sdk/plugin.hpp>

#include "certificate_authority.hpp"

namespace {

using tessera::ca::Authority;
using tessera::sdk::ComponentInfo;
using tessera::sdk::Error;
using tessera::sdk::Param;

std::string text(const boost::json::object& object, const char* key) {
  const auto* value = object.if_contains(key);
  if (!value || value->is_null()) return {};
  if (!value->is_string()) throw Error::invalid_argument(std::string("'") + key + "' must be text");
  return std::string(value->get_string());
}

long long number(const boost::json::object& object, const char* key, long long fallback) {
  const auto* value = object.if_contains(key);
  if (!value || value->is_null()) return fallback;
  if (!value->is_number())
    throw Error::invalid_argument(std::string("'") + key + "' must be a number");
  return value->to_number<long long>();
}

std::vector<std::string> strings(const boost::json::object& object, const char* key) {
  std::vector<std::string> out;
  const auto* value = object.if_contains(key);
  if (!value || value->is_null()) return out;
  if (!value->is_array())
    throw Error::invalid_argument(std::string("'") + key + "' must be a list");
  for (const auto& item : value->get_array()) {
    if (!item.is_string()) throw Error::invalid_argument(std::string("'") + key + "' lists text");
    out.emplace_back(item.get_string());
  }
  return out;
}

const boost::json::object& object_at(const boost::json::object& object, const char* key) {
  static const boost::json::object none;
  const auto* value = object.if_contains(key);
  if (!value || value->is_null()) return none;
  if (!value->is_object())
    throw Error::invalid_argument(std::string("'") + key + "' must be an object");
  return value->get_object();
}

std::string base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

class LocalCa : public tessera::sdk::CaConnector {
 public:
  explicit LocalCa(const tessera::sdk::ComponentContext& context)
      : CaConnector(context), authority_(open_or_create(context)) {}

  static ComponentInfo describe() {
    return {
        "ca_local",
        "Local CA (OpenSSL, in process)",
        {Param::string("key_type", "key of a new CA: ec-p256, ec-p384, rsa-3072, rsa-4096")
             .defaults_to("\"ec-p256\""),
         Param::string("common_name", "subject CN of a new CA").defaults_to("\"Tessera CA\""),
         Param::integer("validity_days", "lifetime of a new CA certificate").defaults_to("3650"),
         Param::string("certificate", "PEM of an existing CA certificate to import")
             .defaults_to("\"\""),
         Param::string("private_key", "PEM of the imported CA's key")
             .secret()
             .defaults_to("\"\"")}};
  }

  // {"csr", "profile": {"validity_days", "key_types", "key_usage", "extended_key_usage",
  // "crl_url"}, "subject": {"CN": .., "O": ..}, "san": {"email", "upn", "dns", "ip",
  // "permanent_identifier": [..]}}
  boost::json::object sign_request(const boost::json::object& request) override {
    const auto& profile = object_at(request, "profile");
    Authority::IssueRequest issue;
    issue.csr_pem = text(request, "csr");
    issue.validity_days = static_cast<int>(number(profile, "validity_days", 365));
    issue.key_types = strings(profile, "key_types");
    issue.key_usage = strings(profile, "key_usage");
    issue.extended_key_usage = strings(profile, "extended_key_usage");
    issue.crl_url = text(profile, "crl_url");
    for (const auto& [field, value] : object_at(request, "subject")) {
      if (!value.is_string()) throw Error::invalid_argument("subject values must be text");
      issue.subject.emplace_back(std::string(field), std::string(value.get_string()));
    }
    const auto& san = object_at(request, "san");
    issue.san_email = strings(san, "email");
    issue.san_upn = strings(san, "upn");
    issue.san_dns = strings(san, "dns");
    issue.san_ip = strings(san, "ip");
    issue.san_permanent_identifier = strings(san, "permanent_identifier");
    const auto issued = authority_.issue(issue);
    host().info("issued certificate " + issued.serial_hex);
    return {{"state", "issued"},
            {"certificate", issued.certificate_pem},
            {"serial", issued.serial_hex},
            {"not_after", issued.not_after}};
  }

  boost::json::object request_status(const boost::json::object&) override {
    throw Error::not_found("the local CA issues at once: no request of it is pending");
  }

  // Nothing to do at the CA itself: the host records the revocation and signs a new CRL.
  boost::json::object revoke(const boost::json::object& request) override {
    if (text(request, "serial").empty()) throw Error::invalid_argument("no serial to revoke");
    return {{"state", "revoked"}};
  }

  boost::json::object ca_certificate(const boost::json::object&) override {
    return {{"certificate", authority_.certificate_pem()}};
  }

  boost::json::object crl(const boost::json::object& request) override {
    std::vector<Authority::Revoked> revoked;
    const auto* list = request.if_contains("revoked");
    if (list && list->is_array())
      for (const auto& item : list->get_array()) {
        if (!item.is_object()) throw Error::invalid_argument("each revoked entry is an object");
        const auto& entry = item.get_object();
        revoked.push_back({text(entry, "serial"), number(entry, "time", 0),
                           text(entry, "reason").empty() ? "unspecified" : text(entry, "reason")});
      }
    return {{"crl", base64(authority_.crl(revoked, number(request, "crl_number", 1),
                                          number(request, "next_update", 0)))}};
  }

 private:
  // The CA lives in the store under the instance's name.
  Authority open_or_create(const tessera::sdk::ComponentContext& context) {
    const auto store = host().store(context.instance_name);
    const auto key = store.get("ca_key");
    const auto certificate = store.get("ca_certificate");
    const auto& config = context.config;
    const auto imported = std::string(config.at("certificate").as_string());
    if (key && certificate) {
      // The name had a CA before (made or imported): it stays, and another one cannot be
      // slipped in under the same name.
      if (!imported.empty() && imported != *certificate)
        throw Error::invalid_argument("CA '" + context.instance_name +
                                      "' already has another CA certificate: use a new name");
      return Authority::load(*certificate, *key);
    }
    auto authority =
        imported.empty()
            ? Authority::create(std::string(config.at("key_type").as_string()),
                                std::string(config.at("common_name").as_string()),
                                static_cast<int>(config.at("validity_days").as_int64()))
            : Authority::load(imported, std::string(config.at("private_key").as_string()));
    store.set_secret("ca_key", authority.key_pem());
    store.set("ca_certificate", authority.certificate_pem());
    host().info(std::string(imported.empty() ? "created" : "imported") + " CA " +
                context.instance_name);
    return authority;
  }

  Authority authority_;
};

}  // namespace

TESSERA_PLUGIN("org.tessera.ca_local", "0.1.0", tessera::sdk::component<LocalCa>());
