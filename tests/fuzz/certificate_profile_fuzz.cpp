// A certificate profile as an admin saves it (subject templates such as
// subject.CN="{givenname} {surname}", san_dns "{username}.devices.corp.example", validity days,
// key types, usages), then filled in for a user whose fields come from a directory (LDAP text,
// any characters). The input is a JSON array: the profile's parameters and the user's fields.
#include <cstddef>
#include <cstdint>
#include <string>

#include <boost/json.hpp>

#include "server/ca/certificate_profile.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  boost::system::error_code ec;
  auto value = boost::json::parse(std::string_view(reinterpret_cast<const char*>(data), size), ec);
  if (ec || !value.is_array() || value.as_array().size() < 2 || !value.as_array()[0].is_object() ||
      !value.as_array()[1].is_object())
    return 0;
  const auto& fields = value.as_array()[1].as_object();
  auto field = [&](const char* key) {
    const auto* v = fields.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  tessera::db::UserRow user;
  user.username = field("username");
  user.given_name = field("givenname");
  user.surname = field("surname");
  user.email = field("email");
  user.organization = field("organization");
  user.department = field("department");
  try {
    const auto profile =
        tessera::ca::CertificateProfile::from_params(value.as_array()[0].as_object());
    // What is saved is read back the same.
    const auto again = tessera::ca::CertificateProfile::from_json(profile.to_json());
    if (boost::json::serialize(again.to_json()) != boost::json::serialize(profile.to_json()))
      __builtin_trap();
    (void)profile.subject_of(user, field("realm"));
    (void)profile.dns_name_of(user, field("realm"));
  } catch (const tessera::ca::ProfileError&) {
  }
  return 0;
}
