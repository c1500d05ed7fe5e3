#include "server/migration/token_import.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <set>

#include "db/fit_text.hpp"
#include "db/sealed_bindings.hpp"
#include "server/ca/certificate_login.hpp"
#include "server/crypto/encoding.hpp"
#include "server/crypto/x509.hpp"
#include "server/migration/source_rows.hpp"

namespace tessera::migration {
namespace {

// The token information Tessera's OATH token types read, with eduMFA's names and defaults.
boost::json::object oath_info(const EduMfaToken& t, const std::string& type) {
  const auto value = [&](const char* key, const char* otherwise) {
    auto it = t.info.find(key);
    return it == t.info.end() || it->second.empty() ? std::string(otherwise) : it->second;
  };
  boost::json::object info{{"hashlib", lower(value("hashlib", "sha1"))},
                           {"tokenkind", value("tokenkind", "software")}};
  if (type == "totp") {
    info["timeStep"] = value("timeStep", "30");
    info["timeWindow"] = value("timeWindow", "180");
    info["timeShift"] = value("timeShift", "0");
  }
  return info;
}

void assign_owner(const EduMfaToken& t, db::TokenRow& row, TokenImportPlan& plan,
                  const TokenImportContext& context) {
  if (t.owner_id.empty()) return;
  if (const auto name = context.owner_name(t.owner_realm, t.owner_resolver, t.owner_id)) {
    row.owner_user = *name;
    row.owner_resolver = t.owner_resolver;
    row.owner_realm = t.owner_realm;
    return;
  }
  plan.notes.emplace_back(t.serial, "its owner (user id '" + t.owner_id + "' in resolver '" +
                                        t.owner_resolver + "', realm '" + t.owner_realm +
                                        "') cannot be told here: imported unassigned");
}

// A certificate token comes over as an existing certificate does here: the certificate in its
// info, recorded under its issuer (external:<hash>), and no private key.
template <class Skip>
std::optional<db::TokenRow> certificate_token(const EduMfaToken& t, TokenImportPlan& plan,
                                              const Skip& skip, long long now) {
  const auto found = t.info.find("certificate");
  auto certificate = found == t.info.end() ? nullptr : crypto::parse_certificate(found->second);
  if (!certificate) {
    skip("no certificate in its token info that parses");
    return std::nullopt;
  }
  const auto& pem = found->second;
  const auto serial = crypto::serial_hex(certificate.get());
  db::CertificateRow stored{ca::external_ca_of(pem),
                            serial,
                            t.serial,
                            db::fit_text(crypto::subject_text(certificate.get()), 1024),
                            crypto::not_after(certificate.get()),
                            pem,
                            t.revoked};
  boost::json::object info{
      {"certificate_source", "imported"}, {"certificate", pem},
      {"certificate_serial", serial},     {"external_ca", stored.ca},
      {"subject", stored.subject},        {"issuer", crypto::issuer_text(certificate.get())},
      {"not_after", stored.not_after}};
  if (auto ca = t.info.find("CA"); ca != t.info.end() && !ca->second.empty())
    info["imported_ca"] = ca->second;
  db::TokenRow row;
  row.serial = t.serial;
  row.type = "certificate";
  row.description = t.description.substr(0, 80);
  row.otplen = 0;
  row.active = t.active;
  row.revoked = t.revoked;
  row.locked = t.locked;
  row.rollout_state = "enrolled";
  row.info = boost::json::serialize(info);
  row.created_at = now;
  if (std::find(t.secret_info.begin(), t.secret_info.end(), "privatekey") != t.secret_info.end())
    plan.notes.emplace_back(t.serial,
                            "its private key (made by eduMFA) stays there: Tessera hands a "
                            "server-made key out once, at enrollment");
  plan.certificates.push_back(std::move(stored));
  return row;
}

}  // namespace

TokenImportPlan plan_token_import(const std::vector<EduMfaToken>& tokens,
                                  const TokenImportContext& context) {
  TokenImportPlan plan;
  const long long now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  // eduMFA's finished states; the others are enrollments still under way.
  static const std::set<std::string> kFinished{"", "enrolled"};
  for (const auto& t : tokens) {
    const auto skip = [&](const std::string& why) { plan.skipped.emplace_back(t.serial, why); };
    const auto type = lower(t.type);
    if (type != "hotp" && type != "totp" && type != "certificate") {
      skip("type " + t.type + ": Tessera imports HOTP, TOTP and certificate tokens so far");
      continue;
    }
    if (!kFinished.contains(t.rollout_state)) {
      skip("rollout state '" + t.rollout_state + "': its enrollment was not finished");
      continue;
    }
    if (type == "certificate") {
      if (auto row = certificate_token(t, plan, skip, now)) {
        assign_owner(t, *row, plan, context);
        plan.tokens.push_back(std::move(*row));
      }
      continue;
    }
    if (t.otplen != 6 && t.otplen != 8) {
      skip("otplen " + std::to_string(t.otplen) + ": Tessera's OATH tokens have 6 or 8 digits");
      continue;
    }
    const auto info = oath_info(t, type);
    const auto hashlib = std::string(info.at("hashlib").as_string());
    if (hashlib != "sha1" && hashlib != "sha256" && hashlib != "sha512") {
      skip("hashlib " + hashlib + ": not sha1, sha256 or sha512");
      continue;
    }
    db::TokenRow row;
    row.serial = t.serial;
    row.type = type;
    try {
      if (t.key_iv.empty()) throw std::invalid_argument("its seed is stored without encryption");
      auto seed = context.source_keys.token_seed(t.key_enc, t.key_iv);
      auto hex = crypto::hex_encode(reinterpret_cast<const uint8_t*>(seed.data()), seed.size());
      row.sealed_secret = context.sealer.seal(hex, db::binding::token_secret(t.serial));
      OPENSSL_cleanse(seed.data(), seed.size());
      OPENSSL_cleanse(hex.data(), hex.size());
    } catch (const std::invalid_argument& e) {
      skip(e.what());
      continue;
    }
    // PINs: an Argon2id hash (eduMFA's default) is kept as it is; a PIN stored encrypted
    // ("@@", policy encryptpin) is opened and hashed anew; another hash cannot be checked here.
    if (t.pin_hash.starts_with("$argon2id$")) {
      row.pin_hash = t.pin_hash;
    } else if (t.pin_hash.starts_with("@@")) {
      try {
        auto pin = context.source_keys.value(t.pin_hash.substr(2), EduMfaSecrets::Slot::token);
        row.pin_hash = context.pins.hash(pin);
        OPENSSL_cleanse(pin.data(), pin.size());
      } catch (const std::invalid_argument& e) {
        skip(std::string("its encrypted PIN cannot be read with this key file (") + e.what() + ")");
        continue;
      }
    } else if (!t.pin_hash.empty()) {
      skip("its PIN hash (" + t.pin_hash.substr(0, t.pin_hash.find('$', 1) + 1) +
           ") is not one Tessera checks (Argon2id, or an encrypted PIN): set a new PIN in eduMFA "
           "first, or enroll the token anew");
      continue;
    }
    row.description = t.description.substr(0, 80);
    row.otplen = t.otplen;
    row.counter = std::max<long long>(t.count, 0);
    row.count_window = t.count_window > 0 ? t.count_window : 10;
    row.sync_window = t.sync_window > 0 ? t.sync_window : 1000;
    row.maxfail = t.maxfail > 0 ? t.maxfail : 10;
    row.failcount = std::max(t.failcount, 0);
    row.active = t.active;
    row.revoked = t.revoked;
    row.locked = t.locked;
    row.rollout_state = "";
    row.info = boost::json::serialize(info);
    row.created_at = now;
    assign_owner(t, row, plan, context);
    plan.tokens.push_back(std::move(row));
  }
  return plan;
}

TokenImportResult write_token_import(soci::session& sql, const TokenImportPlan& plan) {
  TokenImportResult result;
  for (const auto& row : plan.tokens)
    (db::TokenRepository::insert_in(sql, row) ? result.written : result.already_there)++;
  // A certificate already recorded (a second run) is left as it is.
  for (const auto& certificate : plan.certificates)
    db::CertificateRepository::insert_in(sql, certificate);
  return result;
}

}  // namespace tessera::migration
