// Argon2id password hashes in the PHC string format ($argon2id$v=19$m=...,t=...,p=...$salt$hash).
#pragma once

#include <string>
#include <string_view>

namespace tessera::crypto {

std::string hash_password(std::string_view password);
// Constant-time in the hash comparison; false (never an exception) for a wrong password or a
// malformed hash.
bool verify_password(std::string_view password, const std::string& encoded_hash);
// A hash with hash_password's parameters and a random salt and digest: no password matches it,
// and verifying against it costs exactly what verifying a real one does. Made without running
// Argon2 (a real hash takes a quarter of a second and 64 MiB, which a server start need not pay).
std::string unmatchable_password_hash();

}  // namespace tessera::crypto
