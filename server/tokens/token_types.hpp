// The token types the loaded plugins offer, one instance each with its default configuration,
// looked up by type id ("hotp", "totp") on every enrollment and check.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "server/plugins/plugin_registry.hpp"

namespace tessera::tokens {

class TokenTypes {
 public:
  // Creates an instance of every token type in the registry; a type whose instance cannot be
  // created is left out and logged.
  explicit TokenTypes(const plugins::PluginRegistry& registry);

  // nullptr when no loaded plugin offers the type.
  const plugins::ComponentInstance* find(const std::string& type) const;
  std::vector<std::string> names() const;
  // Token types that a loaded plugin offers but whose instance could not be made, with why.
  const std::map<std::string, std::string>& unusable() const { return unusable_; }

 private:
  std::map<std::string, std::shared_ptr<plugins::ComponentInstance>> types_;
  std::map<std::string, std::string> unusable_;
};

}  // namespace tessera::tokens
