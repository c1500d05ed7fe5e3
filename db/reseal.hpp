// Re-seals every sealed value in the database (for key rotation), in one transaction: either
// all values move to the new key or none does.
#pragma once

#include <functional>
#include <string>

#include "db/database.hpp"

namespace tessera::db {

// reseal(sealed, binding) returns the value sealed under the new key; it throws when the old
// key does not open it, which rolls everything back. Returns how many values were re-sealed.
int reseal_all(Database& database,
               const std::function<std::string(const std::string& sealed,
                                               const std::string& binding)>& reseal);

}  // namespace tessera::db
