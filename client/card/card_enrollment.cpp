#include "client/card/card_enrollment.hpp"

#include <memory>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <boost/json.hpp>

#include "client/card/card_request.hpp"
#include "client/card/pin_rules.hpp"

namespace tessera::card {
namespace {

[[noreturn]] void fail(const std::string& step, const std::string& why, const std::string& todo) {
  throw StepFailure(step, why, todo);
}

std::string text(const boost::json::value& object, const char* key) {
  const auto* value = object.is_object() ? object.as_object().if_contains(key) : nullptr;
  return value && value->is_string() ? std::string(value->as_string()) : std::string();
}

// The first certificate of a PEM text as DER, and what the user reads of it.
struct Issued {
  std::string der, subject, serial, not_after;
};
Issued first_certificate(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> in(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  std::unique_ptr<X509, decltype(&X509_free)> certificate(
      PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr), &X509_free);
  if (!certificate)
    fail("writing the certificate to the card", "the server's certificate does not parse", "");
  Issued out;
  unsigned char* der = nullptr;
  const int size = i2d_X509(certificate.get(), &der);
  out.der.assign(reinterpret_cast<char*>(der), static_cast<size_t>(size));
  OPENSSL_free(der);
  char* subject = X509_NAME_oneline(X509_get_subject_name(certificate.get()), nullptr, 0);
  out.subject = subject;
  OPENSSL_free(subject);
  BIGNUM* serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(certificate.get()), nullptr);
  char* hex = BN_bn2hex(serial);
  out.serial = hex;
  OPENSSL_free(hex);
  BN_free(serial);
  std::unique_ptr<BIO, decltype(&BIO_free)> date(BIO_new(BIO_s_mem()), &BIO_free);
  ASN1_TIME_print(date.get(), X509_get0_notAfter(certificate.get()));
  char* data = nullptr;
  const long length = BIO_get_mem_data(date.get(), &data);
  out.not_after.assign(data, static_cast<size_t>(length));
  return out;
}

std::string base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  out.resize(static_cast<size_t>(EVP_EncodeBlock(
      reinterpret_cast<unsigned char*>(out.data()),
      reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()))));
  return out;
}

void log_in(CardSession& session, const std::string& pin) {
  try {
    session.log_in(pin);
  } catch (const CardError& e) {
    fail("logging in to the card", e.what(),
         "check the PIN; a blocked PIN needs tessera-card unblock");
  }
}

// The last steps, once the certificate is issued: written beside the key, the challenge signed.
Finished write_and_confirm(const TesseraApi& api, CardSession& session, const std::string& serial,
                           const std::string& certificate_pem, const std::string& challenge,
                           const Progress& progress) {
  const auto issued = first_certificate(certificate_pem);
  progress("certificate issued");
  try {
    session.store_certificate(serial, "tessera " + serial, issued.der);
  } catch (const CardError& e) {
    fail("writing the certificate to the card", e.what(), "check that the card has room");
  }
  progress("certificate written to the card");
  try {
    api.call("POST", "/token/init",
             {{"serial", serial}, {"card_signature", base64(session.sign(serial, challenge))}});
  } catch (const std::exception& e) {
    fail("confirming the card", e.what(),
         "enroll again: an unconfirmed card expires and its certificate is revoked");
  }
  progress("confirmed: token " + serial + " is enrolled");
  return {serial, "enrolled", "", issued.subject, issued.serial, issued.not_after};
}

}  // namespace

boost::json::object begin_enrollment(const TesseraApi& api, const BeginRequest& r) {
  // Without a user, the card is the caller's own (a user's session).
  boost::json::object begin{{"type", "smartcard"}};
  if (!r.user.empty()) {
    begin["user"] = r.user;
    begin["realm"] = r.realm;
  }
  if (!r.ca.empty()) begin["ca"] = r.ca;
  if (!r.profile.empty()) begin["profile"] = r.profile;
  if (!r.replaces.empty()) begin["replaces"] = r.replaces;
  try {
    return api.call("POST", "/token/init", begin).at("detail").as_object();
  } catch (const ApiFailure& e) {
    fail("beginning the enrollment", e.what(), "check the user, the realm and your rights");
  }
}

Finished finish_enrollment(const TesseraApi& api, Pkcs11Module& module, const CardInfo& card,
                           const boost::json::object& started, const std::string& pin,
                           const std::string& so_pin, const Progress& progress) {
  const auto serial = text(started, "serial");
  // Until the card has a key, a failure leaves nothing behind on the server either.
  const auto give_up = [&](const StepFailure& failure) {
    try {
      api.call("DELETE", "/token/" + serial);
    } catch (const ApiFailure&) {
      // it expires on its own
    }
    return failure;
  };
  std::unique_ptr<CardSession> session;
  try {
    if (started.at("attestation_required").as_bool())
      fail("making the key",
           "the server requires an attestation of the key, which this client cannot give yet",
           "ask an administrator about the policy certificate_require_attestation");
    if (pin.empty()) fail("the user PIN", "no PIN was given", "give the card's user PIN");
    session = module.open(card.slot);
    if (!card.user_pin_set) {
      if (const auto broken = pin_breaks(pin, started.at("pin_rules").as_object()))
        fail("setting the user PIN", *broken + " (the server's rules)", "choose another PIN");
      if (so_pin.empty())
        fail("setting the user PIN", "no SO PIN was given", "give the card's SO PIN");
      try {
        session->set_user_pin(so_pin, pin);
      } catch (const CardError& e) {
        fail("setting the user PIN", e.what(), "check the SO PIN");
      }
      progress("user PIN set");
    }
    log_in(*session, pin);
  } catch (const StepFailure& e) {
    throw give_up(e);
  }

  // The key, on the card: the first type the profile allows that the card makes.
  EVP_PKEY* public_key = nullptr;
  std::string made_type, why;
  for (const auto& type : started.at("key_types").as_array()) {
    try {
      public_key =
          session->generate_key(std::string(type.as_string()), serial, "tessera " + serial);
      made_type = std::string(type.as_string());
      break;
    } catch (const CardError& e) {
      why = e.what();
    }
  }
  if (!public_key)
    throw give_up(
        StepFailure("making the key", why.empty() ? "the profile allows no key type" : why,
                    "ask an administrator for a profile with a key type this card makes"));
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> owned(public_key, &EVP_PKEY_free);
  progress("key made on the card (" + made_type + ")");

  boost::json::object submitted;
  try {
    const auto csr = card_request(*session, serial, public_key, serial);
    submitted = api.call("POST", "/token/init",
                         {{"serial", serial},
                          {"enrollment_code", text(started, "enrollment_code")},
                          {"request", csr}})
                    .at("detail")
                    .as_object();
  } catch (const std::exception& e) {
    fail("having the certificate issued", e.what(), "");
  }
  const auto state = text(submitted, "rollout_state");
  if (state != "clientwait") {
    const auto reason = state == "denied"   ? text(submitted, "denial_reason")
                        : state == "failed" ? text(submitted, "failure")
                                            : std::string();
    progress("certificate " + state + (reason.empty() ? "" : ": " + reason));
    return {serial, state, reason, "", "", ""};
  }
  return write_and_confirm(api, *session, serial, text(submitted, "certificate"),
                           text(submitted, "challenge"), progress);
}

std::string token_state(const TesseraApi& api, const std::string& serial) {
  const auto listed = api.call("GET", "/token/?serial=" + serial).at("value");
  const auto& tokens = listed.as_object().at("tokens").as_array();
  if (tokens.empty()) return "unknown to the server";
  const auto& token = tokens.at(0).as_object();
  return token.at("revoked").as_bool() ? "revoked" : text(token, "rollout_state");
}

Finished resume_enrollment(const TesseraApi& api, Pkcs11Module& module, const CardInfo& card,
                           const std::string& serial, const std::string& pin,
                           const Progress& progress) {
  boost::json::object token;
  try {
    const auto listed = api.call("GET", "/token/?serial=" + serial).at("value");
    const auto& tokens = listed.as_object().at("tokens").as_array();
    if (tokens.empty()) fail("finding the token", "no token " + serial, "check the serial");
    token = tokens.at(0).as_object();
  } catch (const ApiFailure& e) {
    fail("finding the token", e.what(), "");
  }
  const auto state = text(token, "rollout_state");
  if (state == "pending") {
    progress("token " + serial + " still waits for an approver");
    return {serial, "pending", "", "", "", ""};
  }
  const auto& info = token.at("info");
  if (state != "clientwait" || text(info, "challenge").empty())
    fail("finding the token",
         "token " + serial + " has no certificate waiting for the card (it is '" + state + "')",
         "");
  auto session = module.open(card.slot);
  log_in(*session, pin);
  return write_and_confirm(api, *session, serial, text(info, "certificate"),
                           text(info, "challenge"), progress);
}

}  // namespace tessera::card
