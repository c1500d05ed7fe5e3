// RADIUS Access-Request and its answer (RFC 2865), signed with Message-Authenticator
// (RFC 3579, section 3.2) both ways: a reply without a valid one is refused, the defence
// against forged answers (BlastRADIUS, CVE-2024-3596).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace tessera::radius {

enum class Code : uint8_t {
  access_request = 1,
  access_accept = 2,
  access_reject = 3,
  access_challenge = 11
};

using Authenticator = std::array<uint8_t, 16>;

struct AccessRequest {
  std::string user, password;
  std::string state;           // State of an earlier Access-Challenge, or empty
  std::string nas_identifier;  // who asks, e.g. "tessera"
};

struct Reply {
  Code code = Code::access_reject;
  std::string reply_message;  // the Reply-Message attributes, joined
  std::string state;          // State, for the answer to an Access-Challenge
};

// The longest User-Password that RFC 2865 can hide (section 5.2).
constexpr size_t kMaxPassword = 128;

// The datagram of an Access-Request. Throws std::invalid_argument for a field that does not
// fit (an empty user, a password past 128 bytes, any attribute past 253 bytes).
std::vector<uint8_t> encode_access_request(const AccessRequest& request, uint8_t id,
                                           const Authenticator& request_authenticator,
                                           std::string_view secret);

// The reply to that request, or why the datagram is not one (wrong id, length or signature,
// malformed attributes, no Message-Authenticator): such a datagram is to be ignored.
std::variant<Reply, std::string> decode_reply(std::span<const uint8_t> datagram, uint8_t id,
                                              const Authenticator& request_authenticator,
                                              std::string_view secret);

}  // namespace tessera::radius
