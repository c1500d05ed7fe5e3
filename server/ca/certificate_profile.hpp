// A certificate profile: what a CA connector may issue for a user. Admins define it; the
// server, never the CSR, decides the subject and the alternative names, from the user's
// attributes.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>

#include "db/identity_repository.hpp"

namespace tessera::ca {

class ProfileError : public std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

struct CertificateProfile {
  std::string name;                     // set when read from the store; not part of the JSON
  std::vector<int> validity_days{365};  // the terms a user may pick; the first is the default
  std::vector<std::string> key_types{"ec-p256", "ec-p384", "rsa-3072", "rsa-4096"};
  std::vector<std::string> key_usage{"digitalSignature"};
  std::vector<std::string> extended_key_usage{"clientAuth"};
  // Subject fields in order, each a template with {username} {givenname} {surname} {email}
  // {organization} {department} {realm}.
  std::vector<std::pair<std::string, std::string>> subject{{"CN", "{username}"}};
  bool san_email = true;  // the user's e-mail address as rfc822Name
  bool san_upn = false;   // username@realm as a Microsoft UPN (smart card logon)
  // A DNS name as a template ("{username}.devices.corp.example"); empty: none. What an ACME CA
  // orders as its dns identifier.
  std::string san_dns;
  // A device's names, given by the admin who enrolls its token (ip=, device_serial=), never by
  // a user: an iPAddress, and a PermanentIdentifier (RFC 4043) otherName. What an ACME CA
  // orders as its ip and permanent-identifier identifiers.
  bool san_ip = false;
  bool san_permanent_identifier = false;
  // The CA's own certificate template for this profile (AD CS); empty: the connector's.
  std::string ca_template;
  bool approval = false;  // issuance waits for an admin
  // An e-mail address that goes into the certificate (san_email, or {email} in the subject)
  // must be in the owner's realm's domains (enrollment policy email_domains): users may be able
  // to edit their own address, the CA's name for them must not follow.
  bool email_in_realm_domains = false;

  // From request parameters (form text or JSON): validity_days="365,730", key_types,
  // key_usage, extended_key_usage (comma lists), subject.CN="{givenname} {surname}",
  // san_email, san_upn, approval (1/0). Absent ones keep their defaults. Throws ProfileError.
  static CertificateProfile from_params(const boost::json::object& params);
  static CertificateProfile from_json(const boost::json::object& json);
  boost::json::object to_json() const;

  // Whether the user's e-mail address reaches the certificate (san_email or {email}).
  bool puts_email_in_certificate() const;
  // The subject fields for user, with empty ones left out; throws ProfileError without a CN.
  std::vector<std::pair<std::string, std::string>> subject_of(const db::UserRow& user,
                                                              const std::string& realm) const;
  // san_dns for user, in lower case ("" when the profile has none); throws ProfileError when it
  // is no DNS name (a user name with characters a host name cannot have).
  std::string dns_name_of(const db::UserRow& user, const std::string& realm) const;
};

// An IPv4 or IPv6 address as inet_ntop writes it; throws ProfileError for anything else.
std::string checked_ip_address(const std::string& text);
// A device serial: 1 to 64 letters, digits, '-', '_', '.', ':', '/', '+'; throws ProfileError.
std::string checked_device_serial(const std::string& text);

}  // namespace tessera::ca
