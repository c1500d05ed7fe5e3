#include "server/ca/smartcard_enrollment.hpp"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include <tessera/sdk/constant_time.hpp>

#include "server/ca/card_confirmation.hpp"
#include "server/crypto/digest.hpp"
#include "server/crypto/encoding.hpp"
#include "server/crypto/x509.hpp"
#include "server/plugins/component_instance.hpp"
#include "server/util/clock.hpp"
#include "server/util/json_fields.hpp"

namespace tessera::ca {
namespace {

boost::json::object object_of(const std::string& json) {
  boost::system::error_code ec;
  auto parsed = boost::json::parse(json, ec);
  return !ec && parsed.is_object() ? parsed.as_object() : boost::json::object();
}

using util::text;

using util::number;

// What steps 2 and 3 check first: the token waits for its card, and this is who began it.
void check_waiting(const db::TokenRow& token, const boost::json::object& info,
                   const std::string& actor) {
  if (token.type != "smartcard")
    throw SmartcardError(400, "token " + token.serial + " is no smart card");
  if (token.rollout_state != "clientwait")
    throw SmartcardError(400, "token " + token.serial + " does not wait for its card (it is '" +
                                  token.rollout_state + "')");
  if (text(info, "enrolled_by") != actor)
    throw SmartcardError(403, "token " + token.serial + " is being enrolled by someone else");
  if (number(info, "clientwait_until") <= util::unix_seconds())
    throw SmartcardError(400, "the time to enroll token " + token.serial +
                                  " has run out: begin again with a new token");
}

// The signature over challenge checks with the certificate's public key.
bool signed_by(const std::string& certificate_pem, const std::string& challenge,
               const std::vector<uint8_t>& signature) {
  auto certificate = crypto::parse_certificate(certificate_pem);
  if (!certificate) return false;
  EVP_PKEY* key = X509_get0_pubkey(certificate.get());
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                  &EVP_MD_CTX_free);
  return key && context &&
         EVP_DigestVerifyInit(context.get(), nullptr, EVP_sha256(), nullptr, key) == 1 &&
         EVP_DigestVerify(context.get(), signature.data(), signature.size(),
                          reinterpret_cast<const unsigned char*>(challenge.data()),
                          challenge.size()) == 1;
}

}  // namespace

void SmartcardEnrollment::begin(const Begin& request, db::TokenRow& row,
                                boost::json::object& detail) {
  const auto [ca, profile] = issuer_.names_of(request.ca, request.profile);
  const auto code = crypto::random_token();
  const long long until = util::unix_seconds() + time_to_confirm_.count();
  auto info = object_of(row.info);
  info["ca"] = ca;
  info["profile"] = profile;
  info["enrolled_by"] = request.actor;
  info["enrollment_code_sha256"] = crypto::sha256_hex(code);
  info["clientwait_until"] = until;
  if (!request.replaces.empty()) info["replaces"] = request.replaces;
  row.info = boost::json::serialize(info);
  row.rollout_state = "clientwait";
  boost::json::array key_types;
  for (const auto& type : issuer_.key_types_of(ca, profile)) key_types.push_back(type.c_str());
  detail["enrollment_code"] = code;
  detail["expires_at"] = until;
  detail["ca"] = ca;
  detail["profile"] = profile;
  detail["key_types"] = key_types;
  detail["attestation_required"] = request.attestation_required;
  detail["pin_rules"] = {{"min_length", request.pins.min_length},
                         {"max_length", request.pins.max_length},
                         {"contents", request.pins.contents}};
}

boost::json::object SmartcardEnrollment::submit(const db::TokenRow& token, const std::string& actor,
                                                const std::string& code,
                                                CertificateEnrollment::Request request,
                                                const std::string& csr_pem) {
  auto info = object_of(token.info);
  check_waiting(token, info, actor);
  const auto expected = text(info, "enrollment_code_sha256");
  if (expected.empty())
    throw SmartcardError(400, "token " + token.serial + " has its certificate request already");
  if (!sdk::constant_time_equal(crypto::sha256_hex(code), expected))
    throw SmartcardError(403, "the enrollment code of token " + token.serial + " is not right");
  // The code is used up before the CA is asked, so that two submissions never both get a
  // certificate.
  info.erase("enrollment_code_sha256");
  const auto claimed = boost::json::serialize(info);
  if (!tokens_.claim(token.serial, "clientwait", token.info, claimed))
    throw SmartcardError(400, "the enrollment code of token " + token.serial + " was just used");

  request.ca = text(info, "ca");
  request.profile = text(info, "profile");
  db::TokenRow row = token;
  row.info = claimed;
  boost::json::object detail;
  try {
    certificates_.complete(request, {{"csr", csr_pem}}, row, detail);
  } catch (const IssueError&) {
    // Refused before the CA issued anything: the code is given back for a corrected request.
    tokens_.claim(token.serial, "clientwait", claimed, token.info);
    throw;
  }
  auto made = object_of(row.info);
  detail["serial"] = token.serial;
  if (row.rollout_state == "enrolled") {
    // Issued: the card writes it and proves that it holds the key.
    state_after_issue(token.type, made, time_to_confirm_);
    detail["challenge"] = made["challenge"];
    detail["rollout_state"] = "clientwait";
    if (!tokens_.claim(token.serial, "clientwait", claimed, boost::json::serialize(made)))
      throw SmartcardError(400,
                           "token " + token.serial + " changed while its certificate was issued");
    return detail;
  }
  detail["rollout_state"] = row.rollout_state;
  if (row.rollout_state == "denied") detail["denial_reason"] = made["denial_reason"];
  if (row.rollout_state == "failed") detail["failure"] = made["failure"];
  tokens_.change_rollout(token.serial, "clientwait", row.rollout_state,
                         boost::json::serialize(made), {actor, "certificate requested"});
  return detail;
}

boost::json::object SmartcardEnrollment::confirm(const db::TokenRow& token,
                                                 const std::string& actor,
                                                 const std::string& signature) {
  auto info = object_of(token.info);
  check_waiting(token, info, actor);
  const auto challenge = text(info, "challenge");
  if (challenge.empty())
    throw SmartcardError(400, "token " + token.serial + " has no certificate to confirm yet");
  const auto bytes = crypto::base64_decode(signature);
  if (!bytes || bytes->empty() || bytes->size() > 1024)
    throw SmartcardError(400, "card_signature: base64 of the card's signature");
  if (!signed_by(text(info, "certificate"), challenge, *bytes))
    throw SmartcardError(
        403, "the signature is not made with the key of token " + token.serial + "'s certificate");
  for (const char* key : {"challenge", "clientwait_until"}) info.erase(key);
  if (!tokens_.change_rollout(token.serial, "clientwait", "enrolled", boost::json::serialize(info),
                              {actor, "the card proved it holds the key"}))
    throw SmartcardError(400, "token " + token.serial + " changed meanwhile");
  // The card it replaces is revoked, its certificate with it.
  if (const auto old_serial = text(info, "replaces"); !old_serial.empty())
    if (auto old = tokens_.find(old_serial);
        old && !old->revoked && tokens_.revoke(old_serial, {actor, "superseded"}))
      issuer_.revoke(*old, "superseded");
  return {{"serial", token.serial}, {"rollout_state", "enrolled"}};
}

int SmartcardEnrollment::expire_due() {
  db::TokenFilter filter;
  filter.type = "smartcard";
  filter.rollout_states = {"clientwait"};
  const long long now = util::unix_seconds();
  int expired = 0;
  for (const auto& token : tokens_.list(filter, 1, 500).tokens) {
    const auto info = object_of(token.info);
    if (number(info, "clientwait_until") > now) continue;
    if (!tokens_.change_rollout(token.serial, "clientwait", "expired", token.info,
                                {"system", "the card did not confirm in time"}))
      continue;
    ++expired;
    // A certificate issued for a card that never confirmed must not stay valid.
    if (const auto serial = text(info, "certificate_serial"); !serial.empty()) {
      try {
        issuer_.revoke_queued(text(info, "ca"), serial, token.serial, "cessationOfOperation");
      } catch (const std::exception& e) {
        spdlog::error("token {}: the certificate {} of an expired card is not revoked: {}",
                      token.serial, serial, e.what());
      }
    }
  }
  return expired;
}

}  // namespace tessera::ca
