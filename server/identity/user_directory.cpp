#include "server/identity/user_directory.hpp"

namespace tessera::identity {

std::optional<db::RealmRow> UserDirectory::realm(const std::string& name) {
  return name.empty() ? repository_.default_realm() : repository_.realm(name);
}

std::optional<LocatedUser> UserDirectory::find(const std::string& username,
                                               const std::string& name) {
  auto realm = this->realm(name);
  if (!realm) return std::nullopt;
  for (const auto& resolver : realm->resolvers)
    if (auto user = repository_.user(resolver, username)) return LocatedUser{*user, realm->name};
  return std::nullopt;
}

}  // namespace tessera::identity
