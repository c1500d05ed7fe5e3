#include "server/crypto/qr_code.hpp"

#include <qrencode.h>

#include <memory>
#include <stdexcept>

#include "server/crypto/encoding.hpp"

namespace tessera::crypto {

std::string qr_code_data_uri(std::string_view text) {
  const std::string input(text);
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeString8bit(input.c_str(), 0, QR_ECLEVEL_M), &QRcode_free);
  if (!code) throw std::runtime_error("the text is too long for a QR code");
  constexpr int quiet = 4;  // the margin scanners need, in modules
  const int size = code->width + 2 * quiet;
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " +
                    std::to_string(size) + " " + std::to_string(size) +
                    "\" shape-rendering=\"crispEdges\"><rect width=\"100%\" height=\"100%\" "
                    "fill=\"#fff\"/><path fill=\"#000\" d=\"";
  for (int y = 0; y < code->width; ++y)
    for (int x = 0; x < code->width; ++x)
      if (code->data[y * code->width + x] & 1)
        svg += "M" + std::to_string(x + quiet) + " " + std::to_string(y + quiet) + "h1v1h-1z";
  svg += "\"/></svg>";
  return "data:image/svg+xml;base64," +
         base64_encode(reinterpret_cast<const uint8_t*>(svg.data()), svg.size());
}

}  // namespace tessera::crypto
