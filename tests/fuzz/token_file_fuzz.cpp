// Token files an admin uploads (/token/load): any bytes are read as PSKC (first byte even),
// YubiKey CSV (3 mod 8), SafeNet XML (7 mod 8) or OATH CSV (the other odd ones), and either give
// keys and reasons or are refused with TokenFileError. The pre-shared key is fixed; no password,
// so no PBKDF2 work is spent per input.
#include <cstddef>
#include <cstdint>
#include <string>

#include "server/tokens/token_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    switch (data[0] % 8) {
      case 0:
      case 2:
      case 4:
      case 6: {
        tessera::tokens::PskcSecrets secrets;
        secrets.preshared_key.assign(16, 0x12);
        secrets.mac =
            data[0] % 4 == 0 ? tessera::tokens::MacCheck::hard : tessera::tokens::MacCheck::soft;
        tessera::tokens::read_pskc(body, secrets);
        break;
      }
      case 3:
        tessera::tokens::read_yubico_csv(body);
        break;
      case 7:
        tessera::tokens::read_safenet_xml(body);
        break;
      default:
        tessera::tokens::read_oath_csv(body);
    }
  } catch (const tessera::tokens::TokenFileError&) {
  }
  return 0;
}
