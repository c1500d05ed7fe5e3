// A read-only user source in an LDAP directory (OpenLDAP's client library): finds users with a
// service account, maps their attributes, and checks passwords by binding as the user.
// Blocking, one connection per call: use from worker threads.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "db/identity_repository.hpp"

namespace tessera::identity {

struct LdapSettings {
  std::string uri;  // ldap://host:389 or ldaps://host:636
  std::string base_dn;
  std::string bind_dn;        // empty: anonymous search
  std::string bind_password;  // stored sealed
  std::string login_attribute = "uid";
  std::string user_filter = "(objectClass=inetOrgPerson)";
  // Tessera's user fields -> LDAP attributes; a field mapped to "" is not read (stays empty), a
  // field left out of the resolver's `attributes` keeps its default below.
  std::map<std::string, std::string> attributes{
      {"givenname", "givenName"},   {"surname", "sn"},    {"email", "mail"},
      {"phone", "telephoneNumber"}, {"mobile", "mobile"}, {"organization", "o"},
      {"department", "ou"}};
  bool start_tls = false;
  std::string ca_file;  // for ldaps:// and StartTLS; empty: the system's trusted CAs
  int timeout_seconds = 5;

  // Reads the resolver parameters (eduMFA-like names) or throws std::invalid_argument.
  static LdapSettings from_json(const boost::json::object& config);
  boost::json::object to_json() const;  // bind_password left out
};

class LdapError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct LdapUser {
  std::string dn;
  db::UserRow row;
};

class LdapResolver {
 public:
  LdapResolver(std::string resolver_name, LdapSettings settings)
      : name_(std::move(resolver_name)), settings_(std::move(settings)) {}

  // Throws LdapError when the directory cannot be reached or the service bind fails.
  std::optional<LdapUser> find(const std::string& username) const;
  // pattern: "*" wildcards only; at most limit users.
  std::vector<db::UserRow> list(const std::string& pattern, int limit) const;
  // A simple bind as the user; an empty password never succeeds (it would be anonymous).
  bool check_password(const std::string& dn, const std::string& password) const;

 private:
  std::vector<LdapUser> search(const std::string& filter, int limit) const;
  std::string name_;
  LdapSettings settings_;
};

// RFC 4515 escaping of a value inside a search filter; keep_wildcards leaves '*' as it is.
std::string ldap_escape(const std::string& value, bool keep_wildcards = false);

}  // namespace tessera::identity
