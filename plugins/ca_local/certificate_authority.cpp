#include "certificate_authority.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/conf.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <ctime>
#include <memory>

#include <tessera/sdk/error.hpp>
#include <tessera/sdk/key_types.hpp>

namespace tessera::ca {
namespace {

using sdk::Error;

struct Free {
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(X509_REQ* p) const { X509_REQ_free(p); }
  void operator()(X509_CRL* p) const { X509_CRL_free(p); }
  void operator()(X509_REVOKED* p) const { X509_REVOKED_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
  void operator()(X509_NAME* p) const { X509_NAME_free(p); }
  // ASN1_INTEGER, ASN1_ENUMERATED and ASN1_TIME are all ASN1_STRING.
  void operator()(ASN1_STRING* p) const { ASN1_STRING_free(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
};
template <class T>
using Owned = std::unique_ptr<T, Free>;

[[noreturn]] void fail(const std::string& what) {
  ERR_clear_error();
  throw Error(Error::Kind::internal, what);
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

// A positive serial of 16 random bytes (RFC 5280 allows 20; CA/B asks for 64 random bits).
Owned<ASN1_INTEGER> random_serial() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) fail("no random bytes");
  bytes[0] = static_cast<unsigned char>((bytes[0] & 0x7f) | 0x40);  // positive, 16 bytes long
  Owned<BIGNUM> number(BN_bin2bn(bytes, sizeof bytes, nullptr));
  Owned<ASN1_INTEGER> serial(BN_to_ASN1_INTEGER(number.get(), nullptr));
  if (!serial) fail("cannot make a serial number");
  return serial;
}

std::string serial_hex(const ASN1_INTEGER* serial) {
  Owned<BIGNUM> number(ASN1_INTEGER_to_BN(serial, nullptr));
  char* hex = BN_bn2hex(number.get());
  std::string text(hex);
  OPENSSL_free(hex);
  return text;
}

// Adds an extension written in OpenSSL's configuration syntax ("critical,CA:TRUE").
// sections: OpenSSL configuration sections the value refers to (for structured names).
void add_extension(X509* certificate, X509* issuer, int nid, const std::string& value,
                   const std::string& sections = "") {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, certificate, nullptr, nullptr, 0);
  std::unique_ptr<CONF, decltype(&NCONF_free)> conf(NCONF_new(nullptr), &NCONF_free);
  if (!sections.empty()) {
    std::unique_ptr<BIO, decltype(&BIO_free)> in(
        BIO_new_mem_buf(sections.data(), static_cast<int>(sections.size())), &BIO_free);
    long line = 0;
    if (NCONF_load_bio(conf.get(), in.get(), &line) <= 0) fail("cannot read the name sections");
    X509V3_set_nconf(&ctx, conf.get());
  }
  Owned<X509_EXTENSION> extension(
      X509V3_EXT_nconf_nid(sections.empty() ? nullptr : conf.get(), &ctx, nid, value.c_str()));
  if (!extension || X509_add_ext(certificate, extension.get(), -1) != 1)
    fail("cannot add extension " + std::string(OBJ_nid2sn(nid)) + " = " + value);
}

// Values go into OpenSSL's extension syntax: refuse what could change its meaning.
std::string checked_value(const std::string& value, const char* what) {
  if (value.empty() || value.size() > 255 || value.find_first_of(",\n\r\\\"") != std::string::npos)
    throw Error::invalid_argument(std::string(what) + " '" + value +
                                  "' is empty, too long or has a character that is not allowed");
  return value;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

void set_validity(X509* certificate, long long not_before, long long not_after) {
  if (!ASN1_TIME_set(X509_getm_notBefore(certificate), static_cast<time_t>(not_before)) ||
      !ASN1_TIME_set(X509_getm_notAfter(certificate), static_cast<time_t>(not_after)))
    fail("cannot set the validity");
}

long long unix_time(const ASN1_TIME* time) {
  struct tm parts {};
  if (ASN1_TIME_to_tm(time, &parts) != 1) fail("cannot read a certificate time");
  return static_cast<long long>(timegm(&parts));
}

const std::vector<std::pair<std::string, int>>& reasons() {
  static const std::vector<std::pair<std::string, int>> list{
      {"unspecified", 0},        {"keyCompromise", 1}, {"cACompromise", 2},
      {"affiliationChanged", 3}, {"superseded", 4},    {"cessationOfOperation", 5},
      {"certificateHold", 6},    {"removeFromCRL", 8}, {"privilegeWithdrawn", 9},
      {"aACompromise", 10}};
  return list;
}

}  // namespace

Authority Authority::create(const std::string& key_type, const std::string& common_name,
                            int validity_days) {
  std::unique_ptr<EVP_PKEY, Freer> key;
  if (key_type == "ec-p256")
    key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  else if (key_type == "ec-p384")
    key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
  else if (key_type == "rsa-3072" || key_type == "rsa-4096")
    key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA",
                                static_cast<size_t>(key_type == "rsa-3072" ? 3072 : 4096)));
  else
    throw Error::invalid_argument("key_type '" + key_type +
                                  "' is not supported (ec-p256, ec-p384, rsa-3072, rsa-4096)");
  if (!key) fail("cannot generate the CA key");
  if (validity_days < 1 || validity_days > 36500)
    throw Error::invalid_argument("validity_days must be 1 to 36500");

  std::unique_ptr<X509, Freer> certificate(X509_new());
  X509_set_version(certificate.get(), 2);
  X509_set_serialNumber(certificate.get(), random_serial().get());
  X509_NAME* name = X509_get_subject_name(certificate.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(certificate.get(), name);
  const long long now = std::time(nullptr);
  set_validity(certificate.get(), now - 60, now + 86400LL * validity_days);
  X509_set_pubkey(certificate.get(), key.get());
  add_extension(certificate.get(), certificate.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_extension(certificate.get(), certificate.get(), NID_key_usage,
                "critical,keyCertSign,cRLSign");
  add_extension(certificate.get(), certificate.get(), NID_subject_key_identifier, "hash");
  add_extension(certificate.get(), certificate.get(), NID_authority_key_identifier, "keyid:always");
  if (X509_sign(certificate.get(), key.get(), EVP_sha256()) <= 0) fail("cannot sign the CA");
  return Authority(std::move(key), std::move(certificate));
}

Authority Authority::load(const std::string& certificate_pem, const std::string& key_pem) {
  Owned<BIO> cert_bio(
      BIO_new_mem_buf(certificate_pem.data(), static_cast<int>(certificate_pem.size())));
  std::unique_ptr<X509, Freer> certificate(
      PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  Owned<BIO> key_bio(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
  std::unique_ptr<EVP_PKEY, Freer> key(
      PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (!certificate) throw Error::invalid_argument("the CA certificate is not a PEM certificate");
  if (!key) throw Error::invalid_argument("the CA key is not an unencrypted PEM private key");
  if (X509_check_private_key(certificate.get(), key.get()) != 1) {
    ERR_clear_error();
    throw Error::invalid_argument("the CA key does not belong to the CA certificate");
  }
  if (X509_check_ca(certificate.get()) == 0)
    throw Error::invalid_argument("the certificate is not a CA certificate");
  return Authority(std::move(key), std::move(certificate));
}

std::string Authority::certificate_pem() const {
  Owned<BIO> bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), certificate_.get());
  return bio_text(bio.get());
}

std::string Authority::key_pem() const {
  Owned<BIO> bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr);
  return bio_text(bio.get());
}

Authority::Issued Authority::issue(const IssueRequest& r) const {
  if (r.csr_pem.size() > 64 * 1024) throw Error::invalid_argument("the CSR is too large");
  Owned<BIO> bio(BIO_new_mem_buf(r.csr_pem.data(), static_cast<int>(r.csr_pem.size())));
  Owned<X509_REQ> csr(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (!csr) throw Error::invalid_argument("the request is not a PEM certificate signing request");
  EVP_PKEY* public_key = X509_REQ_get0_pubkey(csr.get());
  if (!public_key || X509_REQ_verify(csr.get(), public_key) != 1) {
    ERR_clear_error();
    throw Error::invalid_argument("the CSR's signature does not verify");
  }
  const auto key_type = sdk::key_type_of(public_key);
  if (std::find(r.key_types.begin(), r.key_types.end(), key_type) == r.key_types.end())
    throw Error::invalid_argument("the CSR's key (" + (key_type.empty() ? "unknown" : key_type) +
                                  ") is not allowed here (allowed: " + join(r.key_types) + ")");
  if (r.validity_days < 1 || r.validity_days > 3650)
    throw Error::invalid_argument("validity_days must be 1 to 3650");
  if (r.subject.empty()) throw Error::invalid_argument("the certificate needs a subject");

  std::unique_ptr<X509, Freer> certificate(X509_new());
  X509_set_version(certificate.get(), 2);
  const auto serial = random_serial();
  X509_set_serialNumber(certificate.get(), serial.get());
  Owned<X509_NAME> subject(X509_NAME_new());
  for (const auto& [field, value] : r.subject) {
    if (value.empty() || value.size() > 255)
      throw Error::invalid_argument("subject " + field + " is empty or too long");
    if (X509_NAME_add_entry_by_txt(subject.get(), field.c_str(), MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                   0) != 1) {
      ERR_clear_error();
      throw Error::invalid_argument("subject field '" + field + "' is not allowed");
    }
  }
  X509_set_subject_name(certificate.get(), subject.get());
  X509_set_issuer_name(certificate.get(), X509_get_subject_name(certificate_.get()));
  const long long now = std::time(nullptr);
  // Never beyond the CA's own end.
  const long long not_after =
      std::min(now + 86400LL * r.validity_days, unix_time(X509_get0_notAfter(certificate_.get())));
  set_validity(certificate.get(), now - 60, not_after);
  X509_set_pubkey(certificate.get(), public_key);

  X509* self = certificate.get();
  X509* issuer = certificate_.get();
  add_extension(self, issuer, NID_basic_constraints, "critical,CA:FALSE");
  if (!r.key_usage.empty()) {
    std::vector<std::string> usages;
    for (const auto& u : r.key_usage) usages.push_back(checked_value(u, "key usage"));
    add_extension(self, issuer, NID_key_usage, "critical," + join(usages));
  }
  if (!r.extended_key_usage.empty()) {
    std::vector<std::string> usages;
    for (const auto& u : r.extended_key_usage) {
      if (u == "clientAuth" || u == "emailProtection" || u == "serverAuth")
        usages.push_back(u);
      else if (u == "smartcardLogon")
        usages.push_back("msSmartcardLogin");
      else
        throw Error::invalid_argument("extended key usage '" + u +
                                      "' is not supported (clientAuth, emailProtection, "
                                      "smartcardLogon, serverAuth)");
    }
    add_extension(self, issuer, NID_ext_key_usage, join(usages));
  }
  std::vector<std::string> names;
  for (const auto& email : r.san_email) names.push_back("email:" + checked_value(email, "e-mail"));
  for (const auto& upn : r.san_upn)
    names.push_back("otherName:msUPN;UTF8:" + checked_value(upn, "UPN"));
  for (const auto& dns : r.san_dns) names.push_back("DNS:" + checked_value(dns, "DNS name"));
  for (const auto& ip : r.san_ip) names.push_back("IP:" + checked_value(ip, "IP address"));
  // RFC 4043's PermanentIdentifier is a SEQUENCE: OpenSSL builds it from a section.
  std::string sections;
  for (size_t i = 0; i < r.san_permanent_identifier.size(); ++i) {
    const auto& id = r.san_permanent_identifier[i];
    if (id.find_first_not_of(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/+") !=
        std::string::npos)
      throw Error::invalid_argument("permanent identifier '" + id +
                                    "' has a character that is not allowed");
    names.push_back("otherName:1.3.6.1.5.5.7.8.3;SEQUENCE:permanent_identifier_" +
                    std::to_string(i));
    sections += "[permanent_identifier_" + std::to_string(i) +
                "]\nvalue = UTF8:" + checked_value(id, "permanent identifier") + "\n";
  }
  if (!names.empty()) add_extension(self, issuer, NID_subject_alt_name, join(names), sections);
  add_extension(self, issuer, NID_subject_key_identifier, "hash");
  add_extension(self, issuer, NID_authority_key_identifier, "keyid:always");
  if (!r.crl_url.empty())
    add_extension(self, issuer, NID_crl_distribution_points,
                  "URI:" + checked_value(r.crl_url, "CRL URL"));
  if (X509_sign(self, key_.get(), EVP_sha256()) <= 0) fail("cannot sign the certificate");

  Owned<BIO> out(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(out.get(), self);
  return {bio_text(out.get()), serial_hex(serial.get()), not_after};
}

std::string Authority::crl(const std::vector<Revoked>& revoked, long long number,
                           long long next_update) const {
  Owned<X509_CRL> list(X509_CRL_new());
  X509_CRL_set_version(list.get(), 1);  // v2
  X509_CRL_set_issuer_name(list.get(), X509_get_subject_name(certificate_.get()));
  const long long now = std::time(nullptr);
  Owned<ASN1_TIME> last(ASN1_TIME_set(nullptr, static_cast<time_t>(now)));
  Owned<ASN1_TIME> next(ASN1_TIME_set(nullptr, static_cast<time_t>(next_update)));
  X509_CRL_set1_lastUpdate(list.get(), last.get());
  X509_CRL_set1_nextUpdate(list.get(), next.get());
  for (const auto& entry : revoked) {
    BIGNUM* raw = nullptr;
    if (entry.serial_hex.empty() || entry.serial_hex.size() > 40 ||
        BN_hex2bn(&raw, entry.serial_hex.c_str()) != static_cast<int>(entry.serial_hex.size())) {
      BN_free(raw);
      throw Error::invalid_argument("serial '" + entry.serial_hex + "' is not hexadecimal");
    }
    Owned<BIGNUM> number_bn(raw);
    Owned<ASN1_INTEGER> serial(BN_to_ASN1_INTEGER(number_bn.get(), nullptr));
    Owned<X509_REVOKED> item(X509_REVOKED_new());
    Owned<ASN1_TIME> when(ASN1_TIME_set(nullptr, static_cast<time_t>(entry.time)));
    X509_REVOKED_set_serialNumber(item.get(), serial.get());
    X509_REVOKED_set_revocationDate(item.get(), when.get());
    auto reason = std::find_if(reasons().begin(), reasons().end(),
                               [&](const auto& r) { return r.first == entry.reason; });
    if (reason == reasons().end())
      throw Error::invalid_argument("revocation reason '" + entry.reason + "' is not RFC 5280's");
    Owned<ASN1_ENUMERATED> code(ASN1_ENUMERATED_new());
    ASN1_ENUMERATED_set(code.get(), reason->second);
    X509_REVOKED_add1_ext_i2d(item.get(), NID_crl_reason, code.get(), 0, 0);
    X509_CRL_add0_revoked(list.get(), item.release());
  }
  X509_CRL_sort(list.get());
  Owned<ASN1_INTEGER> crl_number(ASN1_INTEGER_new());
  ASN1_INTEGER_set_int64(crl_number.get(), number);
  X509_CRL_add1_ext_i2d(list.get(), NID_crl_number, crl_number.get(), 0, 0);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, certificate_.get(), nullptr, nullptr, list.get(), 0);
  Owned<X509_EXTENSION> aki(
      X509V3_EXT_conf_nid(nullptr, &ctx, NID_authority_key_identifier, "keyid:always"));
  if (!aki || X509_CRL_add_ext(list.get(), aki.get(), -1) != 1) fail("cannot add the CRL's AKI");
  if (X509_CRL_sign(list.get(), key_.get(), EVP_sha256()) <= 0) fail("cannot sign the CRL");
  unsigned char* der = nullptr;
  const int size = i2d_X509_CRL(list.get(), &der);
  if (size <= 0) fail("cannot encode the CRL");
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(size));
  OPENSSL_free(der);
  return out;
}

}  // namespace tessera::ca
