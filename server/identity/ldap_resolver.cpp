// OpenLDAP's synchronous API with network and operation timeouts on every connection.
#include "server/identity/ldap_resolver.hpp"

#include <algorithm>
#include <memory>

#include <ldap.h>

namespace tessera::identity {
namespace {

struct Unbind {
  void operator()(LDAP* ld) const { ldap_unbind_ext_s(ld, nullptr, nullptr); }
};
using LdapPtr = std::unique_ptr<LDAP, Unbind>;

struct MessageFree {
  void operator()(LDAPMessage* m) const { ldap_msgfree(m); }
};

std::string string_of(const boost::json::object& o, const char* key, std::string fallback = {}) {
  auto it = o.find(key);
  if (it == o.end()) return fallback;
  if (!it->value().is_string())
    throw std::invalid_argument(std::string("'") + key + "' must be a string");
  return std::string(it->value().as_string());
}

// Opens a connection with timeouts and, when asked, StartTLS; binds as dn (empty: anonymous).
// Returns the connection, or null with the LDAP result code in rc when the bind fails.
LdapPtr connect(const LdapSettings& s, const std::string& dn, const std::string& password,
                int& rc) {
  LDAP* raw = nullptr;
  rc = ldap_initialize(&raw, s.uri.c_str());
  if (rc != LDAP_SUCCESS) throw LdapError("bad LDAP URI " + s.uri + ": " + ldap_err2string(rc));
  LdapPtr ld(raw);
  int version = LDAP_VERSION3;
  ldap_set_option(ld.get(), LDAP_OPT_PROTOCOL_VERSION, &version);
  timeval timeout{s.timeout_seconds, 0};
  ldap_set_option(ld.get(), LDAP_OPT_NETWORK_TIMEOUT, &timeout);
  ldap_set_option(ld.get(), LDAP_OPT_TIMEOUT, &timeout);
  ldap_set_option(ld.get(), LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
  if (!s.ca_file.empty()) {
    ldap_set_option(ld.get(), LDAP_OPT_X_TLS_CACERTFILE, s.ca_file.c_str());
    int demand = LDAP_OPT_X_TLS_DEMAND;
    ldap_set_option(ld.get(), LDAP_OPT_X_TLS_REQUIRE_CERT, &demand);
    int new_context = 0;
    ldap_set_option(ld.get(), LDAP_OPT_X_TLS_NEWCTX, &new_context);
  }
  if (s.start_tls) {
    rc = ldap_start_tls_s(ld.get(), nullptr, nullptr);
    if (rc != LDAP_SUCCESS) throw LdapError(std::string("StartTLS failed: ") + ldap_err2string(rc));
  }
  berval credentials{password.size(), const_cast<char*>(password.data())};
  rc = ldap_sasl_bind_s(ld.get(), dn.empty() ? nullptr : dn.c_str(), LDAP_SASL_SIMPLE, &credentials,
                        nullptr, nullptr, nullptr);
  if (rc == LDAP_SERVER_DOWN || rc == LDAP_TIMEOUT || rc == LDAP_CONNECT_ERROR)
    throw LdapError("LDAP server " + s.uri + " unreachable: " + ldap_err2string(rc));
  if (rc != LDAP_SUCCESS) return nullptr;
  return ld;
}

}  // namespace

std::string ldap_escape(const std::string& value, bool keep_wildcards) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : value) {
    if ((c == '*' && !keep_wildcards) || c == '(' || c == ')' || c == '\\' || c == 0) {
      out += '\\';
      out += hex[c >> 4];
      out += hex[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

LdapSettings LdapSettings::from_json(const boost::json::object& config) {
  static const std::vector<std::string> known{
      "uri",         "base_dn",    "bind_dn",   "bind_password", "login_attribute",
      "user_filter", "attributes", "start_tls", "ca_file",       "timeout_seconds"};
  for (const auto& [key, unused] : config)
    if (std::find(known.begin(), known.end(), std::string(key)) == known.end())
      throw std::invalid_argument("the ldap resolver has no setting '" + std::string(key) + "'");
  LdapSettings s;
  s.uri = string_of(config, "uri");
  if (s.uri.rfind("ldap://", 0) != 0 && s.uri.rfind("ldaps://", 0) != 0)
    throw std::invalid_argument("'uri' must start with ldap:// or ldaps://");
  s.base_dn = string_of(config, "base_dn");
  if (s.base_dn.empty()) throw std::invalid_argument("'base_dn' is required");
  s.bind_dn = string_of(config, "bind_dn");
  s.bind_password = string_of(config, "bind_password");
  s.login_attribute = string_of(config, "login_attribute", s.login_attribute);
  s.user_filter = string_of(config, "user_filter", s.user_filter);
  if (s.user_filter.empty() || s.user_filter.front() != '(' || s.user_filter.back() != ')')
    throw std::invalid_argument("'user_filter' must be an LDAP filter in parentheses");
  if (auto it = config.find("attributes"); it != config.end()) {
    if (!it->value().is_object())
      throw std::invalid_argument("'attributes' must map field -> attribute");
    for (const auto& [field, attribute] : it->value().as_object()) {
      if (!s.attributes.count(std::string(field)) || !attribute.is_string())
        throw std::invalid_argument(
            "'attributes' maps the fields givenname, surname, email, phone, "
            "mobile, organization, department to attribute names");
      s.attributes[std::string(field)] = std::string(attribute.as_string());
    }
  }
  if (auto it = config.find("start_tls"); it != config.end()) {
    if (!it->value().is_bool()) throw std::invalid_argument("'start_tls' must be true or false");
    s.start_tls = it->value().as_bool();
  }
  s.ca_file = string_of(config, "ca_file");
  if (auto it = config.find("timeout_seconds"); it != config.end()) {
    if (!it->value().is_int64() || it->value().as_int64() < 1 || it->value().as_int64() > 60)
      throw std::invalid_argument("'timeout_seconds' must be 1 to 60");
    s.timeout_seconds = static_cast<int>(it->value().as_int64());
  }
  return s;
}

boost::json::object LdapSettings::to_json() const {
  boost::json::object mapping;
  for (const auto& [field, attribute] : attributes) mapping[field] = attribute;
  return {{"uri", uri},
          {"base_dn", base_dn},
          {"bind_dn", bind_dn},
          {"login_attribute", login_attribute},
          {"user_filter", user_filter},
          {"attributes", std::move(mapping)},
          {"start_tls", start_tls},
          {"ca_file", ca_file},
          {"timeout_seconds", timeout_seconds}};
}

std::vector<LdapUser> LdapResolver::search(const std::string& filter, int limit) const {
  int rc = 0;
  auto ld = connect(settings_, settings_.bind_dn, settings_.bind_password, rc);
  if (!ld)
    throw LdapError(std::string("the service account could not bind: ") + ldap_err2string(rc));
  std::vector<std::string> names{settings_.login_attribute};
  for (const auto& [field, attribute] : settings_.attributes)
    if (!attribute.empty()) names.push_back(attribute);
  std::vector<char*> attrs;
  for (auto& n : names) attrs.push_back(n.data());
  attrs.push_back(nullptr);
  timeval timeout{settings_.timeout_seconds, 0};
  LDAPMessage* raw = nullptr;
  rc = ldap_search_ext_s(ld.get(), settings_.base_dn.c_str(), LDAP_SCOPE_SUBTREE, filter.c_str(),
                         attrs.data(), 0, nullptr, nullptr, &timeout, limit, &raw);
  std::unique_ptr<LDAPMessage, MessageFree> result(raw);
  if (rc != LDAP_SUCCESS && rc != LDAP_SIZELIMIT_EXCEEDED)
    throw LdapError(std::string("LDAP search failed: ") + ldap_err2string(rc));
  std::vector<LdapUser> users;
  for (auto* entry = ldap_first_entry(ld.get(), result.get()); entry;
       entry = ldap_next_entry(ld.get(), entry)) {
    LdapUser user;
    char* dn = ldap_get_dn(ld.get(), entry);
    user.dn = dn ? dn : "";
    ldap_memfree(dn);
    auto first_value = [&](const std::string& attribute) {
      if (attribute.empty()) return std::string();  // an unmapped field
      berval** values = ldap_get_values_len(ld.get(), entry, attribute.c_str());
      std::string value;
      if (values && values[0]) value.assign(values[0]->bv_val, values[0]->bv_len);
      ldap_value_free_len(values);
      return value;
    };
    user.row.resolver = name_;
    user.row.username = first_value(settings_.login_attribute);
    user.row.given_name = first_value(settings_.attributes.at("givenname"));
    user.row.surname = first_value(settings_.attributes.at("surname"));
    user.row.email = first_value(settings_.attributes.at("email"));
    user.row.phone = first_value(settings_.attributes.at("phone"));
    user.row.mobile = first_value(settings_.attributes.at("mobile"));
    user.row.organization = first_value(settings_.attributes.at("organization"));
    user.row.department = first_value(settings_.attributes.at("department"));
    if (!user.row.username.empty()) users.push_back(std::move(user));
  }
  return users;
}

std::optional<LdapUser> LdapResolver::find(const std::string& username) const {
  if (username.empty()) return std::nullopt;
  auto users = search("(&" + settings_.user_filter + "(" + settings_.login_attribute + "=" +
                          ldap_escape(username) + "))",
                      2);
  // Two entries for one login name would make the login ambiguous: refuse both.
  if (users.size() != 1) return std::nullopt;
  return users.front();
}

std::vector<db::UserRow> LdapResolver::list(const std::string& pattern, int limit) const {
  std::vector<db::UserRow> rows;
  for (auto& u : search("(&" + settings_.user_filter + "(" + settings_.login_attribute + "=" +
                            ldap_escape(pattern.empty() ? "*" : pattern, true) + "))",
                        limit))
    rows.push_back(std::move(u.row));
  return rows;
}

bool LdapResolver::check_password(const std::string& dn, const std::string& password) const {
  if (password.empty() || dn.empty()) return false;
  int rc = 0;
  return connect(settings_, dn, password, rc) != nullptr;
}

}  // namespace tessera::identity
