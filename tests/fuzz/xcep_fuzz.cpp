// CEP's MS-XCEP GetPoliciesResponse: any bytes are either a list of templates or refused with
// sdk::Error.
#include <cstddef>
#include <cstdint>
#include <string>

#include <tessera/sdk/error.hpp>

#include "xcep.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  try {
    tessera::msca::xcep_templates(200, body);
  } catch (const tessera::sdk::Error&) {
  }
  return 0;
}
