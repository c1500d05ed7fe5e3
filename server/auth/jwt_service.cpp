// libjwt does the encoding and the signature; the algorithm and the expiry are checked here,
// since libjwt 1.10 trusts the token's own "alg" and does not look at "exp".
#include "server/auth/jwt_service.hpp"

#include <cerrno>
#include <cstdlib>
#include <memory>
#include <stdexcept>

#include <jwt.h>
#include <openssl/crypto.h>

#include "server/crypto/encoding.hpp"
#include "server/crypto/random.hpp"

namespace tessera::auth {
namespace {

struct JwtFree {
  void operator()(jwt_t* j) const { jwt_free(j); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtFree>;

long long seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

JwtService::JwtService(std::vector<uint8_t> key, std::chrono::seconds validity)
    : key_(std::move(key)), validity_(validity) {
  if (key_.size() < 32) throw std::invalid_argument("the JWT key must have at least 32 bytes");
}

JwtService::~JwtService() {
  OPENSSL_cleanse(key_.data(), key_.size());
}

std::string JwtService::issue(const Identity& identity,
                              std::chrono::system_clock::time_point now) const {
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) throw std::runtime_error("jwt_new failed");
  JwtPtr jwt(raw);
  auto nonce = crypto::random_bytes(16);
  bool ok =
      jwt_set_alg(jwt.get(), JWT_ALG_HS256, key_.data(), static_cast<int>(key_.size())) == 0 &&
      jwt_add_grant(jwt.get(), "username", identity.username.c_str()) == 0 &&
      jwt_add_grant(jwt.get(), "realm", identity.realm.c_str()) == 0 &&
      jwt_add_grant(jwt.get(), "resolver", identity.resolver.c_str()) == 0 &&
      jwt_add_grant(jwt.get(), "role", identity.is_admin() ? "admin" : "user") == 0 &&
      jwt_add_grant(jwt.get(), "jti", crypto::base64_encode(nonce.data(), nonce.size()).c_str()) ==
          0 &&
      jwt_add_grant_int(jwt.get(), "iat", seconds(now)) == 0 &&
      jwt_add_grant_int(jwt.get(), "exp", seconds(now + validity_)) == 0;
  if (!ok) throw std::runtime_error("building the JWT failed");
  // libjwt 1.10 allocates the string with malloc and leaves freeing it to the caller.
  std::unique_ptr<char, decltype(&std::free)> text(jwt_encode_str(jwt.get()), &std::free);
  if (!text) throw std::runtime_error("encoding the JWT failed");
  return std::string(text.get());
}

std::optional<Identity> JwtService::verify(const std::string& token,
                                           std::chrono::system_clock::time_point now) const {
  if (token.empty() || token.size() > 8192) return std::nullopt;
  jwt_t* raw = nullptr;
  if (jwt_decode(&raw, token.c_str(), key_.data(), static_cast<int>(key_.size())) != 0 || !raw)
    return std::nullopt;
  JwtPtr jwt(raw);
  // Only our own algorithm: never "none", never an asymmetric one keyed with our secret.
  if (jwt_get_alg(jwt.get()) != JWT_ALG_HS256) return std::nullopt;
  errno = 0;
  long exp = jwt_get_grant_int(jwt.get(), "exp");
  if (errno != 0 || exp <= seconds(now)) return std::nullopt;
  const char* username = jwt_get_grant(jwt.get(), "username");
  const char* realm = jwt_get_grant(jwt.get(), "realm");
  const char* role = jwt_get_grant(jwt.get(), "role");
  const char* resolver = jwt_get_grant(jwt.get(), "resolver");
  const char* jti = jwt_get_grant(jwt.get(), "jti");  // a session that can be ended has one
  errno = 0;
  const long iat = jwt_get_grant_int(jwt.get(), "iat");
  if (!username || !realm || !role || !resolver || !jti || errno != 0) return std::nullopt;
  const std::string role_name = role;
  if (role_name != "admin" && role_name != "user") return std::nullopt;
  return Identity{
      role_name == "admin" ? Role::admin : Role::user, username, realm, resolver, jti, iat, exp};
}

}  // namespace tessera::auth
