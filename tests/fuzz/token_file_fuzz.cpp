// Token files an admin uploads (/token/load): any bytes are read as PSKC (first byte even) or
// OATH CSV (odd), and either give keys and reasons or are refused with TokenFileError. The
// pre-shared key is fixed; no password, so no PBKDF2 work is spent per input.
#include <cstddef>
#include <cstdint>
#include <string>

#include "server/tokens/token_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    if (data[0] % 2 == 0) {
      tessera::tokens::PskcSecrets secrets;
      secrets.preshared_key.assign(16, 0x12);
      secrets.mac =
          data[0] % 4 == 0 ? tessera::tokens::MacCheck::hard : tessera::tokens::MacCheck::soft;
      tessera::tokens::read_pskc(body, secrets);
    } else {
      tessera::tokens::read_oath_csv(body);
    }
  } catch (const tessera::tokens::TokenFileError&) {
  }
  return 0;
}
