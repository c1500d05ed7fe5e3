#include "server/tokens/token_checker.hpp"

#include "server/util/comma_list.hpp"

#include <algorithm>
#include <ctime>
#include <map>

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include "db/sealed_bindings.hpp"
#include "server/crypto/random.hpp"
#include "server/plugins/answer_limits.hpp"
#include "server/plugins/component_instance.hpp"
#include "server/util/clock.hpp"

namespace tessera::tokens {
namespace {

bool can_roll_out(const std::string& state) {
  return state.empty() || state == "enrolled";
}

// 20 random digits, as eduMFA's clients expect a transaction id to look.
std::string new_transaction_id() {
  auto random = crypto::random_bytes(20);
  std::string id;
  for (auto b : random) id += static_cast<char>('0' + b % 10);
  return id;
}

boost::json::object parse_info(const std::string& text) {
  boost::system::error_code ec;
  auto value = boost::json::parse(text, ec);
  if (ec || !value.is_object()) return {};
  return std::move(value.as_object());
}

// The PIN part and the OTP part of pass for a token with otplen digits (the PIN comes first).
std::pair<std::string, std::string> split(const std::string& pass, int otplen) {
  const size_t n = static_cast<size_t>(otplen);
  if (pass.size() < n) return {pass, ""};
  return {pass.substr(0, pass.size() - n), pass.substr(pass.size() - n)};
}

void describe_token(CheckOutcome& outcome, const db::TokenRow& token) {
  outcome.detail["serial"] = token.serial;
  outcome.detail["type"] = token.type;
  outcome.detail["otplen"] = token.otplen;
  outcome.serial = token.serial;
  outcome.type = token.type;
}

// Token info entries the host sets at enrollment and relies on: a verify or resync answer
// cannot change them.
bool host_owned_info(std::string_view key) {
  static const std::string_view owned[] = {
      "hashlib",     "tokenkind",          "timeStep",  "ca",         "profile",
      "certificate", "certificate_serial", "not_after", "external_ca"};
  return std::find(std::begin(owned), std::end(owned), key) != std::end(owned);
}

// The largest counter the host stores: far from INT64_MAX, so that counter + 1 and a look-ahead
// window can never wrap.
constexpr long long kCounterLimit = 1LL << 62;

CheckOutcome reject(std::string message) {
  CheckOutcome outcome;
  outcome.detail["message"] = std::move(message);
  return outcome;
}

}  // namespace

std::optional<std::string> TokenChecker::unusable(db::TokenRow& token, const CheckPolicy& policy,
                                                  long long now) const {
  if (token.revoked) return "Token is revoked";
  if (!token.active) return "Token is disabled";
  if (!can_roll_out(token.rollout_state))
    return "Token is not enrolled (" + token.rollout_state + ")";
  // eduMFA's limits, set with /token/set; the statements that count enforce them again, so
  // parallel requests cannot pass them together.
  if ((token.valid_from && now < token.valid_from) ||
      (token.valid_until && now > token.valid_until))
    return "Outside validity period";
  if ((token.count_auth_max && token.count_auth >= token.count_auth_max) ||
      (token.count_auth_success_max && token.count_auth_success >= token.count_auth_success_max))
    return "Authentication counter exceeded";
  if (token.fail_limit_reached()) {
    if (policy.lockout_seconds > 0 &&
        tokens_.clear_expired_lock(token.serial, now - policy.lockout_seconds))
      token.failcount = 0;
    else
      return "Failcounter exceeded";
  }
  if (!types_.find(token.type)) return "Token type " + token.type + " is not available";
  // A token without OTP values (a certificate) is never checked by one: an empty value must
  // not reach a plugin that might take it.
  if (token.otplen <= 0) return "Token " + token.serial + " has no OTP values";
  return std::nullopt;
}

boost::json::object TokenChecker::token_request(const db::TokenRow& token, long long now) const {
  std::string secret;
  if (!token.sealed_secret.empty())
    secret = secrets_.open(token.sealed_secret, db::binding::token_secret(token.serial));
  return {{"serial", token.serial},
          {"secret", std::move(secret)},
          {"otplen", token.otplen},
          {"info", parse_info(token.info)},
          {"counter", token.counter},
          {"window", token.count_window},
          {"now", now}};
}

TokenChecker::Verdict TokenChecker::verify(const db::TokenRow& token, const std::string& otp,
                                           long long now) const {
  const auto claimed = tokens_.claim_attempt(token.serial, now);
  if (!claimed) {
    Verdict locked;
    locked.locked = true;
    return locked;
  }
  const bool last = *claimed;
  auto verdict = evaluate(token, otp, now);
  if (verdict.broken) {
    // An outage is not a guess: the attempt is given back.
    tokens_.give_back_attempt(token.serial);
  } else if (!verdict.match) {
    tokens_.attempt_failed(token.serial, last);
  }
  return verdict;
}

TokenChecker::Verdict TokenChecker::evaluate(const db::TokenRow& token, const std::string& otp,
                                             long long now) const {
  boost::json::object result;
  try {
    auto request = token_request(token, now);
    request["otp"] = otp;
    result = types_.find(token.type)->call(plugins::Operation::verify, request);
  } catch (const plugins::PluginCallError& e) {
    // One broken token must not take the user's other tokens down with it.
    spdlog::error("token {} ({}) cannot be checked: {}", token.serial, token.type, e.what());
    // An outage's message is for people; an internal error's text stays in the log.
    return {.broken = true,
            .unavailable = e.status() == TESSERA_ERR_UNAVAILABLE ? e.what() : std::string()};
  } catch (const crypto::SecretBoxError& e) {
    spdlog::error("the secret of token {} does not open: {}", token.serial, e.what());
    return {.broken = true, .unavailable = {}};
  }
  const auto matched = matched_counter(token, result, "verify");
  if (!matched) return {.broken = true, .unavailable = {}};
  if (*matched < 0) return {};
  const bool accepted = tokens_.accept(token.serial, *matched, updated_info(token, result));
  return {.match = accepted, .replayed = !accepted, .broken = false, .unavailable = {}};
}

bool TokenChecker::generates(const db::TokenRow& token, const std::string& otp, int window) const {
  const auto* type = types_.find(token.type);
  if (!type || token.otplen <= 0 || token.revoked ||
      otp.size() != static_cast<size_t>(token.otplen))
    return false;
  try {
    auto request = token_request(token, util::unix_seconds());
    request["otp"] = otp;
    request["window"] = window;
    const auto result = type->call(plugins::Operation::verify, request);
    const auto matched = matched_counter(token, result, "verify");
    return matched && *matched >= 0;
  } catch (const plugins::PluginCallError& e) {
    spdlog::error("token {} ({}) cannot be looked up: {}", token.serial, token.type, e.what());
  } catch (const crypto::SecretBoxError& e) {
    spdlog::error("the secret of token {} does not open: {}", token.serial, e.what());
  }
  return false;
}

std::optional<long long> TokenChecker::matched_counter(const db::TokenRow& token,
                                                       const boost::json::object& result,
                                                       const char* operation) const {
  const auto refuse = [&](const std::string& why) -> std::optional<long long> {
    spdlog::error("token {} ({}): the plugin's {} answer is refused: {}", token.serial, token.type,
                  operation, why);
    return std::nullopt;
  };
  const auto* match = result.if_contains("match");
  if (!match || !match->is_bool()) return refuse("'match' is not true or false");
  if (const auto* info = result.if_contains("info"); info && info->is_object())
    if (auto problem = plugins::limits::info_problem(info->get_object())) return refuse(*problem);
  if (!match->get_bool()) return -1;
  const auto* counter = result.if_contains("counter");
  // A value that cannot be tied to a counter cannot be protected from replay: refused.
  if (!counter) return refuse("a match without 'counter' cannot be protected from replay");
  long long value = 0;
  if (counter->is_int64())
    value = counter->get_int64();
  else if (counter->is_uint64())
    return refuse("'counter' is at or above 2^62");
  else
    return refuse("'counter' is not a whole number");
  if (value < token.counter)
    return refuse("'counter' " + std::to_string(value) + " is below the token's " +
                  std::to_string(token.counter));
  if (value >= kCounterLimit) return refuse("'counter' is at or above 2^62");
  return value;
}

std::string TokenChecker::updated_info(const db::TokenRow& token,
                                       const boost::json::object& result) const {
  auto info = parse_info(token.info);
  if (const auto* updates = result.if_contains("info"); updates && updates->is_object())
    for (const auto& [key, value] : updates->get_object()) {
      if (host_owned_info(key)) {
        spdlog::warn("token {} ({}): the plugin may not change token info '{}'; kept", token.serial,
                     token.type, std::string_view(key));
        continue;
      }
      info[key] = value;
    }
  return boost::json::serialize(info);
}

CheckOutcome TokenChecker::check(const std::vector<db::TokenRow>& candidates,
                                 const std::string& pass, const std::string& transaction_id,
                                 const CheckPolicy& policy,
                                 const PasswordCheck& user_password) const {
  const long long now = util::unix_seconds();
  if (candidates.empty()) return reject("The user has no tokens assigned");
  if (!transaction_id.empty())
    return answer_challenge(candidates, pass, transaction_id, policy, now);

  // Each distinct PIN is checked once: with otppin=userstore a check may be an LDAP bind.
  std::map<std::string, bool> passwords_checked;
  auto pin_ok = [&](const db::TokenRow& token, const std::string& pin) {
    switch (policy.pin_mode) {
      case PinMode::none:
        return pin.empty();
      case PinMode::user_store: {
        auto [it, fresh] = passwords_checked.try_emplace(pin, false);
        if (fresh) it->second = !pin.empty() && user_password && user_password(pin);
        return it->second;
      }
      case PinMode::token_pin:
        break;
    }
    return pins_.matches(token.pin_hash, pin);
  };

  // A token that cannot authenticate answers alike whatever the PIN: a locked token that told
  // right PINs from wrong ones would let PINs be guessed without limit.
  auto tokens = candidates;
  std::vector<db::TokenRow*> usable;
  std::optional<std::string> first_refusal;
  for (auto& token : tokens) {
    if (auto reason = unusable(token, policy, now)) {
      if (!first_refusal) first_refusal = reason;
    } else {
      usable.push_back(&token);
    }
  }
  if (usable.empty()) return reject(*first_refusal);

  std::vector<db::TokenRow*> pin_matched;
  std::vector<const db::TokenRow*> challenge_ready;
  bool replayed = false;
  bool broken = false;  // a plugin failed for a token whose PIN matched
  bool locked_meanwhile = false;
  std::string unavailable;
  for (auto* token : usable) {
    const auto [pin, otp] = split(pass, token->otplen);
    const bool pin_matches = pin_ok(*token, pin);
    // The PIN alone: shorter than an OTP, or (tried only when PIN + OTP did not match) all of it.
    if ((policy.challenge_types.count(token->type) || sends_codes(*token)) &&
        (otp.empty() ? pin_matches : !pin_matches && pin_ok(*token, pass))) {
      challenge_ready.push_back(token);
      continue;
    }
    if (!pin_matches) continue;
    // A value that was sent counts only as the answer to its challenge, while that is open.
    if (sends_codes(*token)) continue;
    const auto verdict = verify(*token, otp, now);
    if (verdict.locked) {
      // Parallel requests used its last attempts since it was read.
      if (!first_refusal) first_refusal = "Failcounter exceeded";
      locked_meanwhile = true;
      continue;
    }
    if (verdict.broken) {
      broken = true;
      if (unavailable.empty()) unavailable = verdict.unavailable;
      continue;
    }
    if (verdict.match) {
      CheckOutcome outcome;
      outcome.value = true;
      outcome.authentication = "ACCEPT";
      outcome.detail["message"] = "matching 1 tokens";
      describe_token(outcome, *token);
      return outcome;
    }
    pin_matched.push_back(token);
    replayed = replayed || verdict.replayed;
  }
  if (!challenge_ready.empty()) return open_challenges(challenge_ready, policy, now);
  // The server could not tell right from wrong: an outage is not a guess, so nothing is
  // counted and the caller learns that the check failed, not that the value was wrong.
  if (broken && pin_matched.empty()) throw CheckUnavailable(unavailable);
  if (locked_meanwhile && pin_matched.empty()) return reject(*first_refusal);
  if (pin_matched.empty()) {
    // A wrong PIN counts against every usable token of the user, so that guessing PINs is as
    // limited as guessing OTP values.
    for (auto* token : usable) tokens_.record_failure(token->serial, now);
    return reject("wrong otp pin");
  }
  // Each evaluated value was counted before it was evaluated (verify).
  auto outcome = reject(replayed ? "wrong otp value. previous otp used again" : "wrong otp value");
  if (pin_matched.size() == 1) describe_token(outcome, *pin_matched.front());
  return outcome;
}

bool TokenChecker::sends_codes(const db::TokenRow& token) const {
  const auto* type = types_.find(token.type);
  return type && type->has(plugins::Operation::challenge);
}

std::optional<std::string> TokenChecker::send_code(const db::TokenRow& token,
                                                   const std::string& transaction_id,
                                                   const CheckPolicy& policy, long long now) const {
  const auto refuse = [&](const std::string& why) -> std::optional<std::string> {
    spdlog::error("token {} ({}): no code was sent: {}", token.serial, token.type, why);
    return std::nullopt;
  };
  // "mail" for every type, or per type: "email:mail sms:gateway" (a bare name for the rest).
  std::string notifier;
  for (const auto& word : util::split_word_list(policy.challenge_notification)) {
    const auto colon = word.find(':');
    if (colon == std::string::npos) {
      if (notifier.empty()) notifier = word;
    } else if (word.substr(0, colon) == token.type) {
      notifier = word.substr(colon + 1);
      break;
    }
  }
  if (notifier.empty() || !send_challenge_)
    return refuse("no authentication policy challenge_notification names the action to send " +
                  token.type + " codes with");
  boost::json::object result;
  try {
    auto request = token_request(token, now);
    request["transaction_id"] = transaction_id;
    result = types_.find(token.type)->call(plugins::Operation::challenge, request);
  } catch (const plugins::PluginCallError& e) {
    return refuse(e.what());
  } catch (const crypto::SecretBoxError& e) {
    return refuse(std::string("the secret does not open: ") + e.what());
  }
  // The plugin's text goes into a mail header and a JSON answer: bounded, never empty.
  const auto text_of = [](const boost::json::object* o, const char* key, size_t limit) {
    const auto* v = o ? o->if_contains(key) : nullptr;
    return v && v->is_string() && !v->get_string().empty() && v->get_string().size() <= limit
               ? std::optional<std::string>(std::string(v->get_string()))
               : std::nullopt;
  };
  const auto* delivery_value = result.if_contains("delivery");
  const auto* delivery =
      delivery_value && delivery_value->is_object() ? &delivery_value->get_object() : nullptr;
  const auto subject = text_of(delivery, "subject", 256);
  const auto body = text_of(delivery, "body", 8192);
  if (!subject || !body)
    return refuse(
        "the plugin's challenge answer is refused: 'delivery' needs a subject (up to 256 "
        "characters) and a body (up to 8192)");
  std::string message = "please enter otp: ";
  if (result.contains("message")) {
    auto told = text_of(&result, "message", 256);
    if (!told)
      return refuse("the plugin's challenge answer is refused: 'message' is not a short text");
    message = *told;
  }
  try {
    send_challenge_(token, notifier, *subject, *body);
  } catch (const std::exception& e) {
    return refuse(e.what());
  }
  return message;
}

CheckOutcome TokenChecker::open_challenges(const std::vector<const db::TokenRow*>& tokens,
                                           const CheckPolicy& policy, long long now) const {
  const auto transaction_id = new_transaction_id();
  boost::json::array challenges, messages, transaction_ids;
  std::string message;
  const db::TokenRow* last = nullptr;
  bool unsent = false;  // a token's code could not be sent
  CheckOutcome outcome;
  for (const auto* token : tokens) {
    std::string text = "please enter otp: ";
    if (sends_codes(*token)) {
      auto told = send_code(*token, transaction_id, policy, now);
      if (!told) {
        unsent = true;
        continue;
      }
      text = *told;
    }
    tokens_.add_challenge(transaction_id, token->serial, now + policy.challenge_validity_seconds);
    challenges.push_back({{"transaction_id", transaction_id},
                          {"serial", token->serial},
                          {"type", token->type},
                          {"client_mode", "interactive"},
                          {"message", text}});
    messages.push_back(boost::json::string(text));
    transaction_ids.push_back(boost::json::string(transaction_id));
    message += (message.empty() ? "" : ", ") + text;
    outcome.serial = token->serial;
    outcome.type = token->type;
    last = token;
  }
  // Nobody could be sent a code: an outage, not a wrong PIN (nothing is counted).
  if (!last && unsent) throw CheckUnavailable("the code could not be sent");
  outcome.authentication = last ? "CHALLENGE" : "REJECT";
  outcome.detail = {{"messages", messages},
                    {"transaction_ids", transaction_ids},
                    {"multi_challenge", challenges}};
  if (last) {
    outcome.detail["transaction_id"] = transaction_id;
    outcome.detail["message"] = message;
    outcome.detail["serial"] = last->serial;
    outcome.detail["type"] = last->type;
    outcome.detail["client_mode"] = "interactive";
    outcome.detail["preferred_client_mode"] = "interactive";
  }
  return outcome;
}

CheckOutcome TokenChecker::answer_challenge(const std::vector<db::TokenRow>& candidates,
                                            const std::string& pass,
                                            const std::string& transaction_id,
                                            const CheckPolicy& policy, long long now) const {
  const auto open = tokens_.open_challenges(transaction_id, now);
  auto tokens = candidates;
  std::vector<db::TokenRow*> challenged;
  for (auto& token : tokens)
    if (std::find(open.begin(), open.end(), token.serial) != open.end())
      challenged.push_back(&token);
  if (challenged.empty()) return reject("Response did not match the challenge.");
  std::optional<std::string> first_refusal;
  bool replayed = false, broken = false, answered = false;
  std::string unavailable;
  for (auto* token : challenged) {
    if (auto reason = unusable(*token, policy, now)) {
      if (!first_refusal) first_refusal = reason;
      continue;
    }
    const auto verdict = verify(*token, pass, now);
    if (verdict.locked) {
      if (!first_refusal) first_refusal = "Failcounter exceeded";
      continue;
    }
    if (verdict.match) {
      tokens_.close_challenges(transaction_id, now);
      CheckOutcome outcome;
      outcome.value = true;
      outcome.authentication = "ACCEPT";
      outcome.detail["message"] = "Found matching challenge";
      describe_token(outcome, *token);
      return outcome;
    }
    replayed = replayed || verdict.replayed;
    if (verdict.broken) {
      broken = true;
      if (unavailable.empty()) unavailable = verdict.unavailable;
      continue;
    }
    answered = true;  // counted by verify
  }
  if (broken && !answered) throw CheckUnavailable(unavailable);
  if (first_refusal && challenged.size() == 1) return reject(*first_refusal);
  return reject(replayed ? "Response did not match the challenge. previous otp used again"
                         : "Response did not match the challenge.");
}

CheckOutcome TokenChecker::challenge_usable(
    const std::vector<db::TokenRow>& candidates, const CheckPolicy& policy,
    const std::function<bool(const db::TokenRow&)>& wanted) const {
  const long long now = util::unix_seconds();
  auto tokens = candidates;
  std::vector<const db::TokenRow*> ready;
  for (auto& token : tokens)
    if (wanted(token) && !unusable(token, policy, now)) ready.push_back(&token);
  return open_challenges(ready, policy, now);
}

CheckOutcome TokenChecker::trigger(const std::vector<db::TokenRow>& candidates,
                                   const CheckPolicy& policy) const {
  return challenge_usable(candidates, policy, [&](const db::TokenRow& token) {
    return policy.challenge_types.count(token.type) || sends_codes(token);
  });
}

CheckOutcome TokenChecker::second_factor_challenge(const std::vector<db::TokenRow>& candidates,
                                                   const CheckPolicy& policy) const {
  return challenge_usable(candidates, policy, [](const db::TokenRow&) { return true; });
}

bool TokenChecker::verify_enrollment(const db::TokenRow& token, const std::string& otp,
                                     const std::string& actor) const {
  if (token.rollout_state != "verify" || !types_.find(token.type)) return false;
  const long long now = util::unix_seconds();
  const auto verdict = verify(token, otp, now);
  if (verdict.broken) throw CheckUnavailable(verdict.unavailable);
  if (!verdict.match) return false;  // counted by verify
  auto accepted = tokens_.find(token.serial);
  return accepted && tokens_.change_rollout(token.serial, "verify", "enrolled", accepted->info,
                                            {actor, "first value verified"});
}

bool TokenChecker::resync(const db::TokenRow& token, const std::string& otp1,
                          const std::string& otp2) const {
  const auto* type = types_.find(token.type);
  if (!type) return false;
  auto request = token_request(token, util::unix_seconds());
  request["otp1"] = otp1;
  request["otp2"] = otp2;
  request["window"] = token.sync_window;
  const auto result = type->call(plugins::Operation::resync, request);
  const auto matched = matched_counter(token, result, "resync");
  if (!matched)
    throw plugins::PluginCallError(TESSERA_ERR_INTERNAL,
                                   "the token type gave an answer the server cannot use");
  if (*matched < 0) return false;
  return tokens_.resync(token.serial, *matched, updated_info(token, result));
}

}  // namespace tessera::tokens
