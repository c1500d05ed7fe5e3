#include "client/card/card_request.hpp"

#include <memory>

#include <openssl/pem.h>
#include <openssl/x509.h>

namespace tessera::card {

std::string card_request(CardSession& card, const std::string& id, EVP_PKEY* public_key,
                         const std::string& common_name) {
  std::unique_ptr<X509_REQ, decltype(&X509_REQ_free)> request(X509_REQ_new(), &X509_REQ_free);
  X509_REQ_set_version(request.get(), 0);
  X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(request.get()), "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509_REQ_set_pubkey(request.get(), public_key);
  // The algorithm first (it is part of what is signed for certificates, not for requests, but
  // the request must name it), then the card's signature over the request's info.
  X509_ALGOR* algorithm = X509_ALGOR_new();
  const bool ec = EVP_PKEY_is_a(public_key, "EC");
  X509_ALGOR_set0(algorithm, OBJ_nid2obj(ec ? NID_ecdsa_with_SHA256 : NID_sha256WithRSAEncryption),
                  ec ? V_ASN1_UNDEF : V_ASN1_NULL, nullptr);
  X509_REQ_set1_signature_algo(request.get(), algorithm);
  X509_ALGOR_free(algorithm);
  unsigned char* info = nullptr;
  const int info_size = i2d_re_X509_REQ_tbs(request.get(), &info);
  if (info_size <= 0) throw CardError("cannot write the certificate request");
  const std::string to_sign(reinterpret_cast<char*>(info), static_cast<size_t>(info_size));
  OPENSSL_free(info);
  const auto signature = card.sign(id, to_sign);
  ASN1_BIT_STRING* bits = ASN1_BIT_STRING_new();
  ASN1_BIT_STRING_set(bits, reinterpret_cast<unsigned char*>(const_cast<char*>(signature.data())),
                      static_cast<int>(signature.size()));
  bits->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
  bits->flags |= ASN1_STRING_FLAG_BITS_LEFT;
  X509_REQ_set0_signature(request.get(), bits);
  if (X509_REQ_verify(request.get(), public_key) != 1)
    throw CardError("the card's signature over the request does not verify");
  std::unique_ptr<BIO, decltype(&BIO_free)> out(BIO_new(BIO_s_mem()), &BIO_free);
  PEM_write_bio_X509_REQ(out.get(), request.get());
  char* data = nullptr;
  const long size = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

}  // namespace tessera::card
