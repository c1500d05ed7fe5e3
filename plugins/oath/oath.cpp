#include "oath.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cctype>
#include <memory>

#include <tessera/sdk/error.hpp>
#include <tessera/sdk/request_params.hpp>

namespace tessera::oath {
namespace {

using sdk::Error;

constexpr char kBase32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr size_t kMinSeedBytes = 16;
constexpr size_t kMaxSeedBytes = 128;

struct MacDeleter {
  void operator()(EVP_MAC* m) const { EVP_MAC_free(m); }
  void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); }
};

// Fetched once: fetching per call costs more than the HMAC itself.
EVP_MAC* hmac_algorithm() {
  static const std::unique_ptr<EVP_MAC, MacDeleter> mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  if (!mac) throw Error(Error::Kind::internal, "OpenSSL has no HMAC");
  return mac.get();
}

// Computes HMAC(key, counter) for one counter after another with one context.
class CounterMac {
 public:
  CounterMac(const Bytes& key, Hash hash) : key_(key), ctx_(EVP_MAC_CTX_new(hmac_algorithm())) {
    if (!ctx_) throw Error(Error::Kind::internal, "out of memory");
    digest_ = const_cast<char*>(hash_name(hash));
  }

  // Returns the digest length; out has room for 64 bytes.
  size_t compute(uint64_t counter, uint8_t* out) {
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_, 0), OSSL_PARAM_END};
    uint8_t message[8];
    for (int i = 7; i >= 0; --i, counter >>= 8) message[i] = static_cast<uint8_t>(counter);
    size_t length = 0;
    if (EVP_MAC_init(ctx_.get(), key_.data(), key_.size(), params) != 1 ||
        EVP_MAC_update(ctx_.get(), message, sizeof message) != 1 ||
        EVP_MAC_final(ctx_.get(), out, &length, 64) != 1)
      throw Error(Error::Kind::internal, "HMAC failed");
    return length;
  }

 private:
  const Bytes& key_;
  std::unique_ptr<EVP_MAC_CTX, MacDeleter> ctx_;
  char* digest_;
};

// RFC 4226 section 5.3: dynamic truncation, then the low digits.
std::string truncate(const uint8_t* mac, size_t length, int digits) {
  const unsigned offset = mac[length - 1] & 0x0f;
  const uint32_t binary = (uint32_t(mac[offset] & 0x7f) << 24) | (uint32_t(mac[offset + 1]) << 16) |
                          (uint32_t(mac[offset + 2]) << 8) | uint32_t(mac[offset + 3]);
  uint32_t modulus = 1;
  for (int i = 0; i < digits; ++i) modulus *= 10;
  std::string value = std::to_string(binary % modulus);
  value.insert(0, digits - value.size(), '0');
  return value;
}

std::string percent_encode(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '@') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace

Hash parse_hash(std::string_view name) {
  std::string lower;
  for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "sha1") return Hash::sha1;
  if (lower == "sha256") return Hash::sha256;
  if (lower == "sha512") return Hash::sha512;
  throw Error::invalid_argument("hashlib '" + std::string(name) +
                                "' is not supported (sha1, sha256, sha512)");
}

const char* hash_name(Hash hash) {
  switch (hash) {
    case Hash::sha256:
      return "sha256";
    case Hash::sha512:
      return "sha512";
    case Hash::sha1:
      break;
  }
  return "sha1";
}

size_t default_seed_size(Hash hash) {
  return hash == Hash::sha1 ? 20 : hash == Hash::sha256 ? 32 : 64;
}

std::string hotp(const Bytes& key, uint64_t counter, int digits, Hash hash) {
  CounterMac mac(key, hash);
  uint8_t digest[64];
  return truncate(digest, mac.compute(counter, digest), digits);
}

std::optional<uint64_t> find_counter(const Bytes& key, uint64_t first, uint64_t last,
                                     std::string_view otp, int digits, Hash hash) {
  if (otp.size() != static_cast<size_t>(digits) || first > last) return std::nullopt;
  CounterMac mac(key, hash);
  std::optional<uint64_t> found;
  uint8_t digest[64];
  for (uint64_t counter = first;; ++counter) {
    const auto value = truncate(digest, mac.compute(counter, digest), digits);
    const bool equal = CRYPTO_memcmp(value.data(), otp.data(), otp.size()) == 0;
    if (equal && !found) found = counter;
    if (counter == last) break;
  }
  return found;
}

std::string to_hex(const Bytes& bytes) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

Bytes from_hex(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() % 2 != 0)
    throw Error::invalid_argument("a hex key needs an even number of digits");
  Bytes out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int high = nibble(hex[i]), low = nibble(hex[i + 1]);
    if (high < 0 || low < 0) throw Error::invalid_argument("the key is not hexadecimal");
    out.push_back(static_cast<uint8_t>(high << 4 | low));
  }
  return out;
}

std::string to_base32(const Bytes& bytes) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (uint8_t b : bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += kBase32[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += kBase32[(buffer << (5 - bits)) & 31];
  return out;
}

Bytes from_base32(std::string_view text) {
  Bytes out;
  uint32_t buffer = 0;
  int bits = 0;
  bool padding = false;
  for (char c : text) {
    if (c == ' ') continue;
    if (c == '=') {
      padding = true;
      continue;
    }
    const char upper = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    const char* at = std::char_traits<char>::find(kBase32, 32, upper);
    if (!at || padding) throw Error::invalid_argument("the key is not base32");
    buffer = (buffer << 5) | static_cast<uint32_t>(at - kBase32);
    bits += 5;
    if (bits >= 8) {
      out.push_back(static_cast<uint8_t>(buffer >> (bits - 8)));
      bits -= 8;
    }
  }
  return out;
}

uint64_t request_number(const boost::json::object& request, const char* key) {
  const auto* value = request.if_contains(key);
  if (!value || !value->is_number()) throw Error::invalid_argument(std::string("no ") + key);
  return value->to_number<uint64_t>();
}

TokenKey token_key(const boost::json::object& request) {
  TokenKey token;
  token.key = from_hex(text(request, "secret"));
  token.options.digits = static_cast<int>(request_number(request, "otplen"));
  const auto* info = request.if_contains("info");
  if (info && info->is_object())
    if (auto hashlib = text(info->get_object(), "hashlib"); !hashlib.empty())
      token.options.hash = parse_hash(hashlib);
  return token;
}

std::string text(const boost::json::object& object, const char* key) {
  return sdk::param_text(object, key);
}

bool wants_generated_seed(const boost::json::object& params) {
  const auto genkey = text(params, "genkey");
  return genkey == "1" || genkey == "true";
}

Bytes seed_from_request(const boost::json::object& params, const Bytes& random_seed) {
  const bool generate = wants_generated_seed(params);
  const auto otpkey = text(params, "otpkey");
  if (generate && !otpkey.empty())
    throw Error::invalid_argument("give either otpkey or genkey=1, not both");
  if (generate) {
    if (random_seed.size() < kMinSeedBytes)
      throw Error(Error::Kind::internal, "the generated seed is too short");
    return random_seed;
  }
  if (otpkey.empty())
    throw Error::invalid_argument("give otpkey (hex or base32) or genkey=1 for a server-made seed");
  const auto format = text(params, "otpkeyformat");
  Bytes seed;
  if (format == "base32")
    seed = from_base32(otpkey);
  else if (format.empty() || format == "hex")
    seed = from_hex(otpkey);
  else
    throw Error::invalid_argument("otpkeyformat '" + format + "' is not supported (hex, base32)");
  if (seed.size() < kMinSeedBytes)
    throw Error::invalid_argument("the seed has " + std::to_string(seed.size()) +
                                  " bytes; at least 16 are needed (RFC 4226)");
  if (seed.size() > kMaxSeedBytes)
    throw Error::invalid_argument("the seed is longer than 128 bytes");
  return seed;
}

OathOptions options_from_request(const boost::json::object& params) {
  OathOptions options;
  if (auto hashlib = text(params, "hashlib"); !hashlib.empty()) options.hash = parse_hash(hashlib);
  if (auto otplen = text(params, "otplen"); !otplen.empty()) {
    if (otplen != "6" && otplen != "8")
      throw Error::invalid_argument("otplen must be 6 or 8, not '" + otplen + "'");
    options.digits = otplen[0] - '0';
  }
  return options;
}

std::string otpauth_uri(std::string_view type, std::string_view issuer, std::string_view label,
                        const Bytes& seed, const OathOptions& options, std::string_view extra) {
  std::string uri = "otpauth://" + std::string(type) + "/" + percent_encode(issuer) + ":" +
                    percent_encode(label) + "?secret=" + to_base32(seed) +
                    "&issuer=" + percent_encode(issuer);
  if (options.hash != Hash::sha1)
    uri += options.hash == Hash::sha256 ? "&algorithm=SHA256" : "&algorithm=SHA512";
  uri += "&digits=" + std::to_string(options.digits);
  if (!extra.empty()) uri += "&" + std::string(extra);
  return uri;
}

boost::json::object enrollment_result(std::string_view type, const boost::json::object& request,
                                      const Bytes& seed, const OathOptions& options,
                                      std::string_view uri_extra, bool generated,
                                      boost::json::object info) {
  boost::json::object detail;
  detail["googleurl"] = {{"description", "URL for google Authenticator"},
                         {"value", otpauth_uri(type, text(request, "issuer"),
                                               text(request, "label"), seed, options, uri_extra)},
                         {"qr", true}};
  if (generated)
    detail["otpkey"] = {{"description", "OTP seed"},
                        {"value", "seed://" + to_hex(seed)},
                        {"value_b32", to_base32(seed)}};
  info["hashlib"] = hash_name(options.hash);
  info["tokenkind"] = "software";
  return {{"secret", to_hex(seed)},
          {"otplen", options.digits},
          {"info", std::move(info)},
          {"detail", std::move(detail)}};
}

boost::json::object verify_sent_value(const boost::json::object& request) {
  const auto token = token_key(request);
  const auto counter = request_number(request, "counter");
  auto match = find_counter(token.key, counter, counter, text(request, "otp"), token.options.digits,
                            token.options.hash);
  if (!match) return {{"match", false}};
  return {{"match", true}, {"counter", *match}};
}

}  // namespace tessera::oath
