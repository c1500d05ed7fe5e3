// eduMFA's /token/load/<filename>: an admin (importtokens) imports the tokens of a vendor's file,
// PSKC, OATH CSV, YubiKey CSV or SafeNet XML, uploaded as the multipart part "file". Each key is
// enrolled as its token type enrolls it (the seed sealed, the plugin's checks applied),
// unassigned unless the file names an owner; a key that cannot be (a taken serial, a short
// seed, an unknown owner) is reported and the others go on.
#include <openssl/crypto.h>

#include <boost/json.hpp>

#include "server/api/api_error.hpp"
#include "server/api/envelope.hpp"
#include "server/api/params.hpp"
#include "server/api/token_api.hpp"
#include "server/crypto/encoding.hpp"
#include "server/tokens/token_file.hpp"

namespace tessera::api {
namespace {

std::vector<uint8_t> preshared_key(const std::string& hex) {
  if (hex.size() != 32 && hex.size() != 48 && hex.size() != 64)
    throw ApiError::bad_parameter(
        "psk is the AES key as 32, 48 or 64 hex digits (eduMFA: 32, a 128-bit key)");
  std::vector<uint8_t> key;
  for (size_t i = 0; i < hex.size(); i += 2) {
    if (!std::isxdigit(static_cast<unsigned char>(hex[i])) ||
        !std::isxdigit(static_cast<unsigned char>(hex[i + 1])))
      throw ApiError::bad_parameter("psk is hex digits");
    key.push_back(static_cast<uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return key;
}

tokens::TokenFile read_file(const http::RequestContext& c) {
  auto type = required_param(c, "type", 32);
  const auto contents = required_param(c, "file", 4 * 1024 * 1024);
  try {
    if (type == "oathcsv" || type == "OATH CSV") return tokens::read_oath_csv(contents);
    if (type == "yubikeycsv" || type == "Yubikey CSV") return tokens::read_yubico_csv(contents);
    if (type == "aladdin-xml") return tokens::read_safenet_xml(contents);
    if (type != "pskc")
      throw ApiError::bad_parameter("type '" + type +
                                    "' is not one Tessera reads: pskc, oathcsv, yubikeycsv or "
                                    "aladdin-xml");
    tokens::PskcSecrets secrets;
    if (const auto psk = string_param(c, "psk", 64); !psk.empty())
      secrets.preshared_key = preshared_key(psk);
    secrets.password = string_param(c, "password", 1024);
    const auto check = c.params.contains("pskcValidateMAC") ? string_param(c, "pskcValidateMAC", 32)
                                                            : "check_fail_hard";
    if (check == "no_check")
      secrets.mac = tokens::MacCheck::none;
    else if (check == "check_fail_soft")
      secrets.mac = tokens::MacCheck::soft;
    else if (check != "check_fail_hard")
      throw ApiError::bad_parameter(
          "pskcValidateMAC is no_check, check_fail_soft or check_fail_hard");
    auto file = tokens::read_pskc(contents, secrets);
    OPENSSL_cleanse(secrets.preshared_key.data(), secrets.preshared_key.size());
    return file;
  } catch (const tokens::TokenFileError& e) {
    throw ApiError::bad_parameter("the token file cannot be read: " + std::string(e.what()) +
                                  "; nothing was imported");
  }
}

}  // namespace

void add_token_load_routes(http::Router& router, const TokenApiContext& x) {
  router.add(
      "POST", "/token/load/<filename>",
      [x](http::RequestContext& c) {
        if (!c.identity->is_admin()) throw ApiError(403, 303, "only admins import token files");
        x.access.require_admin(c, "importtokens");
        auto file = read_file(c);
        const auto engine = x.access.engine();
        int maxfail = 10;
        if (auto max = engine->value(policy::Scope::authentication, "max_fail", {}))
          maxfail = std::max(1, std::atoi(max->c_str()));
        boost::json::array not_imported;
        for (const auto& [serial, why] : file.skipped)
          not_imported.push_back({{"serial", serial}, {"reason", why}});
        int imported = 0;
        const db::TransitionNote note{c.identity->username, ""};
        for (auto& key : file.keys) {
          tokens::EnrollmentRequest request;
          request.type = key.type;
          request.serial = key.serial;
          request.description = key.description;
          request.maxfail = maxfail;
          request.note = note;
          request.label = key.serial;
          request.issuer = "Tessera";
          auto hex = crypto::hex_encode(key.seed.data(), key.seed.size());
          request.params = {
              {"otpkey", hex}, {"otplen", std::to_string(key.otplen)}, {"hashlib", key.hashlib}};
          if (key.type == "totp") request.params["timeStep"] = std::to_string(key.time_step);
          // eduMFA's OATH CSV version 2 names the owner: one this server knows, or none.
          if (!key.owner_user.empty()) {
            const auto owner =
                x.directory.find_in(key.owner_resolver, key.owner_user, key.owner_realm);
            if (!owner) {
              not_imported.push_back(
                  {{"serial", key.serial},
                   {"reason", "no user " + key.owner_user + " in resolver " + key.owner_resolver +
                                  " of realm " + key.owner_realm}});
              continue;
            }
            try {
              x.access.require_admin(c, "importtokens", owner->realm);
            } catch (const ApiError&) {
              not_imported.push_back(
                  {{"serial", key.serial},
                   {"reason", "importtokens is not granted for realm " + owner->realm}});
              continue;
            }
            request.owner_user = owner->user.username;
            request.owner_resolver = owner->user.resolver;
            request.owner_realm = owner->realm;
          }
          request.complete = [&key](const boost::json::object&, db::TokenRow& row,
                                    boost::json::object&) {
            row.counter = key.counter;
            row.valid_from = key.valid_from;
            row.valid_until = key.valid_until;
            auto info = boost::json::parse(row.info).as_object();
            info["tokenkind"] = "hardware";
            info["import"] = "token file";
            row.info = boost::json::serialize(info);
          };
          try {
            x.enrollment.enroll(request);
            ++imported;
          } catch (const tokens::EnrollmentError& e) {
            not_imported.push_back({{"serial", key.serial}, {"reason", e.what()}});
          } catch (const plugins::PluginCallError& e) {
            not_imported.push_back({{"serial", key.serial}, {"reason", e.what()}});
          }
          OPENSSL_cleanse(hex.data(), hex.size());
          OPENSSL_cleanse(key.seed.data(), key.seed.size());
        }
        c.audit.info = "imported " + std::to_string(imported) + " tokens from " +
                       c.path_params.at("filename") + ", " + std::to_string(not_imported.size()) +
                       " not";
        boost::json::object detail{{"not_imported", not_imported}};
        if (!string_param(c, "tokenrealms", 1024).empty())
          detail["tokenrealms"] =
              "ignored: a Tessera token is in its owner's realm (assign the tokens to users)";
        return json_result(
            boost::json::object{{"n_imported", imported},
                                {"n_not_imported", static_cast<int64_t>(not_imported.size())}},
            detail);
      },
      http::Access::authenticated);
}

}  // namespace tessera::api
