// Token files that hardware vendors ship with their tokens: PSKC (RFC 6030, plain or encrypted
// with a pre-shared key or a password, with MACs), OATH CSV, YubiKey CSV and SafeNet XML. Each key
// becomes a token to import or a reason it cannot be; nothing here touches the database.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tessera::tokens {

struct FileKey {
  std::string serial;
  std::string type;           // hotp or totp
  std::vector<uint8_t> seed;  // cleared by the caller after use
  int otplen = 6;
  long long counter = 0;
  int time_step = 30;  // TOTP
  std::string hashlib = "sha1";
  std::string description;                    // the issuer, or the manufacturer
  long long valid_from = 0, valid_until = 0;  // the key's Policy (unix seconds; 0: open)
  // The owner an eduMFA OATH CSV of version 2 names; empty: unassigned.
  std::string owner_user, owner_resolver, owner_realm;
};

struct TokenFile {
  std::vector<FileKey> keys;
  std::vector<std::pair<std::string, std::string>> skipped;  // serial, why not
};

// The file as a whole cannot be read (malformed, wrong key or password, a MAC that fails when
// checking hard): nothing is imported.
class TokenFileError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class MacCheck { hard, soft, none };  // eduMFA's check_fail_hard, check_fail_soft, no_check

struct PskcSecrets {
  std::vector<uint8_t> preshared_key;  // AES key for files encrypted with one
  std::string password;                // for files encrypted with a PBKDF2-derived key
  MacCheck mac = MacCheck::hard;
};

// At most 10,000 keys; a file over 4 MiB is refused.
TokenFile read_pskc(std::string_view xml, const PskcSecrets& secrets);
// eduMFA's OATH CSV: serial, key (hex), [type (hotp/totp), [otplen, [counter (hotp) or time
// step (totp)]]] per line; '#' starts a comment, and a first line "# version: 2" puts user,
// resolver and realm before each line's serial. GPG-encrypted files are refused.
TokenFile read_oath_csv(std::string_view csv);
// The YubiKey personalization tool's CSV (eduMFA's yubikeycsv), both its traditional and
// Yubico's format: OATH-HOTP slots become hotp tokens named UBOM<number>_<slot>; Yubico OTP and
// static password slots are reported, not imported.
TokenFile read_yubico_csv(std::string_view csv);
// SafeNet's (formerly Aladdin's) XML for eToken PASS (eduMFA's aladdin-xml): hotp tokens with
// their MovingFactor as counter, SHA-256 for a 32-byte seed.
TokenFile read_safenet_xml(std::string_view xml);

}  // namespace tessera::tokens
