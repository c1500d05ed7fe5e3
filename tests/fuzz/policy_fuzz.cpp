// A policy as an admin submits it (scope, actions such as "otppin=userstore, enrollHOTP", realm,
// resolver, user, admin and client conditions, the client networks among them), then matched
// against a request. The input's lines are the policy's fields and the request's subject; a
// policy that parses must then be matched without failing.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/policy/policy.hpp"
#include "server/policy/policy_engine.hpp"

namespace {

std::string next_line(std::string_view& rest) {
  const auto end = rest.find('\n');
  std::string line(rest.substr(0, end));
  rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tessera;
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  db::PolicyRow row;
  row.name = next_line(rest);
  row.scope = next_line(rest);
  row.actions = next_line(rest);
  row.realms = next_line(rest);
  row.resolvers = next_line(rest);
  row.users = next_line(rest);
  row.admins = next_line(rest);
  row.clients = next_line(rest);
  policy::Subject subject{next_line(rest), next_line(rest), next_line(rest), next_line(rest),
                          next_line(rest)};
  policy::Policy parsed;
  try {
    parsed = policy::parse_policy(row);
  } catch (const policy::PolicyError&) {
    return 0;  // refused when submitted
  }
  (void)policy::policy_fields(row);
  const policy::PolicyEngine engine({parsed});
  for (const auto& [action, value] : parsed.actions) {
    (void)engine.allowed(parsed.scope, action, subject);
    (void)engine.value(parsed.scope, action, subject);
  }
  (void)engine.granted(parsed.scope, subject);
  (void)engine.matching(parsed.scope, subject);
  return 0;
}
