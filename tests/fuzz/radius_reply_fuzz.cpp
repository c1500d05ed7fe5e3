// Datagrams a RADIUS server (or anyone who can send UDP to the client's port) answers with.
// The input's first byte picks whether the Response Authenticator is made right before the
// packet is read, so that the attribute walk and the Message-Authenticator check are reached and
// not only the header checks.
#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "server/radius/radius_packet.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  constexpr std::string_view secret = "fuzz-secret";
  const tessera::radius::Authenticator request{1, 2,  3,  4,  5,  6,  7,  8,
                                               9, 10, 11, 12, 13, 14, 15, 16};
  std::vector<uint8_t> packet(data + 1, data + size);
  if (data[0] % 2 == 0 && packet.size() >= 20) {
    const size_t length = std::min<size_t>(packet.size(), 4096);
    packet[2] = static_cast<uint8_t>(length >> 8);
    packet[3] = static_cast<uint8_t>(length & 0xff);
    std::copy(request.begin(), request.end(), packet.begin() + 4);
    unsigned char digest[16];
    unsigned int digest_size = 0;
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_md5(), nullptr);
    EVP_DigestUpdate(ctx, packet.data(), length);
    EVP_DigestUpdate(ctx, secret.data(), secret.size());
    EVP_DigestFinal_ex(ctx, digest, &digest_size);
    EVP_MD_CTX_free(ctx);
    std::copy(digest, digest + 16, packet.begin() + 4);
  }
  const auto reply =
      tessera::radius::decode_reply(packet, packet.size() > 1 ? packet[1] : 0, request, secret);
  (void)reply;
  return 0;
}
