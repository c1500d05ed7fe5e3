// OATH one-time passwords shared by the hotp, totp and email plugins: RFC 4226's HOTP value, seed
// formats, and the otpauth:// URI that authenticator apps read from a QR code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

namespace tessera::oath {

enum class Hash { sha1, sha256, sha512 };

// "sha1", "sha256", "sha512" (any case); throws sdk::Error naming the accepted values.
Hash parse_hash(std::string_view name);
const char* hash_name(Hash hash);
// The seed size that matches the hash's block strength (20, 32, 64 bytes), as RFC 6238 uses.
size_t default_seed_size(Hash hash);

using Bytes = std::vector<uint8_t>;

// RFC 4226: the digits-long decimal value for counter.
std::string hotp(const Bytes& key, uint64_t counter, int digits, Hash hash);

// Returns the first counter in [first, last] whose value equals otp. Every candidate is
// computed and compared in constant time, so the answer's timing does not tell where it matched.
std::optional<uint64_t> find_counter(const Bytes& key, uint64_t first, uint64_t last,
                                     std::string_view otp, int digits, Hash hash);

std::string to_hex(const Bytes& bytes);
// Throws sdk::Error on anything but an even number of hex digits.
Bytes from_hex(std::string_view hex);
std::string to_base32(const Bytes& bytes);  // RFC 4648, without padding
// Accepts upper or lower case, optional '=' padding and spaces; throws sdk::Error otherwise.
Bytes from_base32(std::string_view text);

// Whether the request asks for a seed made by the server (genkey = 1 or true).
bool wants_generated_seed(const boost::json::object& params);

// The seed from the enrollment request: "otpkey" as hex (the default, as eduMFA reads it) or
// base32 ("otpkeyformat": "hex" | "base32"); or genkey=1 with random bytes from the host.
// Refuses both or neither, and seeds shorter than 16 bytes (RFC 4226's minimum, 128 bits).
Bytes seed_from_request(const boost::json::object& params, const Bytes& random_seed);

// Common OATH options from the request: hashlib (sha1), otplen (6 or 8).
struct OathOptions {
  Hash hash = Hash::sha1;
  int digits = 6;
};
OathOptions options_from_request(const boost::json::object& params);

// A whole number the host passes in a request (counter, window, otplen); throws sdk::Error
// when it is missing.
uint64_t request_number(const boost::json::object& request, const char* key);

// The key and options of the token that a verify, resync or challenge request is about: the
// seed from "secret" (hex), the digits from "otplen", the hash from info's "hashlib".
struct TokenKey {
  Bytes key;
  OathOptions options;
};
TokenKey token_key(const boost::json::object& request);

// A verify answer for a token whose values are sent (e-mail, SMS): only the value at the
// request's counter matches, as the user never has a later one.
boost::json::object verify_sent_value(const boost::json::object& request);

// otpauth://TYPE/ISSUER:LABEL?secret=..&issuer=..[&algorithm=..]&digits=..&EXTRA
std::string otpauth_uri(std::string_view type, std::string_view issuer, std::string_view label,
                        const Bytes& seed, const OathOptions& options, std::string_view extra);

// What enroll returns for a new OATH token: "secret" (the seed, hex), "otplen", "info" (info
// plus hashlib and tokenkind), and "detail" with googleurl (shown as a QR code) and, for a
// seed made by the server, the seed itself. uri_extra ends the otpauth URI ("counter=0").
boost::json::object enrollment_result(std::string_view type, const boost::json::object& request,
                                      const Bytes& seed, const OathOptions& options,
                                      std::string_view uri_extra, bool generated,
                                      boost::json::object info);

// sdk::param_text, under the name the OATH plugins call it by.
std::string text(const boost::json::object& object, const char* key);

}  // namespace tessera::oath
