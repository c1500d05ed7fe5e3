// Parsing and validation of policies.
#include "server/policy/policy.hpp"

#include <algorithm>

#include "server/policy/policy_engine.hpp"
#include "server/util/comma_list.hpp"

namespace tessera::policy {
namespace {

bool known(Scope scope, const std::string& action) {
  const auto& list = known_actions(scope);
  if (std::find(list.begin(), list.end(), action) != list.end()) return true;
  // enroll<TYPE> for every token type, including those of plugins.
  return (scope == Scope::admin || scope == Scope::user) && action.size() > 6 &&
         action.rfind("enroll", 0) == 0 && std::isupper(static_cast<unsigned char>(action[6]));
}

}  // namespace

std::optional<Scope> parse_scope(std::string_view name) {
  if (name == "admin") return Scope::admin;
  if (name == "user") return Scope::user;
  if (name == "enrollment") return Scope::enrollment;
  if (name == "authentication") return Scope::authentication;
  if (name == "webui") return Scope::webui;
  if (name == "register") return Scope::registration;
  return std::nullopt;
}

const char* scope_name(Scope scope) {
  switch (scope) {
    case Scope::admin:
      return "admin";
    case Scope::user:
      return "user";
    case Scope::enrollment:
      return "enrollment";
    case Scope::authentication:
      return "authentication";
    case Scope::webui:
      return "webui";
    case Scope::registration:
      return "register";
  }
  return "?";
}

const std::vector<std::string>& known_actions(Scope scope) {
  static const std::vector<std::string> admin{"auditlog",
                                              "policyread",
                                              "policywrite",
                                              "policydelete",
                                              "resolverread",
                                              "resolverwrite",
                                              "resolverdelete",
                                              "realmread",
                                              "realmwrite",
                                              "realmdelete",
                                              "userlist",
                                              "adduser",
                                              "updateuser",
                                              "deleteuser",
                                              "tokenlist",
                                              "enrollonbehalf",
                                              "revoke",
                                              "delete",
                                              "disable",
                                              "enable",
                                              "reset",
                                              "resync",
                                              "setpin",
                                              "assign",
                                              "unassign",
                                              "caconnectorread",
                                              "caconnectorwrite",
                                              "caconnectordelete",
                                              "eventhandling_read",
                                              "eventhandling_write",
                                              "triggerchallenge",
                                              "certificateapprove",
                                              "configread",
                                              "statistics_read",
                                              "organizationread",
                                              "organizationwrite",
                                              "organizationdelete",
                                              "personread",
                                              "personwrite",
                                              "persondelete",
                                              "enrollmentformread",
                                              "enrollmentformwrite",
                                              "enrollmentformdelete",
                                              "getrandom",
                                              "set_hsm_password",
                                              "setdescription",
                                              "set",
                                              "settokeninfo",
                                              "tokenrealms",
                                              "copytokenpin",
                                              "copytokenuser",
                                              "losttoken",
                                              "getserial",
                                              "getchallenges",
                                              "setrandompin",
                                              "configwrite",
                                              "configdelete",
                                              "clienttype",
                                              "statistics_delete",
                                              "auditlog_download",
                                              "system_documentation",
                                              "tokengroups",
                                              "tokengroup_add",
                                              "tokengroup_list",
                                              "tokengroup_delete",
                                              "serviceid_add",
                                              "serviceid_list",
                                              "serviceid_delete",
                                              "importtokens",
                                              "smtpserver_read",
                                              "smtpserver_write",
                                              "smsgateway_read",
                                              "smsgateway_write",
                                              "radiusserver_read",
                                              "radiusserver_write",
                                              "mresolverread",
                                              "mresolverwrite",
                                              "mresolverdelete",
                                              "machinelist",
                                              "manage_machine_tokens",
                                              "fetch_authentication_items",
                                              "set_custom_user_attributes",
                                              "delete_custom_user_attributes"};
  static const std::vector<std::string> user{"auditlog",
                                             "updateuser",
                                             "revoke",
                                             "delete",
                                             "disable",
                                             "enable",
                                             "resync",
                                             "setpin",
                                             "reset",
                                             "editable_attributes",
                                             "setdescription",
                                             "losttoken",
                                             "setrandompin",
                                             "set_custom_user_attributes",
                                             "delete_custom_user_attributes",
                                             "password_reset"};
  static const std::vector<std::string> enrollment{"otp_pin_minlength",
                                                   "otp_pin_maxlength",
                                                   "otp_pin_contents",
                                                   "tokenlabel",
                                                   "tokenissuer",
                                                   "max_token_per_user",
                                                   "certificate_require_attestation",
                                                   "certificate_profiles",
                                                   "smartcard_pin_min_length",
                                                   "smartcard_pin_max_length",
                                                   "smartcard_pin_contents",
                                                   "verify_enrollment",
                                                   "email_domains",
                                                   "otp_pin_set_random",
                                                   "lostTokenPWLen",
                                                   "lostTokenValid"};
  static const std::vector<std::string> authentication{"otppin",
                                                       "max_fail",
                                                       "lockout_seconds",
                                                       "challenge_response",
                                                       "challenge_notification",
                                                       "hide_specific_error_message",
                                                       "return_saml_attributes_on_fail"};
  static const std::vector<std::string> webui{"login_mode"};
  // eduMFA's self-registration (POST /register): into which realm and (built-in) resolver, the
  // SMTP server that mails the registration code, the addresses allowed, the mail's text.
  static const std::vector<std::string> registration{"realm", "resolver", "smtpconfig",
                                                     "requiredemail", "registrationcode_body"};
  switch (scope) {
    case Scope::admin:
      return admin;
    case Scope::user:
      return user;
    case Scope::enrollment:
      return enrollment;
    case Scope::webui:
      return webui;
    case Scope::registration:
      return registration;
    case Scope::authentication:
      break;
  }
  return authentication;
}

std::vector<std::pair<std::string, std::string>> policy_fields(const db::PolicyRow& p) {
  return {{"scope", p.scope},
          {"action", p.actions},
          {"realm", p.realms},
          {"resolver", p.resolvers},
          {"user", p.users},
          {"adminuser", p.admins},
          {"client", p.clients},
          {"active", p.active ? "True" : "False"},
          {"priority", std::to_string(p.priority)}};
}

Policy parse_policy(const db::PolicyRow& row) {
  Policy p;
  p.name = row.name;
  if (p.name.empty() || p.name.size() > 64 ||
      p.name.find_first_not_of(
          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") != std::string::npos)
    throw PolicyError("a policy name has 1 to 64 letters, digits, '_', '-' or '.'");
  auto scope = parse_scope(row.scope);
  if (!scope)
    throw PolicyError("unknown scope '" + row.scope +
                      "' (admin, user, enrollment, authentication, webui, register)");
  p.scope = *scope;
  for (const auto& item : util::split_comma_list(row.actions)) {
    auto eq = item.find('=');
    auto name = util::trim(std::string_view(item).substr(0, eq));
    auto value =
        eq == std::string::npos ? std::string() : util::trim(std::string_view(item).substr(eq + 1));
    if (!known(p.scope, name)) {
      std::string list;
      for (const auto& a : known_actions(p.scope)) list += (list.empty() ? "" : ", ") + a;
      throw PolicyError(
          "unknown action '" + name + "' in scope " + row.scope + " (known: " + list +
          (p.scope == Scope::admin || p.scope == Scope::user ? ", enroll<TYPE>" : "") + ")");
    }
    if (name == "login_mode" && value != "userstore" && value != "tessera" &&
        value != "privacyIDEA" && value != "disable")
      throw PolicyError(
          "login_mode takes userstore (a password), tessera (a password and a second factor; "
          "privacyIDEA means the same) or disable");
    if (name == "certificate_require_attestation" && value != "ignore" && value != "verify" &&
        value != "require" && value != "require_and_verify")
      throw PolicyError(
          "certificate_require_attestation takes ignore, verify or require (eduMFA's "
          "require_and_verify is read as require)");
    p.actions[name] = value;
  }
  if (p.actions.empty()) throw PolicyError("a policy needs at least one action");
  p.realms = util::split_comma_list(row.realms);
  p.resolvers = util::split_comma_list(row.resolvers);
  p.users = util::split_comma_list(row.users);
  p.admins = util::split_comma_list(row.admins);
  p.clients = util::split_comma_list(row.clients);
  for (const auto& network : p.clients)
    if (!is_network(network))
      throw PolicyError("client '" + network + "' is not an IP address or network (10.0.0.0/8)");
  p.active = row.active;
  p.priority = row.priority;
  return p;
}

}  // namespace tessera::policy
