// Argon2id password hashes in the PHC string format ($argon2id$v=19$m=...,t=...,p=...$salt$hash).
#pragma once

#include <string>
#include <string_view>

namespace tessera::crypto {

std::string hash_password(std::string_view password);
// Constant-time in the hash comparison; false (never an exception) for a wrong password or a
// malformed hash.
bool verify_password(std::string_view password, const std::string& encoded_hash);

}  // namespace tessera::crypto
