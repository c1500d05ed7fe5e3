// A smart card (or anything that speaks PKCS#11: OpenSC's module for PIV and other cards,
// SoftHSM2 in tests) through the PKCS#11 API of its module: the cards in the readers, the PINs,
// a key pair made on the card (private, sensitive, never extractable), signatures with it, and
// the certificates stored beside it.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <openssl/evp.h>

namespace tessera::card {

// What the card or its module refused, with PKCS#11's name for it (CKR_PIN_INCORRECT, ...).
class CardError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct CardInfo {
  unsigned long slot = 0;
  std::string label, serial, manufacturer, model;
  bool user_pin_set = false;
  bool user_pin_locked = false;
};

struct CardCertificate {
  std::string id;  // its key's CKA_ID: tessera-card writes the token's serial there
  std::string label;
  std::string der;
};

class Pkcs11Module;

// One session with one card; logged out and closed when it goes.
class CardSession {
 public:
  CardSession(std::shared_ptr<Pkcs11Module> module, unsigned long slot);
  ~CardSession();
  CardSession(const CardSession&) = delete;
  CardSession& operator=(const CardSession&) = delete;

  // The security officer sets (or resets) the user PIN: a new card, or one whose PIN is blocked.
  void set_user_pin(const std::string& so_pin, const std::string& new_pin);
  void log_in(const std::string& pin);

  // A key pair made on the card ("ec-p256", "ec-p384", "rsa-2048", "rsa-3072"), with id and
  // label; its public half for OpenSSL.
  EVP_PKEY* generate_key(const std::string& key_type, const std::string& id,
                         const std::string& label);
  // The card's signature with the private key of id over data, SHA-256: ECDSA (DER) or RSA
  // PKCS#1 v1.5.
  std::string sign(const std::string& id, const std::string& data);
  void store_certificate(const std::string& id, const std::string& label, const std::string& der);
  std::vector<CardCertificate> certificates();

 private:
  std::shared_ptr<Pkcs11Module> module_;
  unsigned long session_ = 0;
  bool logged_in_ = false;
};

// A loaded PKCS#11 module (the path of its .so).
class Pkcs11Module : public std::enable_shared_from_this<Pkcs11Module> {
 public:
  static std::shared_ptr<Pkcs11Module> load(const std::string& path);
  ~Pkcs11Module();

  std::vector<CardInfo> cards();
  // The card with that label, or the only one when label is empty.
  CardInfo find(const std::string& label);
  std::unique_ptr<CardSession> open(unsigned long slot);

  struct Functions;
  const Functions& functions() const { return *functions_; }

 private:
  Pkcs11Module() = default;
  void* library_ = nullptr;
  std::unique_ptr<Functions> functions_;
};

// "CKR_PIN_INCORRECT" for rv.
std::string pkcs11_error(unsigned long rv);

}  // namespace tessera::card
