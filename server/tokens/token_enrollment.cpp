#include "server/tokens/token_enrollment.hpp"

#include <cctype>
#include <chrono>

#include <boost/json.hpp>

#include "db/sealed_bindings.hpp"
#include "server/crypto/qr_code.hpp"
#include "server/crypto/random.hpp"
#include "server/plugins/answer_limits.hpp"

namespace tessera::tokens {
namespace {

std::string new_serial(const std::string& type) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string serial;
  for (char c : type.substr(0, 4))
    serial += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (auto b : crypto::random_bytes(4)) {
    serial += hex[b >> 4];
    serial += hex[b & 15];
  }
  return serial;
}

// Detail entries marked "qr": true get their value as a QR image, as eduMFA's "img".
void add_qr_codes(boost::json::object& detail) {
  for (auto& [key, entry] : detail) {
    if (!entry.is_object()) continue;
    auto& object = entry.as_object();
    const auto* qr = object.if_contains("qr");
    const bool wanted = qr && qr->is_bool() && qr->get_bool();
    object.erase("qr");
    if (wanted && object.contains("value") && object.at("value").is_string())
      object["img"] = crypto::qr_code_data_uri(object.at("value").get_string());
  }
}

}  // namespace

bool valid_serial(const std::string& serial) {
  return !serial.empty() && serial.size() <= 64 &&
         serial.find_first_not_of(
             "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") ==
             std::string::npos;
}

EnrollmentResult TokenEnrollment::enroll(const EnrollmentRequest& request) const {
  const auto* type = types_.find(request.type);
  if (!type) {
    std::string known;
    for (const auto& name : types_.names()) known += (known.empty() ? "" : ", ") + name;
    throw EnrollmentError("unknown token type '" + request.type + "' (available: " + known + ")");
  }
  if (!request.serial.empty() && !valid_serial(request.serial))
    throw EnrollmentError("a serial has 1 to 64 letters, digits, '-', '_' or '.'");
  if (!request.serial.empty() && tokens_.find(request.serial))
    throw EnrollmentError("a token with serial " + request.serial + " exists");

  const auto serial = request.serial.empty() ? new_serial(request.type) : request.serial;
  auto made = type->call(plugins::Operation::enroll, {{"serial", serial},
                                                      {"params", request.params},
                                                      {"label", request.label},
                                                      {"issuer", request.issuer}});

  db::TokenRow row;
  row.serial = serial;
  row.type = request.type;
  row.description = request.description;
  if (const auto* secret = made.if_contains("secret");
      secret && secret->is_string() && !secret->get_string().empty())
    row.sealed_secret =
        secrets_.seal(std::string(secret->get_string()), db::binding::token_secret(serial));
  const auto* otplen = made.if_contains("otplen");
  if (!otplen || !otplen->is_int64() || otplen->get_int64() < 0 || otplen->get_int64() > 12)
    throw EnrollmentError("token type " + request.type + " gave no valid otplen");
  row.otplen = static_cast<int>(otplen->get_int64());
  if (const auto* info = made.if_contains("info"); info && info->is_object()) {
    if (auto problem = plugins::limits::info_problem(info->get_object()))
      throw EnrollmentError("token type " + request.type +
                            " answered what cannot be kept: " + *problem);
    row.info = boost::json::serialize(*info);
  }
  row.pin_hash = pins_.hash(request.pin);
  row.maxfail = request.maxfail;
  row.owner_user = request.owner_user;
  row.owner_resolver = request.owner_resolver;
  row.owner_realm = request.owner_realm;
  row.created_at = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  EnrollmentResult result{row, {}};
  if (const auto* detail = made.if_contains("detail"); detail && detail->is_object())
    result.detail = detail->get_object();
  if (request.complete) request.complete(made, result.token, result.detail);
  try {
    if (!tokens_.insert(result.token, request.note, request.max_owned))
      throw EnrollmentError("a token with serial " + serial + " exists");
  } catch (const db::TokenLimitReached& e) {
    throw EnrollmentError(e.what());
  }
  add_qr_codes(result.detail);
  result.detail["serial"] = serial;
  result.detail["rollout_state"] = result.token.rollout_state;
  return result;
}

}  // namespace tessera::tokens
