#include "client/card/pkcs11_card.hpp"

#include <dlfcn.h>

#include <cstring>
#include <map>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include <p11-kit/pkcs11.h>

namespace tessera::card {

struct Pkcs11Module::Functions {
  CK_FUNCTION_LIST* list = nullptr;
};

namespace {

const std::map<CK_RV, const char*>& names() {
  static const std::map<CK_RV, const char*> known{
      {CKR_PIN_INCORRECT, "CKR_PIN_INCORRECT (a wrong PIN)"},
      {CKR_PIN_INVALID, "CKR_PIN_INVALID (the card does not take this PIN)"},
      {CKR_PIN_LEN_RANGE, "CKR_PIN_LEN_RANGE (the card does not take a PIN of this length)"},
      {CKR_PIN_LOCKED, "CKR_PIN_LOCKED (the PIN is blocked: unblock it with the SO PIN)"},
      {CKR_TOKEN_NOT_PRESENT, "CKR_TOKEN_NOT_PRESENT (no card in the reader)"},
      {CKR_USER_PIN_NOT_INITIALIZED, "CKR_USER_PIN_NOT_INITIALIZED (the card has no user PIN)"},
      {CKR_KEY_TYPE_INCONSISTENT, "CKR_KEY_TYPE_INCONSISTENT"},
      {CKR_MECHANISM_INVALID, "CKR_MECHANISM_INVALID (the card cannot make this kind of key)"},
      {CKR_USER_ALREADY_LOGGED_IN, "CKR_USER_ALREADY_LOGGED_IN"},
      {CKR_DEVICE_REMOVED, "CKR_DEVICE_REMOVED (the card was taken out)"},
  };
  return known;
}

std::string trimmed(const unsigned char* text, size_t size) {
  std::string out(reinterpret_cast<const char*>(text), size);
  while (!out.empty() && (out.back() == ' ' || out.back() == '\0')) out.pop_back();
  return out;
}

void check(CK_RV rv, const std::string& what) {
  if (rv != CKR_OK) throw CardError(what + ": " + pkcs11_error(rv));
}

CK_BBOOL yes = CK_TRUE, no = CK_FALSE;

// The DER of the named curve's OID, for CKA_EC_PARAMS.
std::string curve_oid(int nid) {
  ASN1_OBJECT* oid = OBJ_nid2obj(nid);
  unsigned char* der = nullptr;
  const int size = i2d_ASN1_OBJECT(oid, &der);
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(size));
  OPENSSL_free(der);
  return out;
}

std::vector<unsigned char> attribute(const CK_FUNCTION_LIST* f, CK_SESSION_HANDLE session,
                                     CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) {
  CK_ATTRIBUTE a{type, nullptr, 0};
  check(f->C_GetAttributeValue(session, object, &a, 1), "reading a key's attribute");
  std::vector<unsigned char> value(a.ulValueLen);
  a.pValue = value.data();
  check(f->C_GetAttributeValue(session, object, &a, 1), "reading a key's attribute");
  value.resize(a.ulValueLen);
  return value;
}

// A public key of type ("EC", "RSA") from the parameters in build, which it frees.
EVP_PKEY* public_key_from(const char* type, OSSL_PARAM_BLD* build) {
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(build);
  EVP_PKEY_CTX* context = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  EVP_PKEY* key = nullptr;
  if (EVP_PKEY_fromdata_init(context) != 1 ||
      EVP_PKEY_fromdata(context, &key, EVP_PKEY_PUBLIC_KEY, params) != 1)
    key = nullptr;
  EVP_PKEY_CTX_free(context);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(build);
  if (!key)
    throw CardError(std::string("the card's public key does not read as an ") + type + " key");
  return key;
}

// The public key of an EC key pair, from CKA_EC_POINT (an OCTET STRING around the point).
EVP_PKEY* ec_public_key(int nid, const std::vector<unsigned char>& point_der) {
  const unsigned char* p = point_der.data();
  ASN1_OCTET_STRING* point =
      d2i_ASN1_OCTET_STRING(nullptr, &p, static_cast<long>(point_der.size()));
  std::vector<unsigned char> raw =
      point ? std::vector<unsigned char>(point->data, point->data + point->length)
            : point_der;  // some modules give the bare point
  ASN1_OCTET_STRING_free(point);
  OSSL_PARAM_BLD* build = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_utf8_string(build, OSSL_PKEY_PARAM_GROUP_NAME, OBJ_nid2sn(nid), 0);
  OSSL_PARAM_BLD_push_octet_string(build, OSSL_PKEY_PARAM_PUB_KEY, raw.data(), raw.size());
  return public_key_from("EC", build);
}

EVP_PKEY* rsa_public_key(const std::vector<unsigned char>& modulus,
                         const std::vector<unsigned char>& exponent) {
  BIGNUM* n = BN_bin2bn(modulus.data(), static_cast<int>(modulus.size()), nullptr);
  BIGNUM* e = BN_bin2bn(exponent.data(), static_cast<int>(exponent.size()), nullptr);
  OSSL_PARAM_BLD* build = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_BN(build, OSSL_PKEY_PARAM_RSA_N, n);
  OSSL_PARAM_BLD_push_BN(build, OSSL_PKEY_PARAM_RSA_E, e);
  EVP_PKEY* key = public_key_from("RSA", build);
  BN_free(n);
  BN_free(e);
  return key;
}

// The private key with that CKA_ID, and its type.
std::pair<CK_OBJECT_HANDLE, CK_KEY_TYPE> private_key(const CK_FUNCTION_LIST* f,
                                                     CK_SESSION_HANDLE session,
                                                     const std::string& id) {
  CK_OBJECT_CLASS kind = CKO_PRIVATE_KEY;
  CK_ATTRIBUTE search[] = {{CKA_CLASS, &kind, sizeof kind},
                           {CKA_ID, const_cast<char*>(id.data()), id.size()}};
  check(f->C_FindObjectsInit(session, search, 2), "looking for the card's key");
  CK_OBJECT_HANDLE key = 0;
  CK_ULONG found = 0;
  const CK_RV rv = f->C_FindObjects(session, &key, 1, &found);
  f->C_FindObjectsFinal(session);
  check(rv, "looking for the card's key");
  if (found == 0) throw CardError("the card has no private key with this id");
  const auto type = attribute(f, session, key, CKA_KEY_TYPE);
  CK_KEY_TYPE key_type = 0;
  std::memcpy(&key_type, type.data(), std::min(type.size(), sizeof key_type));
  return {key, key_type};
}

}  // namespace

std::string pkcs11_error(unsigned long rv) {
  if (const auto it = names().find(rv); it != names().end()) return it->second;
  char hex[32];
  std::snprintf(hex, sizeof hex, "PKCS#11 error 0x%lX", rv);
  return hex;
}

std::shared_ptr<Pkcs11Module> Pkcs11Module::load(const std::string& path) {
  std::shared_ptr<Pkcs11Module> module(new Pkcs11Module());
  module->library_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!module->library_)
    throw CardError("the PKCS#11 module " + path + " does not load: " + dlerror());
  auto get = reinterpret_cast<CK_C_GetFunctionList>(dlsym(module->library_, "C_GetFunctionList"));
  module->functions_ = std::make_unique<Functions>();
  if (!get || get(&module->functions_->list) != CKR_OK || !module->functions_->list)
    throw CardError(path + " is no PKCS#11 module (no C_GetFunctionList)");
  const CK_RV rv = module->functions_->list->C_Initialize(nullptr);
  if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED)
    throw CardError("the PKCS#11 module " + path + " does not start: " + pkcs11_error(rv));
  return module;
}

Pkcs11Module::~Pkcs11Module() {
  if (functions_ && functions_->list) functions_->list->C_Finalize(nullptr);
  if (library_) dlclose(library_);
}

std::vector<CardInfo> Pkcs11Module::cards() {
  auto* f = functions_->list;
  CK_ULONG count = 0;
  check(f->C_GetSlotList(CK_TRUE, nullptr, &count), "listing the readers");
  std::vector<CK_SLOT_ID> slots(count);
  check(f->C_GetSlotList(CK_TRUE, slots.data(), &count), "listing the readers");
  std::vector<CardInfo> out;
  for (CK_ULONG i = 0; i < count; ++i) {
    CK_TOKEN_INFO info{};
    // A token that was never initialised is no card to use (SoftHSM2's spare slot).
    if (f->C_GetTokenInfo(slots[i], &info) != CKR_OK || !(info.flags & CKF_TOKEN_INITIALIZED))
      continue;
    out.push_back({slots[i], trimmed(info.label, sizeof info.label),
                   trimmed(info.serialNumber, sizeof info.serialNumber),
                   trimmed(info.manufacturerID, sizeof info.manufacturerID),
                   trimmed(info.model, sizeof info.model),
                   (info.flags & CKF_USER_PIN_INITIALIZED) != 0,
                   (info.flags & CKF_USER_PIN_LOCKED) != 0});
  }
  return out;
}

CardInfo Pkcs11Module::find(const std::string& label) {
  const auto all = cards();
  if (label.empty()) {
    if (all.size() == 1) return all.front();
    throw CardError(all.empty()
                        ? "no card found: insert one"
                        : std::to_string(all.size()) + " cards found: name one with --token-label");
  }
  for (const auto& card : all)
    if (card.label == label) return card;
  throw CardError("no card labelled '" + label + "' found");
}

std::unique_ptr<CardSession> Pkcs11Module::open(unsigned long slot) {
  return std::make_unique<CardSession>(shared_from_this(), slot);
}

CardSession::CardSession(std::shared_ptr<Pkcs11Module> module, unsigned long slot)
    : module_(std::move(module)) {
  check(module_->functions().list->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr,
                                                 nullptr, &session_),
        "opening the card");
}

CardSession::~CardSession() {
  auto* f = module_->functions().list;
  if (logged_in_) f->C_Logout(session_);
  f->C_CloseSession(session_);
}

void CardSession::set_user_pin(const std::string& so_pin, const std::string& new_pin) {
  auto* f = module_->functions().list;
  check(f->C_Login(session_, CKU_SO,
                   reinterpret_cast<CK_UTF8CHAR*>(const_cast<char*>(so_pin.data())), so_pin.size()),
        "logging in with the SO PIN");
  const CK_RV rv = f->C_InitPIN(
      session_, reinterpret_cast<CK_UTF8CHAR*>(const_cast<char*>(new_pin.data())), new_pin.size());
  f->C_Logout(session_);
  check(rv, "setting the user PIN");
}

void CardSession::log_in(const std::string& pin) {
  const CK_RV rv = module_->functions().list->C_Login(
      session_, CKU_USER, reinterpret_cast<CK_UTF8CHAR*>(const_cast<char*>(pin.data())),
      pin.size());
  if (rv != CKR_USER_ALREADY_LOGGED_IN) check(rv, "logging in with the user PIN");
  logged_in_ = true;
}

EVP_PKEY* CardSession::generate_key(const std::string& key_type, const std::string& id,
                                    const std::string& label) {
  auto* f = module_->functions().list;
  const bool ec = key_type.starts_with("ec-");
  const int nid = key_type == "ec-p256"   ? NID_X9_62_prime256v1
                  : key_type == "ec-p384" ? NID_secp384r1
                  : key_type == "ec-p521" ? NID_secp521r1
                                          : 0;
  CK_ULONG bits = key_type == "rsa-2048"   ? 2048
                  : key_type == "rsa-3072" ? 3072
                  : key_type == "rsa-4096" ? 4096
                                           : 0;
  if (ec ? nid == 0 : bits == 0)
    throw CardError("key type '" + key_type + "' is not one a card makes here");
  const auto params = ec ? curve_oid(nid) : std::string();
  CK_BYTE exponent[] = {0x01, 0x00, 0x01};
  CK_MECHANISM mechanism{ec ? CKM_EC_KEY_PAIR_GEN : CKM_RSA_PKCS_KEY_PAIR_GEN, nullptr, 0};
  std::vector<CK_ATTRIBUTE> public_template{
      {CKA_TOKEN, &yes, sizeof yes},
      {CKA_VERIFY, &yes, sizeof yes},
      {CKA_ID, const_cast<char*>(id.data()), id.size()},
      {CKA_LABEL, const_cast<char*>(label.data()), label.size()}};
  if (ec)
    public_template.push_back({CKA_EC_PARAMS, const_cast<char*>(params.data()), params.size()});
  else {
    public_template.push_back({CKA_MODULUS_BITS, &bits, sizeof bits});
    public_template.push_back({CKA_PUBLIC_EXPONENT, exponent, sizeof exponent});
  }
  // The private key stays on the card: sensitive and never extractable.
  CK_ATTRIBUTE private_template[] = {{CKA_TOKEN, &yes, sizeof yes},
                                     {CKA_PRIVATE, &yes, sizeof yes},
                                     {CKA_SENSITIVE, &yes, sizeof yes},
                                     {CKA_EXTRACTABLE, &no, sizeof no},
                                     {CKA_SIGN, &yes, sizeof yes},
                                     {CKA_ID, const_cast<char*>(id.data()), id.size()},
                                     {CKA_LABEL, const_cast<char*>(label.data()), label.size()}};
  CK_OBJECT_HANDLE public_key = 0, private_key_handle = 0;
  check(f->C_GenerateKeyPair(session_, &mechanism, public_template.data(), public_template.size(),
                             private_template, sizeof private_template / sizeof *private_template,
                             &public_key, &private_key_handle),
        "making the key on the card");
  if (ec) return ec_public_key(nid, attribute(f, session_, public_key, CKA_EC_POINT));
  return rsa_public_key(attribute(f, session_, public_key, CKA_MODULUS),
                        attribute(f, session_, public_key, CKA_PUBLIC_EXPONENT));
}

std::string CardSession::sign(const std::string& id, const std::string& data) {
  auto* f = module_->functions().list;
  const auto [key, type] = private_key(f, session_, id);
  const bool ec = type == CKK_EC;
  // ECDSA signs a hash the caller makes; RSA hashes itself.
  std::string input = data;
  if (ec) {
    unsigned char hash[32];
    unsigned int size = 0;
    EVP_Digest(data.data(), data.size(), hash, &size, EVP_sha256(), nullptr);
    input.assign(reinterpret_cast<char*>(hash), size);
  }
  CK_MECHANISM mechanism{ec ? CKM_ECDSA : CKM_SHA256_RSA_PKCS, nullptr, 0};
  check(f->C_SignInit(session_, &mechanism, key), "signing with the card");
  CK_ULONG size = 0;
  auto* bytes = reinterpret_cast<CK_BYTE*>(input.data());
  check(f->C_Sign(session_, bytes, input.size(), nullptr, &size), "signing with the card");
  std::string signature(size, '\0');
  check(
      f->C_Sign(session_, bytes, input.size(), reinterpret_cast<CK_BYTE*>(signature.data()), &size),
      "signing with the card");
  signature.resize(size);
  if (!ec) return signature;
  // PKCS#11 gives r and s side by side; X.509 wants them as an ECDSA-Sig-Value.
  const auto half = static_cast<int>(signature.size() / 2);
  ECDSA_SIG* sig = ECDSA_SIG_new();
  ECDSA_SIG_set0(
      sig, BN_bin2bn(reinterpret_cast<unsigned char*>(signature.data()), half, nullptr),
      BN_bin2bn(reinterpret_cast<unsigned char*>(signature.data()) + half, half, nullptr));
  unsigned char* der = nullptr;
  const int der_size = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(der_size));
  OPENSSL_free(der);
  return out;
}

void CardSession::store_certificate(const std::string& id, const std::string& label,
                                    const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  X509* certificate = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  if (!certificate) throw CardError("the certificate to store does not parse");
  unsigned char* subject = nullptr;
  const int subject_size = i2d_X509_NAME(X509_get_subject_name(certificate), &subject);
  unsigned char* issuer = nullptr;
  const int issuer_size = i2d_X509_NAME(X509_get_issuer_name(certificate), &issuer);
  unsigned char* serial = nullptr;
  const int serial_size = i2d_ASN1_INTEGER(X509_get_serialNumber(certificate), &serial);
  X509_free(certificate);
  CK_OBJECT_CLASS kind = CKO_CERTIFICATE;
  CK_CERTIFICATE_TYPE x509 = CKC_X_509;
  CK_ATTRIBUTE object[] = {{CKA_CLASS, &kind, sizeof kind},
                           {CKA_CERTIFICATE_TYPE, &x509, sizeof x509},
                           {CKA_TOKEN, &yes, sizeof yes},
                           {CKA_PRIVATE, &no, sizeof no},
                           {CKA_ID, const_cast<char*>(id.data()), id.size()},
                           {CKA_LABEL, const_cast<char*>(label.data()), label.size()},
                           {CKA_SUBJECT, subject, static_cast<CK_ULONG>(subject_size)},
                           {CKA_ISSUER, issuer, static_cast<CK_ULONG>(issuer_size)},
                           {CKA_SERIAL_NUMBER, serial, static_cast<CK_ULONG>(serial_size)},
                           {CKA_VALUE, const_cast<char*>(der.data()), der.size()}};
  CK_OBJECT_HANDLE handle = 0;
  const CK_RV rv = module_->functions().list->C_CreateObject(
      session_, object, sizeof object / sizeof *object, &handle);
  OPENSSL_free(subject);
  OPENSSL_free(issuer);
  OPENSSL_free(serial);
  check(rv, "writing the certificate to the card");
}

std::vector<CardCertificate> CardSession::certificates() {
  auto* f = module_->functions().list;
  CK_OBJECT_CLASS kind = CKO_CERTIFICATE;
  CK_ATTRIBUTE search[] = {{CKA_CLASS, &kind, sizeof kind}};
  check(f->C_FindObjectsInit(session_, search, 1), "listing the card's certificates");
  std::vector<CK_OBJECT_HANDLE> handles(64);
  CK_ULONG found = 0;
  const CK_RV rv = f->C_FindObjects(session_, handles.data(), handles.size(), &found);
  f->C_FindObjectsFinal(session_);
  check(rv, "listing the card's certificates");
  std::vector<CardCertificate> out;
  for (CK_ULONG i = 0; i < found; ++i) {
    const auto id = attribute(f, session_, handles[i], CKA_ID);
    const auto label = attribute(f, session_, handles[i], CKA_LABEL);
    const auto value = attribute(f, session_, handles[i], CKA_VALUE);
    out.push_back({std::string(id.begin(), id.end()), std::string(label.begin(), label.end()),
                   std::string(value.begin(), value.end())});
  }
  return out;
}

}  // namespace tessera::card
