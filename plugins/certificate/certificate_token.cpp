// The certificate token: an X.509 certificate for a user, from a CSR they send, from a key made
// here, or an existing certificate. This plugin checks the form of what the user sends (a CSR
// whose signature verifies, so the requester holds the key; certificates that parse); the host
// then has the CSR issued by a CA connector under a profile, with the subject and names taken
// from the user, never from the CSR, or checks the existing certificate against its trusted CAs.
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <tessera/sdk/plugin.hpp>

namespace {

using tessera::sdk::ComponentInfo;
using tessera::sdk::Error;

constexpr size_t kMaxRequest = 64 * 1024;

struct Free {
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(X509_REQ* p) const { X509_REQ_free(p); }
  void operator()(X509* p) const { X509_free(p); }
};

std::string pem_of(X509* certificate) {
  std::unique_ptr<BIO, Free> out(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(out.get(), certificate);
  char* data = nullptr;
  const long size = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

// An existing certificate (PEM; intermediates after it are ignored), in canonical PEM.
std::string checked_certificate(const std::string& pem) {
  if (pem.size() > kMaxRequest) throw Error::invalid_argument("the certificate is too large");
  std::unique_ptr<BIO, Free> in(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  std::unique_ptr<X509, Free> certificate(PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (!certificate) throw Error::invalid_argument("'certificate' is not a PEM certificate");
  return pem_of(certificate.get());
}

std::string text(const boost::json::object& object, const char* key) {
  const auto* value = object.if_contains(key);
  if (!value || value->is_null()) return {};
  if (!value->is_string()) throw Error::invalid_argument(std::string("'") + key + "' must be text");
  return std::string(value->get_string());
}

std::vector<std::string> strings(const boost::json::object& object, const char* key) {
  std::vector<std::string> out;
  if (const auto* list = object.if_contains(key); list && list->is_array())
    for (const auto& item : list->get_array())
      if (item.is_string()) out.emplace_back(item.get_string());
  return out;
}

// The CSR in canonical PEM, once its signature verified.
std::string checked_request(const std::string& pem) {
  if (pem.size() > kMaxRequest) throw Error::invalid_argument("the request is too large");
  std::unique_ptr<BIO, Free> in(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  std::unique_ptr<X509_REQ, Free> csr(PEM_read_bio_X509_REQ(in.get(), nullptr, nullptr, nullptr));
  if (!csr) {
    ERR_clear_error();
    throw Error::invalid_argument("'request' is not a PEM certificate signing request");
  }
  EVP_PKEY* key = X509_REQ_get0_pubkey(csr.get());
  if (!key || X509_REQ_verify(csr.get(), key) != 1) {
    ERR_clear_error();
    throw Error::invalid_argument("the request's signature does not verify");
  }
  std::unique_ptr<BIO, Free> out(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509_REQ(out.get(), csr.get());
  char* data = nullptr;
  const long size = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

// The names the host will ask the CA for, which an ACME CA takes from the request: DNS names,
// IP addresses and RFC 4043 permanent identifiers (a device's serial).
struct RequestNames {
  std::vector<std::pair<std::string, std::string>> subject;  // empty: CN = the token serial
  std::vector<std::string> email, upn, dns, ip, permanent_identifier;
  // A Microsoft CA's template: AD CS and the services built like it read it from the request's
  // certificate template name extension (1.3.6.1.4.1.311.20.2), as Windows' clients send it.
  std::string ca_template;
  bool empty() const {
    return email.empty() && upn.empty() && dns.empty() && ip.empty() &&
           permanent_identifier.empty();
  }
};

GENERAL_NAME* text_name(int type, const std::string& value) {
  GENERAL_NAME* name = GENERAL_NAME_new();
  ASN1_IA5STRING* text = ASN1_IA5STRING_new();
  ASN1_STRING_set(text, value.data(), static_cast<int>(value.size()));
  GENERAL_NAME_set0_value(name, type, text);
  return name;
}

// A Microsoft UPN: otherName 1.3.6.1.4.1.311.20.2.3 with a UTF8String.
GENERAL_NAME* upn_name(const std::string& value) {
  ASN1_UTF8STRING* text = ASN1_UTF8STRING_new();
  ASN1_STRING_set(text, value.data(), static_cast<int>(value.size()));
  ASN1_TYPE* any = ASN1_TYPE_new();
  ASN1_TYPE_set(any, V_ASN1_UTF8STRING, text);
  GENERAL_NAME* name = GENERAL_NAME_new();
  GENERAL_NAME_set0_othername(name, OBJ_nid2obj(NID_ms_upn), any);
  return name;
}

// PermanentIdentifier ::= SEQUENCE { identifierValue UTF8String }, as an otherName.
GENERAL_NAME* permanent_identifier_name(const std::string& value) {
  if (value.empty() || value.size() > 64)
    throw Error::invalid_argument("san_permanent_identifier: 1 to 64 characters");
  std::string der{'\x30', static_cast<char>(value.size() + 2), '\x0c',
                  static_cast<char>(value.size())};
  der += value;
  ASN1_STRING* sequence = ASN1_STRING_new();
  ASN1_STRING_set(sequence, der.data(), static_cast<int>(der.size()));
  ASN1_TYPE* any = ASN1_TYPE_new();
  ASN1_TYPE_set(any, V_ASN1_SEQUENCE, sequence);
  GENERAL_NAME* name = GENERAL_NAME_new();
  GENERAL_NAME_set0_othername(name, OBJ_nid2obj(NID_id_on_permanentIdentifier), any);
  return name;
}

// The certificate template name extension: the name as a BMPString.
X509_EXTENSION* template_name_extension(const std::string& name) {
  ASN1_STRING* bmp = nullptr;
  if (ASN1_mbstring_copy(&bmp, reinterpret_cast<const unsigned char*>(name.data()),
                         static_cast<int>(name.size()), MBSTRING_UTF8, B_ASN1_BMPSTRING) <= 0)
    throw Error::invalid_argument("ca_template: '" + name + "' cannot be written as a BMPString");
  unsigned char* der = nullptr;
  const int size = i2d_ASN1_BMPSTRING(bmp, &der);
  ASN1_STRING_free(bmp);
  ASN1_OCTET_STRING* value = ASN1_OCTET_STRING_new();
  ASN1_OCTET_STRING_set(value, der, size);
  OPENSSL_free(der);
  ASN1_OBJECT* oid = OBJ_txt2obj("1.3.6.1.4.1.311.20.2", 1);
  X509_EXTENSION* extension = X509_EXTENSION_create_by_OBJ(nullptr, oid, 0, value);
  ASN1_OBJECT_free(oid);
  ASN1_OCTET_STRING_free(value);
  if (!extension) throw Error(Error::Kind::internal, "cannot make the template name extension");
  return extension;
}

X509_EXTENSION* alternative_names(const RequestNames& names) {
  GENERAL_NAMES* list = sk_GENERAL_NAME_new_null();
  for (const auto& email : names.email) sk_GENERAL_NAME_push(list, text_name(GEN_EMAIL, email));
  for (const auto& upn : names.upn) sk_GENERAL_NAME_push(list, upn_name(upn));
  for (const auto& dns : names.dns) sk_GENERAL_NAME_push(list, text_name(GEN_DNS, dns));
  for (const auto& ip : names.ip) {
    ASN1_OCTET_STRING* address = a2i_IPADDRESS(ip.c_str());
    if (!address) {
      GENERAL_NAMES_free(list);
      throw Error::invalid_argument("san_ip: '" + ip + "' is no IP address");
    }
    GENERAL_NAME* name = GENERAL_NAME_new();
    GENERAL_NAME_set0_value(name, GEN_IPADD, address);
    sk_GENERAL_NAME_push(list, name);
  }
  try {
    for (const auto& id : names.permanent_identifier)
      sk_GENERAL_NAME_push(list, permanent_identifier_name(id));
  } catch (...) {
    GENERAL_NAMES_free(list);
    throw;
  }
  X509_EXTENSION* extension = X509V3_EXT_i2d(NID_subject_alt_name, 0, list);
  GENERAL_NAMES_free(list);
  return extension;
}

void add_extensions(X509_REQ* csr, const RequestNames& names) {
  STACK_OF(X509_EXTENSION)* extensions = sk_X509_EXTENSION_new_null();
  const auto free_all = [&] { sk_X509_EXTENSION_pop_free(extensions, X509_EXTENSION_free); };
  try {
    if (!names.empty()) sk_X509_EXTENSION_push(extensions, alternative_names(names));
    if (!names.ca_template.empty())
      sk_X509_EXTENSION_push(extensions, template_name_extension(names.ca_template));
  } catch (...) {
    free_all();
    throw;
  }
  if (sk_X509_EXTENSION_num(extensions) > 0) X509_REQ_add_extensions(csr, extensions);
  free_all();
}

// A new key of key_type and a CSR for it (the CA sets the real subject), for a server-made key.
std::pair<std::string, std::string> new_key_and_request(const std::string& key_type,
                                                        const std::string& serial,
                                                        const RequestNames& names) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(nullptr, &EVP_PKEY_free);
  if (key_type == "ec-p256" || key_type == "ec-p384" || key_type == "ec-p521")
    key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC",
                                key_type == "ec-p256"   ? "P-256"
                                : key_type == "ec-p384" ? "P-384"
                                                        : "P-521"));
  else if (key_type == "rsa-2048" || key_type == "rsa-3072" || key_type == "rsa-4096")
    key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA",
                                static_cast<size_t>(std::stoi(key_type.substr(4)))));
  else
    throw Error::invalid_argument("key_type '" + key_type +
                                  "' is not supported (ec-p256, ec-p384, ec-p521, rsa-2048, "
                                  "rsa-3072, rsa-4096)");
  if (!key) throw Error(Error::Kind::internal, "cannot generate a key");
  std::unique_ptr<X509_REQ, Free> csr(X509_REQ_new());
  X509_NAME* name = X509_REQ_get_subject_name(csr.get());
  if (names.subject.empty())
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(serial.c_str()), -1, -1, 0);
  for (const auto& [field, value] : names.subject)
    if (!X509_NAME_add_entry_by_txt(name, field.c_str(), MBSTRING_UTF8,
                                    reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                    0))
      throw Error::invalid_argument("subject: the field " + field + " cannot be written");
  X509_REQ_set_pubkey(csr.get(), key.get());
  add_extensions(csr.get(), names);
  if (X509_REQ_sign(csr.get(), key.get(), EVP_sha256()) <= 0)
    throw Error(Error::Kind::internal, "cannot sign the request");
  auto pem = [](auto write) {
    std::unique_ptr<BIO, Free> out(BIO_new(BIO_s_mem()));
    write(out.get());
    char* data = nullptr;
    const long size = BIO_get_mem_data(out.get(), &data);
    return std::string(data, static_cast<size_t>(size));
  };
  return {pem([&](BIO* b) {
            PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
          }),
          pem([&](BIO* b) { PEM_write_bio_X509_REQ(b, csr.get()); })};
}

// What the host gives a server-made key's request: subject [[field, value]...] and names.
RequestNames names_of(const boost::json::object& params) {
  RequestNames names;
  if (const auto* subject = params.if_contains("subject"); subject && subject->is_array())
    for (const auto& item : subject->get_array())
      if (item.is_array() && item.get_array().size() == 2 && item.get_array()[0].is_string() &&
          item.get_array()[1].is_string())
        names.subject.emplace_back(item.get_array()[0].get_string(),
                                   item.get_array()[1].get_string());
  names.email = strings(params, "san_email");
  names.upn = strings(params, "san_upn");
  names.dns = strings(params, "san_dns");
  names.ip = strings(params, "san_ip");
  names.permanent_identifier = strings(params, "san_permanent_identifier");
  names.ca_template = text(params, "ca_template");
  return names;
}

class CertificateToken : public tessera::sdk::TokenType {
 public:
  using TokenType::TokenType;

  static ComponentInfo describe() { return {"certificate", "X.509 certificate", {}}; }

  // Returns the CSR for the host to have signed ("csr"), or the existing certificate for the
  // host to check ("certificate"); the token has no OTP. With genkey=1
  // the key is made here and handed over once ("private_key") for the host to wrap in the
  // PKCS#12 that the user downloads; nobody keeps it.
  boost::json::object enroll(const boost::json::object& request) override {
    const auto& params = request.at("params").as_object();
    const auto csr = text(params, "request");
    const auto genkey = text(params, "genkey") == "1" || text(params, "genkey") == "true";
    const auto existing = text(params, "certificate");
    if (int{genkey} + int{!csr.empty()} + int{!existing.empty()} != 1)
      throw Error::invalid_argument(
          "give one of 'request' (a PEM CSR), genkey=1 (a key made by the server) or "
          "'certificate' (an existing PEM certificate)");
    if (!existing.empty()) {
      return {{"otplen", 0},
              {"certificate", checked_certificate(existing)},
              {"info", {{"tokenkind", "software"}}},
              {"detail", boost::json::object()}};
    }
    if (genkey) {
      auto key_type = text(params, "key_type");
      auto [key, made_request] = new_key_and_request(key_type.empty() ? "ec-p256" : key_type,
                                                     text(request, "serial"), names_of(params));
      return {{"otplen", 0},
              {"csr", made_request},
              {"private_key", key},
              {"info", {{"tokenkind", "software"}, {"key_made_by", "server"}}},
              {"detail", boost::json::object()}};
    }
    return {{"otplen", 0},
            {"csr", checked_request(csr)},
            {"info", {{"tokenkind", "software"}}},
            {"detail", boost::json::object()}};
  }

  // A certificate is not an OTP: /validate/check never accepts one (certificate login comes
  // with mutual TLS).
  boost::json::object verify(const boost::json::object&) override { return {{"match", false}}; }
};

}  // namespace

TESSERA_PLUGIN("org.tessera.certificate", "0.1.0", tessera::sdk::component<CertificateToken>());
