// tessera-card: a smart card's client for Tessera, through the card's PKCS#11 module (OpenSC's
// opensc-pkcs11.so for PIV and other cards; SoftHSM2 in tests).
//   list     the cards in the readers
//   enroll   the whole enrollment of a card (server/ca/smartcard_enrollment.hpp): a token in
//            clientwait, the user PIN set with the SO PIN where the card has none (checked
//            against the server's rules first), a key made on the card, its CSR issued, the
//            certificate written beside the key, the card's signature over the server's challenge
//   status   the certificates on the card, and their tokens' state on the server
//   unblock  a new user PIN, set with the SO PIN
// The JWT comes from TESSERA_TOKEN, PINs from CARD_SO_PIN and CARD_PIN (or a prompt on a
// terminal), never from the command line, where other users of the machine would see them.
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <iostream>
#include <optional>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include "client/card/card_request.hpp"
#include "client/card/pin_rules.hpp"
#include "client/card/pkcs11_card.hpp"
#include "client/card/tessera_api.hpp"

namespace {

using namespace tessera::card;

// A failure in a named step, with what to do.
struct StepFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] void fail(const std::string& step, const std::string& why, const std::string& todo) {
  throw StepFailure(step + ": " + why + (todo.empty() ? "" : "\n  what to do: " + todo));
}

// From the environment, else asked on the terminal without echo; empty when neither.
std::string secret(const char* variable, const std::string& question) {
  if (const char* value = std::getenv(variable); value && *value) return value;
  if (!isatty(STDIN_FILENO)) return {};
  std::cerr << question << ": " << std::flush;
  termios old{};
  tcgetattr(STDIN_FILENO, &old);
  termios quiet = old;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  std::string answer;
  std::getline(std::cin, answer);
  tcsetattr(STDIN_FILENO, TCSANOW, &old);
  std::cerr << "\n";
  return answer;
}

std::string text(const boost::json::value& object, const char* key) {
  const auto* value = object.is_object() ? object.as_object().if_contains(key) : nullptr;
  return value && value->is_string() ? std::string(value->as_string()) : std::string();
}

// The first certificate of a PEM text, as DER, and what the user reads of it.
struct Issued {
  std::string der, subject, serial, not_after;
};
Issued first_certificate(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> in(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  std::unique_ptr<X509, decltype(&X509_free)> certificate(
      PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr), &X509_free);
  if (!certificate) throw CardError("the server's certificate does not parse");
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

int list(const std::string& module_path) {
  const auto module = Pkcs11Module::load(module_path);
  const auto cards = module->cards();
  if (cards.empty()) std::cout << "no card found\n";
  for (const auto& card : cards)
    std::cout << "slot " << card.slot << ": " << card.label << " (serial " << card.serial << ", "
              << card.manufacturer << " " << card.model << "), user PIN "
              << (card.user_pin_locked ? "blocked"
                  : card.user_pin_set  ? "set"
                                       : "not set")
              << "\n";
  return 0;
}

// The last steps, once the certificate is issued: written beside the key, the challenge signed.
int finish(const TesseraApi& api, CardSession& session, const std::string& serial,
           const std::string& certificate_pem, const std::string& challenge) {
  const auto issued = first_certificate(certificate_pem);
  std::cout << "certificate issued\n";
  try {
    session.store_certificate(serial, "tessera " + serial, issued.der);
  } catch (const CardError& e) {
    fail("writing the certificate to the card", e.what(), "check that the card has room");
  }
  std::cout << "certificate written to the card\n";
  try {
    const auto signature = session.sign(serial, challenge);
    std::string b64(4 * ((signature.size() + 2) / 3) + 1, '\0');
    b64.resize(static_cast<size_t>(
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()),
                        reinterpret_cast<const unsigned char*>(signature.data()),
                        static_cast<int>(signature.size()))));
    api.call("POST", "/token/init", {{"serial", serial}, {"card_signature", b64}});
  } catch (const std::exception& e) {
    fail("confirming the card", e.what(),
         "enroll again: an unconfirmed card expires and its certificate is revoked");
  }
  std::cout << "confirmed: token " << serial << " is enrolled\n"
            << "subject " << issued.subject << "\nserial " << issued.serial << "\nvalid until "
            << issued.not_after << "\n";
  return 0;
}

struct EnrollOptions {
  std::string module, token_label, url, user, realm, ca, profile, cacert;
  std::string serial;    // a token begun earlier whose certificate an approver let issue since
  std::string replaces;  // the user's card this one replaces (revoked once this one confirms)
};

// A card whose request waited for an approver: its key is on the card already (id = serial);
// once issued, the certificate is written and confirmed.
int resume(const TesseraApi& api, CardSession& session, const std::string& serial) {
  boost::json::object token;
  try {
    const auto listed = api.call("GET", "/token/?serial=" + serial).at("value");
    const auto& tokens = listed.as_object().at("tokens").as_array();
    if (tokens.empty()) fail("finding the token", "no token " + serial, "check --serial");
    token = tokens.at(0).as_object();
  } catch (const ApiFailure& e) {
    fail("finding the token", e.what(), "");
  }
  const auto state = text(token, "rollout_state");
  if (state == "pending") {
    std::cout << "token " << serial << " still waits for an approver\n";
    return 0;
  }
  const auto& info = token.at("info");
  if (state != "clientwait" || text(info, "challenge").empty())
    fail("finding the token",
         "token " + serial + " has no certificate waiting for the card (it is '" + state + "')",
         "");
  return finish(api, session, serial, text(info, "certificate"), text(info, "challenge"));
}

int enroll(const EnrollOptions& o) {
  const char* jwt = std::getenv("TESSERA_TOKEN");
  if (!jwt || !*jwt)
    fail("logging in", "TESSERA_TOKEN is not set",
         "log in (POST " + o.url + "/auth) and put the token in TESSERA_TOKEN");
  const TesseraApi api(o.url, jwt, o.cacert);

  std::shared_ptr<Pkcs11Module> module;
  CardInfo card;
  try {
    module = Pkcs11Module::load(o.module);
    card = module->find(o.token_label);
  } catch (const CardError& e) {
    fail("finding the card", e.what(),
         "insert the card; name its module with --module, or the card with --token-label");
  }
  std::cout << "card found: " << card.label << " (serial " << card.serial << ")\n";

  if (o.serial.empty() && o.user.empty())
    fail("beginning the enrollment", "whose card is it?", "name the user with --user");
  if (!o.serial.empty()) {
    const auto pin = secret("CARD_PIN", "Card PIN");
    auto session = module->open(card.slot);
    try {
      session->log_in(pin);
    } catch (const CardError& e) {
      fail("logging in to the card", e.what(), "check CARD_PIN");
    }
    return resume(api, *session, o.serial);
  }
  boost::json::object begin{{"type", "smartcard"}, {"user", o.user}, {"realm", o.realm}};
  if (!o.ca.empty()) begin["ca"] = o.ca;
  if (!o.profile.empty()) begin["profile"] = o.profile;
  if (!o.replaces.empty()) begin["replaces"] = o.replaces;
  boost::json::object started;
  try {
    started = api.call("POST", "/token/init", begin).at("detail").as_object();
  } catch (const ApiFailure& e) {
    fail("beginning the enrollment", e.what(), "check --user, --realm and your rights");
  }
  const auto serial = text(started, "serial");
  std::cout << "token " << serial << " waits for the card\n";
  // Until the card has a key, a failure leaves nothing behind on the server either.
  auto give_up = [&](const StepFailure& failure) -> StepFailure {
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

    // The user PIN: set with the SO PIN where the card has none, after the server's rules.
    const auto pin = secret("CARD_PIN", card.user_pin_set ? "Card PIN" : "New card PIN");
    if (pin.empty())
      fail("the user PIN", "CARD_PIN is not set and there is no terminal to ask", "set CARD_PIN");
    session = module->open(card.slot);
    if (!card.user_pin_set) {
      if (const auto broken = pin_breaks(pin, started.at("pin_rules").as_object()))
        fail("setting the user PIN", *broken + " (the server's rules)", "choose another CARD_PIN");
      const auto so_pin = secret("CARD_SO_PIN", "Card SO PIN");
      if (so_pin.empty()) fail("setting the user PIN", "CARD_SO_PIN is not set", "set CARD_SO_PIN");
      try {
        session->set_user_pin(so_pin, pin);
      } catch (const CardError& e) {
        fail("setting the user PIN", e.what(), "check CARD_SO_PIN");
      }
      std::cout << "user PIN set\n";
    }
    try {
      session->log_in(pin);
    } catch (const CardError& e) {
      fail("logging in to the card", e.what(),
           "check CARD_PIN; a blocked PIN needs tessera-card unblock");
    }
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
    fail("making the key", why.empty() ? "the profile allows no key type" : why,
         "ask an administrator for a profile with a key type this card makes");
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> owned(public_key, &EVP_PKEY_free);
  std::cout << "key made on the card (" << made_type << ")\n";

  boost::json::object submitted;
  try {
    const auto csr = card_request(*session, serial, public_key, o.user);
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
    std::cout << "certificate " << state
              << (state == "denied"   ? ": " + text(submitted, "denial_reason")
                  : state == "failed" ? ": " + text(submitted, "failure")
                                      : "")
              << "\n";
    if (state == "pending")
      std::cout << "an approver decides; once approved, finish with: tessera-card enroll --serial "
                << serial << " (the key stays on the card)\n";
    return state == "pending" ? 0 : 1;
  }
  return finish(api, *session, serial, text(submitted, "certificate"),
                text(submitted, "challenge"));
}

int status(const std::string& module_path, const std::string& label, const std::string& url,
           const std::string& cacert) {
  const auto module = Pkcs11Module::load(module_path);
  const auto card = module->find(label);
  auto session = module->open(card.slot);
  const char* jwt = std::getenv("TESSERA_TOKEN");
  std::optional<TesseraApi> api;
  if (jwt && *jwt && !url.empty()) api.emplace(url, jwt, cacert);
  for (const auto& certificate : session->certificates()) {
    std::cout << certificate.label;
    // The key id is the token's serial (hex on the card).
    std::string serial;
    for (size_t i = 0; i + 1 < certificate.id_hex.size(); i += 2)
      serial += static_cast<char>(std::stoi(certificate.id_hex.substr(i, 2), nullptr, 16));
    if (api) {
      try {
        const auto listed = api->call("GET", "/token/?serial=" + serial).at("value");
        const auto& tokens = listed.as_object().at("tokens").as_array();
        std::cout << ": token " << serial << " "
                  << (tokens.empty()
                          ? std::string("unknown to the server")
                          : text(tokens.at(0), "rollout_state") +
                                (tokens.at(0).as_object().at("revoked").as_bool() ? ", revoked"
                                                                                  : ""));
      } catch (const ApiFailure& e) {
        std::cout << ": the server says " << e.what();
      }
    }
    std::cout << "\n";
  }
  return 0;
}

int unblock(const std::string& module_path, const std::string& label) {
  const auto module = Pkcs11Module::load(module_path);
  const auto card = module->find(label);
  const auto so_pin = secret("CARD_SO_PIN", "Card SO PIN");
  const auto pin = secret("CARD_PIN", "New card PIN");
  if (so_pin.empty() || pin.empty())
    fail("unblocking", "CARD_SO_PIN and CARD_PIN are needed", "set both");
  module->open(card.slot)->set_user_pin(so_pin, pin);
  std::cout << "the user PIN of " << card.label << " is set anew\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tessera-card: enroll smart cards with Tessera (PKCS#11)"};
  app.require_subcommand(1);
  std::string module_path = "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so", label, url, cacert;
  EnrollOptions options;
  auto* list_command = app.add_subcommand("list", "the cards in the readers");
  auto* enroll_command = app.add_subcommand("enroll", "enroll a card: key, certificate, PIN");
  auto* status_command = app.add_subcommand("status", "the card's certificates and their tokens");
  auto* unblock_command = app.add_subcommand("unblock", "a new user PIN, set with the SO PIN");
  for (auto* command : {list_command, enroll_command, status_command, unblock_command})
    command->add_option("--module", module_path, "the card's PKCS#11 module")
        ->capture_default_str();
  for (auto* command : {enroll_command, status_command, unblock_command})
    command->add_option("--token-label", label, "the card's label (needed with several cards)");
  for (auto* command : {enroll_command, status_command}) {
    command->add_option("--url", url, "the server, https://tessera.example");
    command->add_option("--cacert", cacert, "a PEM file to trust for the server's TLS");
  }
  enroll_command->get_option("--url")->required();
  enroll_command->add_option("--user", options.user, "whose card it is (unless --serial)");
  enroll_command->add_option("--realm", options.realm, "the user's realm");
  enroll_command->add_option("--ca", options.ca, "the CA connector");
  enroll_command->add_option("--profile", options.profile, "its certificate profile");
  enroll_command->add_option("--replaces", options.replaces,
                             "the serial of the user's card this one replaces (revoked, "
                             "'superseded', once this one is confirmed)");
  enroll_command->add_option("--serial", options.serial,
                             "finish the enrollment of this token, once an approver let it issue");
  CLI11_PARSE(app, argc, argv);
  try {
    if (*list_command) return list(module_path);
    if (*status_command) return status(module_path, label, url, cacert);
    if (*unblock_command) return unblock(module_path, label);
    options.module = module_path;
    options.token_label = label;
    options.url = url;
    options.cacert = cacert;
    return enroll(options);
  } catch (const StepFailure& e) {
    std::cerr << "tessera-card: " << e.what() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "tessera-card: " << e.what() << "\n";
  }
  return 1;
}
