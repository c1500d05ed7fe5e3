#include "server/api/authentication_policy.hpp"

#include "server/util/comma_list.hpp"

namespace tessera::api {

tokens::CheckPolicy check_policy(const policy::PolicyEngine& engine,
                                 const policy::Subject& subject) {
  tokens::CheckPolicy policy;
  using policy::Scope;
  if (auto mode = engine.value(Scope::authentication, "otppin", subject)) {
    if (*mode == "userstore")
      policy.pin_mode = tokens::PinMode::user_store;
    else if (*mode == "none")
      policy.pin_mode = tokens::PinMode::none;
  }
  if (auto seconds = engine.value(Scope::authentication, "lockout_seconds", subject))
    policy.lockout_seconds = std::max(0LL, std::atoll(seconds->c_str()));
  if (auto notifier = engine.value(Scope::authentication, "challenge_notification", subject))
    policy.challenge_notification = *notifier;
  if (auto types = engine.value(Scope::authentication, "challenge_response", subject))
    for (auto& type : util::split_word_list(*types)) policy.challenge_types.insert(std::move(type));
  return policy;
}

bool hides_specific_errors(const policy::PolicyEngine& engine, const policy::Subject& subject) {
  const auto value =
      engine.value(policy::Scope::authentication, "hide_specific_error_message", subject);
  return value && *value != "0" && *value != "false";
}

}  // namespace tessera::api
