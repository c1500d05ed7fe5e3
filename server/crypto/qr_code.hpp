// QR codes for authenticator apps, as an image that a browser shows from a data URI.
#pragma once

#include <string>
#include <string_view>

namespace tessera::crypto {

// "data:image/svg+xml;base64,..." of text as a QR code (error correction level M). An SVG
// needs no image library and scales sharply; every browser and eduMFA's WebUI show it.
std::string qr_code_data_uri(std::string_view text);

}  // namespace tessera::crypto
