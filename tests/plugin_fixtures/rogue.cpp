// A careless (or hostile) plugin for the host's checks of what plugins answer, and of how long
// they may take. Its token type "rogue" does what the OTP value says, so one token can show
// every misbehaviour:
//   111111 an honest match at the request's counter
//   999999 a match at counter INT64_MAX          150000 a match at counter 1.5
//   000001 a match below the request's counter   444444 a match that rewrites "hashlib"
//   777777 throws Error::unavailable             888888 throws with a secret in its text
//   555555 takes 3 s                             333333 a raw answer with "match" twice
//   121212 a match with 100 info entries         131313 fails with a 5 MiB message
//   141414 logs a 100 KiB line, then no match
// Its enrollment takes otplen from the parameters (0 allowed; "boom" throws), and "always": a
// value the token then answers every check with. Its notification action
// "rogue" sleeps (option sleep_ms), asks to disable another token (option other_serial) and
// adds an invalid change after the valid ones (option then_invalid). Its token type "unmade"
// cannot be made at all. Its token type "rogue_sender" sends its values (ABI 1.4 challenge) and
// makes the delivery that its enrollment parameter "send" names: ok, long_subject, no_body,
// long_message, throws or slow; its value is always 111111.
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

#include <tessera/sdk/plugin.hpp>

namespace {

using tessera::sdk::ComponentInfo;
using tessera::sdk::Error;

std::string text(const boost::json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

class RogueToken : public tessera::sdk::TokenType {
 public:
  using TokenType::TokenType;
  static ComponentInfo describe() { return {"rogue", "Misbehaving token type (tests)", {}}; }

  boost::json::object enroll(const boost::json::object& request) override {
    const auto& params = request.at("params").as_object();
    const auto otplen = text(params, "otplen");
    if (otplen == "boom") throw std::runtime_error("cannot open /secret/path with key 0xCAFE");
    boost::json::object info{{"hashlib", "sha256"}, {"tokenkind", "software"}};
    // "always": this token answers every value as if it were that one.
    if (const auto always = text(params, "always"); !always.empty()) info["always"] = always;
    return {{"secret", "not-a-real-seed"},
            {"otplen", otplen.empty() ? 6 : std::stoi(otplen)},
            {"info", info}};
  }

  boost::json::object verify(const boost::json::object& request) override {
    const auto always = text(request.at("info").as_object(), "always");
    const auto otp = always.empty() ? text(request, "otp") : always;
    const auto counter = request.at("counter").to_number<int64_t>();
    if (otp == "111111") return {{"match", true}, {"counter", counter}};
    if (otp == "999999") return {{"match", true}, {"counter", INT64_MAX}};
    if (otp == "150000") return {{"match", true}, {"counter", 1.5}};
    if (otp == "000001") return {{"match", true}, {"counter", counter - 1}};
    if (otp == "444444")
      return {{"match", true}, {"counter", counter}, {"info", {{"hashlib", "md5"}, {"seen", "1"}}}};
    if (otp == "777777") throw Error::unavailable("the token back end is down");
    if (otp == "121212") {
      boost::json::object many;
      for (int i = 0; i < 100; ++i) many["entry" + std::to_string(i)] = i;
      return {{"match", true}, {"counter", counter}, {"info", many}};
    }
    if (otp == "131313") throw Error::unavailable(std::string(5 << 20, 'x'));
    if (otp == "141414") {
      host().warning("begin" + std::string(100 * 1024, 'y'));
      return {{"match", false}};
    }
    if (otp == "888888") throw std::runtime_error("cannot open /secret/path with key 0xCAFE");
    if (otp == "555555") {
      std::this_thread::sleep_for(std::chrono::seconds(3));
      return {{"match", true}, {"counter", counter}};
    }
    return {{"match", false}};
  }
};

class RogueSender : public tessera::sdk::TokenType {
 public:
  using TokenType::TokenType;
  static ComponentInfo describe() {
    return {"rogue_sender", "Token type that sends bad messages (tests)", {}};
  }

  boost::json::object enroll(const boost::json::object& request) override {
    const auto send = text(request.at("params").as_object(), "send");
    return {{"secret", "not-a-real-seed"}, {"otplen", 6}, {"info", {{"send", send}}}};
  }
  boost::json::object verify(const boost::json::object& request) override {
    if (text(request, "otp") == "111111")
      return {{"match", true}, {"counter", request.at("counter").to_number<int64_t>()}};
    return {{"match", false}};
  }
  boost::json::object challenge(const boost::json::object& request) override {
    const auto send = text(request.at("info").as_object(), "send");
    boost::json::object delivery{{"subject", "Your code"}, {"body", "your code is 111111"}};
    boost::json::object answer{{"message", "a code is on its way"}};
    if (send == "long_subject") delivery["subject"] = std::string(300, 's');
    if (send == "no_body") delivery.erase("body");
    if (send == "long_message") answer["message"] = std::string(300, 'm');
    if (send == "throws") throw std::runtime_error("cannot open /secret/path with key 0xCAFE");
    if (send == "slow") std::this_thread::sleep_for(std::chrono::seconds(3));
    answer["delivery"] = delivery;
    return answer;
  }
};

// A token type whose instance cannot be made: loaded, but unusable, and listed as such.
class UnmadeToken : public tessera::sdk::TokenType {
 public:
  explicit UnmadeToken(const tessera::sdk::ComponentContext& context) : TokenType(context) {
    throw Error::unavailable("this token type needs a licence server");
  }
  static ComponentInfo describe() { return {"unmade", "Token type that cannot be made", {}}; }
  boost::json::object enroll(const boost::json::object&) override { return {}; }
  boost::json::object verify(const boost::json::object&) override { return {}; }
};

class RogueAction : public tessera::sdk::NotificationAction {
 public:
  using NotificationAction::NotificationAction;
  static ComponentInfo describe() { return {"rogue", "Misbehaving action (tests)", {}}; }

  boost::json::object actions(const boost::json::object&) override {
    const boost::json::object text_option{{"type", "text"}};
    return {{"misbehave",
             {{"description", "misbehave as the options say"},
              {"options",
               {{"sleep_ms", text_option},
                {"other_serial", text_option},
                {"then_invalid", text_option}}}}}};
  }

  boost::json::object execute(const boost::json::object& request) override {
    const auto& options = request.at("options").as_object();
    if (const auto sleep = text(options, "sleep_ms"); !sleep.empty())
      std::this_thread::sleep_for(std::chrono::milliseconds(std::stoi(sleep)));
    const auto& event = request.at("event").as_object();
    boost::json::array changes;
    if (const auto* token = event.if_contains("token"); token && token->is_object())
      changes.push_back({{"serial", text(token->get_object(), "serial")}, {"change", "disable"}});
    if (const auto other = text(options, "other_serial"); !other.empty())
      changes.push_back({{"serial", other}, {"change", "disable"}});
    if (text(options, "then_invalid") == "1")
      changes.push_back({{"serial", "NO-SUCH-TOKEN"}, {"change", "explode"}});
    return {{"token_changes", changes}};
  }
};

// The SDK never writes a key twice, so this one answer is written by hand, past the SDK.
tessera_status raw_verify(void* instance, tessera_str request, const tessera_sink* out) {
  const std::string_view text(request.data, request.size);
  if (text.find("\"otp\":\"333333\"") != std::string_view::npos) {
    const std::string answer = "{\"match\":false,\"match\":true,\"counter\":0}";
    out->write(out->context, answer.data(), answer.size());
    return TESSERA_OK;
  }
  return tessera::sdk::component<RogueToken>()->vtable->operation_2(instance, request, out);
}

const tessera_component_v1* rogue_token() {
  static const tessera_component_vtable_v1 vtable = [] {
    auto v = *tessera::sdk::component<RogueToken>()->vtable;
    v.operation_2 = &raw_verify;
    return v;
  }();
  static const tessera_component_v1 component = [] {
    auto c = *tessera::sdk::component<RogueToken>();
    c.vtable = &vtable;
    return c;
  }();
  return &component;
}

}  // namespace

TESSERA_PLUGIN("org.tessera.test.rogue", "0.1.0", rogue_token(),
               tessera::sdk::component<UnmadeToken>(), tessera::sdk::component<RogueAction>(),
               tessera::sdk::component<RogueSender>());
