#include "server/api/second_factor_login.hpp"

#include "server/api/api_error.hpp"
#include "server/api/authentication_policy.hpp"
#include "server/api/plugin_failure.hpp"
#include "server/plugins/component_instance.hpp"

namespace tessera::api {
namespace {

policy::Subject subject_of(const auth::Identity& user, const std::string& client) {
  return {"", user.username, user.realm, user.resolver, client};
}

}  // namespace

SecondFactorLogin::Mode SecondFactorLogin::mode_for(const auth::Identity& user,
                                                    const std::string& client) const {
  if (user.is_admin()) return Mode::userstore;  // admins are this server's own accounts
  const auto mode =
      access_.engine()->value(policy::Scope::webui, "login_mode", subject_of(user, client));
  if (!mode || *mode == "userstore") return Mode::userstore;
  if (*mode == "disable") return Mode::disabled;
  return Mode::second_factor;  // tessera, or privacyIDEA's name for it
}

tokens::CheckOutcome SecondFactorLogin::challenge(const auth::Identity& user,
                                                  const std::string& client) const {
  const auto policy = check_policy(*access_.engine(), subject_of(user, client));
  try {
    return checker_.second_factor_challenge(tokens_.owned_by(user.resolver, user.username), policy);
  } catch (const tokens::CheckUnavailable& e) {
    throw ApiError(503, error_code::internal,
                   std::string("the second factor cannot be asked for: ") + e.what());
  }
}

tokens::CheckOutcome SecondFactorLogin::answer(const auth::Identity& user, const std::string& otp,
                                               const std::string& transaction_id,
                                               const std::string& client) const {
  const auto policy = check_policy(*access_.engine(), subject_of(user, client));
  return checker_.check(tokens_.owned_by(user.resolver, user.username), otp, transaction_id, policy,
                        {});
}

}  // namespace tessera::api
