#include "cmc.hpp"

#include <memory>

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include <tessera/sdk/error.hpp>

#include "page_text.hpp"

namespace tessera::msca {
namespace {

using sdk::Error;

// DER, written by hand: what is written here is ours (a few fixed structures), never read.
std::string tlv(unsigned char tag, const std::string& content) {
  std::string out(1, static_cast<char>(tag));
  if (content.size() < 0x80) {
    out += static_cast<char>(content.size());
  } else {
    std::string length;
    for (size_t n = content.size(); n > 0; n >>= 8)
      length.insert(length.begin(), static_cast<char>(n & 0xff));
    out += static_cast<char>(0x80 | length.size());
    out += length;
  }
  return out + content;
}
std::string sequence(const std::string& content) {
  return tlv(0x30, content);
}
std::string set(const std::string& content) {
  return tlv(0x31, content);
}
std::string octets(const std::string& content) {
  return tlv(0x04, content);
}
std::string small_integer(int value) {
  return tlv(0x02, std::string(1, static_cast<char>(value)));
}

std::string oid(const char* dotted) {
  std::unique_ptr<ASN1_OBJECT, decltype(&ASN1_OBJECT_free)> object(OBJ_txt2obj(dotted, 1),
                                                                   &ASN1_OBJECT_free);
  unsigned char* der = nullptr;
  const int size = object ? i2d_ASN1_OBJECT(object.get(), &der) : 0;
  if (size <= 0) throw Error(Error::Kind::internal, std::string("cannot write OID ") + dotted);
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(size));
  OPENSSL_free(der);
  return out;
}

std::string digest(const EVP_MD* md, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), out, &size, md, nullptr) != 1)
    throw Error(Error::Kind::internal, "cannot hash the CMC request");
  return std::string(reinterpret_cast<char*>(out), size);
}

using Request = std::unique_ptr<X509_REQ, decltype(&X509_REQ_free)>;

Request parsed(const std::string& csr_der) {
  const auto* p = reinterpret_cast<const unsigned char*>(csr_der.data());
  Request request(d2i_X509_REQ(nullptr, &p, static_cast<long>(csr_der.size())), &X509_REQ_free);
  if (!request) throw Error::invalid_argument("the certificate request does not parse");
  return request;
}

constexpr const char* kTemplateName = "1.3.6.1.4.1.311.20.2";
constexpr const char* kTemplateInformation = "1.3.6.1.4.1.311.21.7";
constexpr const char* kNameValuePair = "1.3.6.1.4.1.311.13.2.1";

}  // namespace

bool names_template(const std::string& csr_der) {
  const auto request = parsed(csr_der);
  bool found = false;
  STACK_OF(X509_EXTENSION)* extensions = X509_REQ_get_extensions(request.get());
  for (int i = 0; i < sk_X509_EXTENSION_num(extensions); ++i) {
    char name[64] = {};
    OBJ_obj2txt(name, sizeof name,
                X509_EXTENSION_get_object(sk_X509_EXTENSION_value(extensions, i)), 1);
    found =
        found || std::string(name) == kTemplateName || std::string(name) == kTemplateInformation;
  }
  sk_X509_EXTENSION_pop_free(extensions, X509_EXTENSION_free);
  std::unique_ptr<ASN1_OBJECT, decltype(&ASN1_OBJECT_free)> pair(OBJ_txt2obj(kNameValuePair, 1),
                                                                 &ASN1_OBJECT_free);
  return found || X509_REQ_get_attr_by_OBJ(request.get(), pair.get(), -1) >= 0;
}

std::string cmc_request(const std::string& csr_der, const std::string& template_name) {
  const auto request = parsed(csr_der);
  // The signer is named by the request key's identifier (SHA-1 of its public key bits).
  const unsigned char* key_bits = nullptr;
  int key_size = 0;
  if (X509_PUBKEY_get0_param(nullptr, &key_bits, &key_size, nullptr,
                             X509_REQ_get_X509_PUBKEY(request.get())) != 1)
    throw Error::invalid_argument("the certificate request has no public key");
  const auto key_id =
      digest(EVP_sha1(), std::string(reinterpret_cast<const char*>(key_bits), key_size));

  const auto reg_info =
      sequence(small_integer(2) + oid("1.3.6.1.5.5.7.7.18") +
               set(octets("CertificateTemplate=" + percent_encoded(template_name))));
  // TaggedRequest tcr [0] IMPLICIT TaggedCertificationRequest { bodyPartID, the PKCS#10 }.
  const auto tagged_request = tlv(0xa0, small_integer(1) + csr_der);
  const auto pki_data =
      sequence(sequence(reg_info) + sequence(tagged_request) + sequence("") + sequence(""));

  const auto sha256 = sequence(oid("2.16.840.1.101.3.4.2.1"));
  const auto pki_data_type = oid("1.3.6.1.5.5.7.12.2");
  const auto attributes =
      sequence(oid("1.2.840.113549.1.9.3") + set(pki_data_type)) +
      sequence(oid("1.2.840.113549.1.9.4") + set(octets(digest(EVP_sha256(), pki_data))));
  // No-Signature: the "signature" is the hash of the signed attributes (as a SET).
  const auto signer =
      sequence(small_integer(3) + tlv(0x80, key_id) + sha256 + tlv(0xa0, attributes) +
               sequence(oid("1.3.6.1.5.5.7.6.2") + std::string("\x05\x00", 2)) +
               octets(digest(EVP_sha256(), set(attributes))));
  const auto signed_data =
      sequence(small_integer(3) + set(sha256) +
               sequence(pki_data_type + tlv(0xa0, octets(pki_data))) + set(signer));
  return sequence(oid("1.2.840.113549.1.7.2") + tlv(0xa0, signed_data));
}

}  // namespace tessera::msca
