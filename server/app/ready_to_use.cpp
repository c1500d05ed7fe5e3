#include "server/app/ready_to_use.hpp"

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include "server/ca/certificate_profile.hpp"

namespace tessera::app {

ReadyToUse make_ready_to_use(const FirstStartSettings& settings, db::IdentityRepository& identities,
                             ca::CaConnectors& ca_connectors,
                             db::CertificateProfileRepository& profiles) {
  ReadyToUse made;
  if (!settings.realm.empty() && identities.realms().empty()) {
    made.realm = settings.realm;
    made.resolver = "users";
    if (!identities.resolver(made.resolver))
      identities.save_resolver({made.resolver, "sql", "{}", 0});
    if (const auto refused = identities.save_realm(made.realm, {{made.resolver, 1}});
        !refused.empty())
      throw std::runtime_error("first start: realm " + made.realm + ": " + refused);
    spdlog::info("first start: realm '{}' with the built-in resolver '{}'", made.realm,
                 made.resolver);
  }
  if (!settings.ca.empty() && ca_connectors.list().empty()) {
    made.ca = settings.ca;
    made.profile = "client";
    ca_connectors.save(made.ca, "ca_local", {{"key_type", "ec-p256"}});
    ca::CertificateProfile client;  // a year, clientAuth, CN = user name, the e-mail as SAN
    client.key_types = {"ec-p256", "rsa-3072"};
    profiles.save(made.ca, made.profile, boost::json::serialize(client.to_json()));
    spdlog::info("first start: local CA '{}' with the profile '{}'", made.ca, made.profile);
  }
  return made;
}

std::string next_steps(const ReadyToUse& made, const std::string& url, const std::string& ca_file) {
  if (made.realm.empty() && made.ca.empty()) return {};
  std::string out = "Ready to use:";
  if (!made.realm.empty())
    out += " realm '" + made.realm + "' (users in the built-in resolver '" + made.resolver + "')";
  if (!made.ca.empty())
    out += std::string(made.realm.empty() ? "" : ",") + " local CA '" + made.ca +
           "' (EC P-256) with the certificate profile '" + made.profile + "'";
  out += ".\n";
  if (made.realm.empty()) return out;
  const std::string curl = "curl -s" + (ca_file.empty() ? "" : " --cacert " + ca_file);
  const std::string as_admin = curl + " -H \"Authorization: $TOKEN\" " + url;
  // RFC 4226's test seed, so that its first value (755224) checks without an app; with your
  // own app, enroll with genkey=1 instead and scan the QR code the WebUI shows.
  out +=
      "Try it (with TESSERA_ADMIN_PASSWORD set to the admin's password):\n"
      "  TOKEN=$(" +
      curl + " " + url +
      "/auth -d username=admin --data-urlencode \"password=$TESSERA_ADMIN_PASSWORD\" | sed "
      "'s/.*\"token\":\"\\([^\"]*\\)\".*/\\1/')\n"
      "  1. Add a user:     " +
      as_admin + "/user/ -d user=alice -d resolver=" + made.resolver +
      " -d password=alice-change-me\n"
      "  2. Enroll a token: " +
      as_admin + "/token/init -d type=hotp -d user=alice -d realm=" + made.realm +
      " -d otpkey=3132333435363738393031323334353637383930\n"
      "  3. Check it:       " +
      curl + " " + url + "/validate/check -d user=alice -d realm=" + made.realm +
      " -d pass=755224\n";
  return out;
}

}  // namespace tessera::app
