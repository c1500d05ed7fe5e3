// CES's MS-WSTEP answers (RequestSecurityTokenResponseCollection or a SOAP fault): any bytes are
// either understood or refused with sdk::Error.
#include <cstddef>
#include <cstdint>
#include <string>

#include <tessera/sdk/error.hpp>

#include "wstep.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  try {
    tessera::msca::wstep_disposition(200, body);
  } catch (const tessera::sdk::Error&) {
  }
  return 0;
}
