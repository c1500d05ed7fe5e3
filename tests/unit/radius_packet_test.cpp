// RADIUS packets against RFC 2865's own example (section 7.1: user nemo, password arctangent,
// secret xyzzy5461), and replies that must be refused.
#include "server/radius/radius_packet.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace tessera::radius {
namespace {

std::vector<uint8_t> from_hex(std::string_view hex) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    if (hex[i] == ' ') {
      --i;
      continue;
    }
    out.push_back(static_cast<uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

Authenticator authenticator_of(const std::vector<uint8_t>& bytes) {
  Authenticator a{};
  std::copy_n(bytes.begin(), 16, a.begin());
  return a;
}

const auto kRfcRequestAuthenticator =
    authenticator_of(from_hex("0f403f94739780 57bd83d5cb98f4227a"));

// The attribute of that type in a packet, or nothing.
std::vector<uint8_t> attribute(const std::vector<uint8_t>& packet, uint8_t type) {
  for (size_t at = 20; at + 2 <= packet.size(); at += packet[at + 1])
    if (packet[at] == type)
      return {packet.begin() + static_cast<long>(at) + 2,
              packet.begin() + static_cast<long>(at) + packet[at + 1]};
  return {};
}

// A reply as a server signs it: Message-Authenticator, then the Response Authenticator.
std::vector<uint8_t> signed_reply(uint8_t code, uint8_t id, const Authenticator& request,
                                  std::string_view secret, std::vector<uint8_t> attributes) {
  std::vector<uint8_t> packet(20, 0);
  packet[0] = code;
  packet[1] = id;
  std::copy(request.begin(), request.end(), packet.begin() + 4);
  packet.push_back(80);
  packet.push_back(18);
  const size_t signature_at = packet.size();
  packet.insert(packet.end(), 16, 0);
  packet.insert(packet.end(), attributes.begin(), attributes.end());
  packet[3] = static_cast<uint8_t>(packet.size());
  unsigned int size = 0;
  HMAC(EVP_md5(), secret.data(), static_cast<int>(secret.size()), packet.data(), packet.size(),
       packet.data() + signature_at, &size);
  unsigned char digest[16];
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_md5(), nullptr);
  EVP_DigestUpdate(ctx, packet.data(), packet.size());
  EVP_DigestUpdate(ctx, secret.data(), secret.size());
  EVP_DigestFinal_ex(ctx, digest, &size);
  EVP_MD_CTX_free(ctx);
  std::copy_n(digest, 16, packet.begin() + 4);
  return packet;
}

TEST(RadiusPacket, HidesThePasswordAsRfc2865sExample) {
  const auto packet = encode_access_request({"nemo", "arctangent", "", ""}, 0,
                                            kRfcRequestAuthenticator, "xyzzy5461");
  EXPECT_EQ(packet[0], 1);
  EXPECT_EQ(size_t{packet[2]} << 8 | packet[3], packet.size());
  EXPECT_EQ(attribute(packet, 1), from_hex("6e656d6f"));
  EXPECT_EQ(attribute(packet, 2), from_hex("0dbe708d93d413ce3196e43f782a0aee"));
  // Message-Authenticator comes first and signs the whole request.
  ASSERT_EQ(packet[20], 80);
  auto zeroed = packet;
  std::fill_n(zeroed.begin() + 22, 16, 0);
  unsigned char expected[16];
  unsigned int size = 0;
  HMAC(EVP_md5(), "xyzzy5461", 9, zeroed.data(), zeroed.size(), expected, &size);
  EXPECT_TRUE(std::equal(expected, expected + 16, packet.begin() + 22));
}

TEST(RadiusPacket, ChecksTheResponseAuthenticatorOfRfc2865sAccept) {
  // RFC 2865's Access-Accept has no Message-Authenticator: its Response Authenticator is
  // right, and the reply is refused only for lacking the signature.
  const auto accept = from_hex(
      "02000026 86fe220e7624ba2a1005f6bf9b55e0b2 0606 00000001 0f06 00000000 0e06 c0a80103");
  auto decoded = decode_reply(accept, 0, kRfcRequestAuthenticator, "xyzzy5461");
  ASSERT_TRUE(std::holds_alternative<std::string>(decoded));
  EXPECT_EQ(std::get<std::string>(decoded), "no Message-Authenticator (required)");
  decoded = decode_reply(accept, 0, kRfcRequestAuthenticator, "another secret");
  EXPECT_NE(std::get<std::string>(decoded).find("wrong Response Authenticator"), std::string::npos);
}

TEST(RadiusPacket, ReadsASignedChallengeAndRefusesAlteredReplies) {
  const Authenticator request = kRfcRequestAuthenticator;
  const auto challenge = signed_reply(11, 7, request, "s3cret",
                                      {18, 7, 'H', 'e', 'l', 'l', 'o', 24, 5, 'a', 'b', 'c'});
  auto decoded = decode_reply(challenge, 7, request, "s3cret");
  ASSERT_TRUE(std::holds_alternative<Reply>(decoded)) << std::get<std::string>(decoded);
  EXPECT_EQ(std::get<Reply>(decoded).code, Code::access_challenge);
  EXPECT_EQ(std::get<Reply>(decoded).reply_message, "Hello");
  EXPECT_EQ(std::get<Reply>(decoded).state, "abc");

  EXPECT_EQ(std::get<std::string>(decode_reply(challenge, 8, request, "s3cret")),
            "the answer to another request");
  auto altered = challenge;
  altered.back() ^= 1;  // the State changed after signing
  EXPECT_TRUE(std::holds_alternative<std::string>(decode_reply(altered, 7, request, "s3cret")));
  auto truncated = challenge;
  truncated.resize(30);
  EXPECT_TRUE(std::holds_alternative<std::string>(decode_reply(truncated, 7, request, "s3cret")));
  // An attribute whose length runs past the packet.
  auto malformed = signed_reply(2, 7, request, "s3cret", {18, 40, 'x'});
  EXPECT_EQ(std::get<std::string>(decode_reply(malformed, 7, request, "s3cret")),
            "a malformed RADIUS attribute");
}

TEST(RadiusPacket, RefusesWhatCannotBeSent) {
  const Authenticator a{};
  EXPECT_THROW(encode_access_request({"", "x", "", ""}, 1, a, "s"), std::invalid_argument);
  EXPECT_THROW(encode_access_request({"u", std::string(129, 'x'), "", ""}, 1, a, "s"),
               std::invalid_argument);
  EXPECT_THROW(encode_access_request({"u", "x", "", ""}, 1, a, ""), std::invalid_argument);
  EXPECT_NO_THROW(encode_access_request({"u", std::string(128, 'x'), "", ""}, 1, a, "s"));
}

}  // namespace
}  // namespace tessera::radius
