// tessera-card: a smart card's client for Tessera, through the card's PKCS#11 module (OpenSC's
// opensc-pkcs11.so for PIV and other cards; SoftHSM2 in tests).
//   list     the cards in the readers
//   enroll   the whole enrollment of a card (server/ca/smartcard_enrollment.hpp): a token in
//            clientwait, the user PIN set with the SO PIN where the card has none (checked
//            against the server's rules first), a key made on the card, its CSR issued, the
//            certificate written beside the key, the card's signature over the server's challenge
//   status   the certificates on the card, and their tokens' state on the server
//   unblock  a new user PIN, set with the SO PIN
//   agent    the same for the WebUI's pages, on 127.0.0.1 (agent.hpp)
// The JWT comes from TESSERA_TOKEN, PINs from CARD_SO_PIN and CARD_PIN (or a prompt on a
// terminal), never from the command line, where other users of the machine would see them.
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <optional>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include "client/card/agent.hpp"
#include "client/card/card_enrollment.hpp"
#include "client/card/pkcs11_card.hpp"
#include "client/card/tessera_api.hpp"

namespace {

using namespace tessera::card;

[[noreturn]] void fail(const std::string& step, const std::string& why, const std::string& todo) {
  throw StepFailure(step, why, todo);
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

struct EnrollOptions {
  std::string module, token_label, url, cacert;
  BeginRequest begin;
  std::string serial;  // a token begun earlier whose certificate an approver let issue since
};

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
  const auto print = [](const std::string& step) { std::cout << step << "\n"; };
  Finished done;
  if (!o.serial.empty()) {
    done = resume_enrollment(api, *module, card, o.serial, secret("CARD_PIN", "Card PIN"), print);
  } else {
    const auto started = begin_enrollment(api, o.begin);
    std::cout << "token " << text(started, "serial") << " waits for the card\n";
    const auto pin = secret("CARD_PIN", card.user_pin_set ? "Card PIN" : "New card PIN");
    const auto so_pin = card.user_pin_set ? std::string() : secret("CARD_SO_PIN", "Card SO PIN");
    done = finish_enrollment(api, *module, card, started, pin, so_pin, print);
  }
  if (done.state == "enrolled")
    std::cout << "subject " << done.subject << "\nserial " << done.certificate_serial
              << "\nvalid until " << done.not_after << "\n";
  if (done.state == "pending" && o.serial.empty())
    std::cout << "an approver decides; once approved, finish with: tessera-card enroll --serial "
              << done.serial << " (the key stays on the card)\n";
  return done.state == "enrolled" || done.state == "pending" ? 0 : 1;
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
    if (api) {
      try {
        std::cout << ": token " << certificate.id << " " << token_state(*api, certificate.id);
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
  auto* agent_command =
      app.add_subcommand("agent", "serve the WebUI's smart card pages on 127.0.0.1");
  AgentOptions agent_options;
  agent_command->add_option("--module", agent_options.module, "the card's PKCS#11 module")
      ->required();
  agent_command
      ->add_option("--server", agent_options.server_url,
                   "the Tessera server whose pages may use the agent")
      ->required();
  agent_command->add_option("--cacert", agent_options.cacert,
                            "a PEM file to trust for the server's TLS");
  agent_command->add_option("--port", agent_options.port, "the port (default 8999)")
      ->default_val(8999);
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
  enroll_command->add_option("--user", options.begin.user,
                             "whose card it is (default: the caller's own)");
  enroll_command->add_option("--realm", options.begin.realm, "the user's realm");
  enroll_command->add_option("--ca", options.begin.ca, "the CA connector");
  enroll_command->add_option("--profile", options.begin.profile, "its certificate profile");
  enroll_command->add_option("--replaces", options.begin.replaces,
                             "the serial of the user's card this one replaces (revoked, "
                             "'superseded', once this one is confirmed)");
  enroll_command->add_option("--serial", options.serial,
                             "finish the enrollment of this token, once an approver let it issue");
  CLI11_PARSE(app, argc, argv);
  try {
    if (*list_command) return list(module_path);
    if (*agent_command) return run_agent(agent_options);
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
