// What an enrollment request carries into the OATH token types (HOTP, TOTP): the seed as hex or
// base32, genkey, hashlib and otplen, as a JSON object (any JSON: a form's strings or a JSON
// body's values). The input's first byte picks a direct decoder or the whole request.
#include <cstddef>
#include <cstdint>
#include <string>

#include <boost/json.hpp>
#include <tessera/sdk/error.hpp>

#include "oath.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  namespace oath = tessera::oath;
  try {
    switch (data[0] % 3) {
      case 0: {
        const auto bytes = oath::from_base32(text);
        if (oath::from_base32(oath::to_base32(bytes)) != bytes) __builtin_trap();
        break;
      }
      case 1: {
        const auto bytes = oath::from_hex(text);
        if (oath::from_hex(oath::to_hex(bytes)) != bytes) __builtin_trap();
        break;
      }
      default: {
        boost::system::error_code ec;
        auto value = boost::json::parse(text, ec);
        if (ec || !value.is_object()) return 0;
        const auto& params = value.as_object();
        (void)oath::options_from_request(params);
        (void)oath::seed_from_request(params, oath::Bytes(20, 7));
      }
    }
  } catch (const tessera::sdk::Error&) {  // bad input, refused with a reason
  }
  return 0;
}
