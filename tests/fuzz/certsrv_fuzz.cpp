// certsrv's pages (certfnsh.asp's answer and certnew.cer's): any bytes are either understood or
// refused with sdk::Error, within bounded stack and time.
#include <cstddef>
#include <cstdint>
#include <string>

#include <tessera/sdk/error.hpp>

#include "certsrv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string page(reinterpret_cast<const char*>(data), size);
  for (int status : {200, 500}) {
    try {
      const auto d = tessera::msca::certsrv_submitted(status, page);
      if (d.request_id.size() > 10) __builtin_trap();  // AD CS ids are 32-bit numbers
    } catch (const tessera::sdk::Error&) {
    }
    try {
      tessera::msca::certsrv_retrieved(status, page, "7");
    } catch (const tessera::sdk::Error&) {
    }
  }
  return 0;
}
