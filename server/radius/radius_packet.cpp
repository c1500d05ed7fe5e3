#include "server/radius/radius_packet.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <stdexcept>

namespace tessera::radius {
namespace {

enum Attribute : uint8_t {
  user_name = 1,
  user_password = 2,
  reply_message = 18,
  state = 24,
  nas_identifier = 32,
  message_authenticator = 80
};

constexpr size_t kHeader = 20;
constexpr size_t kMaxPacket = 4096;  // RFC 2865, section 3
constexpr size_t kAuthenticatorAt = 4;

std::array<uint8_t, 16> md5(std::initializer_list<std::span<const uint8_t>> parts) {
  std::array<uint8_t, 16> out{};
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = ctx && EVP_DigestInit_ex(ctx, EVP_md5(), nullptr) == 1;
  for (const auto& part : parts) ok = ok && EVP_DigestUpdate(ctx, part.data(), part.size()) == 1;
  unsigned int size = 0;
  ok = ok && EVP_DigestFinal_ex(ctx, out.data(), &size) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) throw std::runtime_error("MD5 is not available");
  return out;
}

std::span<const uint8_t> bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::array<uint8_t, 16> hmac_md5(std::string_view key, std::span<const uint8_t> data) {
  std::array<uint8_t, 16> out{};
  unsigned int size = 0;
  if (!HMAC(EVP_md5(), key.data(), static_cast<int>(key.size()), data.data(), data.size(),
            out.data(), &size) ||
      size != out.size())
    throw std::runtime_error("HMAC-MD5 is not available");
  return out;
}

void add(std::vector<uint8_t>& packet, uint8_t type, std::span<const uint8_t> value) {
  if (value.size() > 253) throw std::invalid_argument("a RADIUS attribute has at most 253 bytes");
  packet.push_back(type);
  packet.push_back(static_cast<uint8_t>(value.size() + 2));
  packet.insert(packet.end(), value.begin(), value.end());
}

// RFC 2865, section 5.2: the password padded to 16-byte blocks, each XORed with
// MD5(secret + the previous block's ciphertext, or the Request Authenticator for the first).
std::vector<uint8_t> hide_password(std::string_view password, std::string_view secret,
                                   const Authenticator& authenticator) {
  std::vector<uint8_t> hidden(std::max<size_t>(16, (password.size() + 15) / 16 * 16), 0);
  std::copy(password.begin(), password.end(), hidden.begin());
  std::span<const uint8_t> previous(authenticator);
  for (size_t at = 0; at < hidden.size(); at += 16) {
    const auto key = md5({bytes(secret), previous});
    for (size_t i = 0; i < 16; ++i) hidden[at + i] ^= key[i];
    previous = std::span<const uint8_t>(hidden.data() + at, 16);
  }
  return hidden;
}

}  // namespace

std::vector<uint8_t> encode_access_request(const AccessRequest& request, uint8_t id,
                                           const Authenticator& request_authenticator,
                                           std::string_view secret) {
  if (request.user.empty()) throw std::invalid_argument("a RADIUS request needs a user name");
  if (request.password.size() > kMaxPassword)
    throw std::invalid_argument("RADIUS hides passwords of up to 128 bytes");
  if (secret.empty()) throw std::invalid_argument("a RADIUS server needs a shared secret");
  std::vector<uint8_t> packet(kHeader, 0);
  packet[0] = static_cast<uint8_t>(Code::access_request);
  packet[1] = id;
  std::copy(request_authenticator.begin(), request_authenticator.end(),
            packet.begin() + kAuthenticatorAt);
  // Message-Authenticator first, as the BlastRADIUS advisory asks; zeros while it is computed.
  const std::array<uint8_t, 16> zeros{};
  add(packet, message_authenticator, zeros);
  const size_t signature_at = packet.size() - 16;
  add(packet, user_name, bytes(request.user));
  add(packet, user_password, hide_password(request.password, secret, request_authenticator));
  if (!request.state.empty()) add(packet, state, bytes(request.state));
  if (!request.nas_identifier.empty()) add(packet, nas_identifier, bytes(request.nas_identifier));
  packet[2] = static_cast<uint8_t>(packet.size() >> 8);
  packet[3] = static_cast<uint8_t>(packet.size() & 0xff);
  const auto signature = hmac_md5(secret, packet);
  std::copy(signature.begin(), signature.end(), packet.begin() + signature_at);
  return packet;
}

std::variant<Reply, std::string> decode_reply(std::span<const uint8_t> datagram, uint8_t id,
                                              const Authenticator& request_authenticator,
                                              std::string_view secret) {
  if (datagram.size() < kHeader) return std::string("shorter than a RADIUS header");
  const size_t length = size_t{datagram[2]} << 8 | datagram[3];
  // Octets past Length are padding to be ignored (RFC 2865, section 3); fewer is malformed.
  if (length < kHeader || length > kMaxPacket || length > datagram.size())
    return std::string("a RADIUS length that does not fit the datagram");
  if (datagram[1] != id) return std::string("the answer to another request");
  Reply reply;
  switch (datagram[0]) {
    case 2:
    case 3:
    case 11:
      reply.code = static_cast<Code>(datagram[0]);
      break;
    default:
      return "an unexpected RADIUS code " + std::to_string(datagram[0]);
  }
  std::vector<uint8_t> packet(datagram.begin(), datagram.begin() + static_cast<long>(length));
  // The Response Authenticator: MD5(code, id, length, Request Authenticator, attributes, secret).
  Authenticator received{};
  std::copy_n(packet.begin() + kAuthenticatorAt, 16, received.begin());
  std::copy(request_authenticator.begin(), request_authenticator.end(),
            packet.begin() + kAuthenticatorAt);
  const auto expected = md5({packet, bytes(secret)});
  if (CRYPTO_memcmp(expected.data(), received.data(), 16) != 0)
    return std::string("a wrong Response Authenticator (is the shared secret the same?)");

  size_t signature_at = 0;
  for (size_t at = kHeader; at < length;) {
    if (length - at < 2 || packet[at + 1] < 2 || packet[at + 1] > length - at)
      return std::string("a malformed RADIUS attribute");
    const uint8_t type = packet[at];
    const size_t size = packet[at + 1] - 2;
    const std::string_view value(reinterpret_cast<const char*>(packet.data() + at + 2), size);
    if (type == message_authenticator) {
      if (size != 16 || signature_at) return std::string("a malformed Message-Authenticator");
      signature_at = at + 2;
    } else if (type == reply_message) {
      reply.reply_message += value;
    } else if (type == state) {
      reply.state = value;
    }
    at += size + 2;
  }
  if (!signature_at) return std::string("no Message-Authenticator (required)");
  // RFC 3579, section 3.2: HMAC-MD5 over the reply with the Request Authenticator in place of
  // the Response Authenticator and the signature zeroed.
  Authenticator signature{};
  std::copy_n(packet.begin() + static_cast<long>(signature_at), 16, signature.begin());
  std::fill_n(packet.begin() + static_cast<long>(signature_at), 16, 0);
  const auto computed = hmac_md5(secret, packet);
  if (CRYPTO_memcmp(computed.data(), signature.data(), 16) != 0)
    return std::string("a wrong Message-Authenticator");
  return reply;
}

}  // namespace tessera::radius
