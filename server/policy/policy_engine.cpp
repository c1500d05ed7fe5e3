// Matching of policies against a subject.
#include "server/policy/policy_engine.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <set>

#include <arpa/inet.h>

namespace tessera::policy {
namespace {

struct Address {
  int family = 0;
  std::array<unsigned char, 16> bytes{};
  size_t size() const { return family == AF_INET ? 4 : 16; }
};

std::optional<Address> parse_address(const std::string& text) {
  Address a;
  if (inet_pton(AF_INET, text.c_str(), a.bytes.data()) == 1) {
    a.family = AF_INET;
    return a;
  }
  if (inet_pton(AF_INET6, text.c_str(), a.bytes.data()) == 1) {
    a.family = AF_INET6;
    return a;
  }
  return std::nullopt;
}

struct Network {
  Address address;
  size_t prefix = 0;
};

std::optional<Network> parse_network(const std::string& text) {
  auto slash = text.find('/');
  auto address = parse_address(text.substr(0, slash));
  if (!address) return std::nullopt;
  size_t max = address->size() * 8;
  size_t prefix = max;
  if (slash != std::string::npos) {
    const auto digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3 ||
        digits.find_first_not_of("0123456789") != std::string::npos)
      return std::nullopt;
    prefix = std::stoul(digits);
    if (prefix > max) return std::nullopt;
  }
  return Network{*address, prefix};
}

bool listed(const std::vector<std::string>& list, const std::string& value) {
  return list.empty() || std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace

bool is_network(const std::string& network) {
  return parse_network(network).has_value();
}

bool in_network(const std::string& ip, const std::string& network) {
  auto address = parse_address(ip);
  auto net = parse_network(network);
  if (!address || !net || address->family != net->address.family) return false;
  size_t full = net->prefix / 8, rest = net->prefix % 8;
  if (std::memcmp(address->bytes.data(), net->address.bytes.data(), full) != 0) return false;
  if (rest == 0) return true;
  unsigned char mask = static_cast<unsigned char>(0xff << (8 - rest));
  return (address->bytes[full] & mask) == (net->address.bytes[full] & mask);
}

bool PolicyEngine::matches(const Policy& p, const Subject& s, bool any_realm) const {
  if (!p.active) return false;
  if (!any_realm &&
      (!listed(p.realms, s.realm) || !listed(p.resolvers, s.resolver) || !listed(p.users, s.user)))
    return false;
  if (p.scope == Scope::admin && !listed(p.admins, s.admin)) return false;
  if (!p.clients.empty() &&
      std::none_of(p.clients.begin(), p.clients.end(),
                   [&](const std::string& n) { return in_network(s.client, n); }))
    return false;
  return true;
}

bool PolicyEngine::allowed(Scope scope, std::string_view action, const Subject& subject) const {
  bool any_in_scope = false;
  for (const auto& p : policies_) {
    if (p.scope != scope || !p.active) continue;
    any_in_scope = true;
    if (matches(p, subject) && p.actions.count(std::string(action))) return true;
  }
  return !any_in_scope;
}

bool PolicyEngine::explicitly_allowed(Scope scope, std::string_view action,
                                      const Subject& subject) const {
  for (const auto& p : policies_)
    if (p.scope == scope && p.active && matches(p, subject) && p.actions.count(std::string(action)))
      return true;
  return false;
}

std::optional<std::string> PolicyEngine::value(Scope scope, std::string_view action,
                                               const Subject& subject) const {
  const Policy* best = nullptr;
  for (const auto& p : policies_)
    if (p.scope == scope && p.active && matches(p, subject) &&
        p.actions.count(std::string(action)) && (!best || p.priority < best->priority))
      best = &p;
  if (!best) return std::nullopt;
  return best->actions.at(std::string(action));
}

std::vector<std::string> PolicyEngine::granted(Scope scope, const Subject& subject) const {
  const bool any = std::any_of(policies_.begin(), policies_.end(),
                               [&](const Policy& p) { return p.scope == scope && p.active; });
  if (!any) return known_actions(scope);
  std::set<std::string> actions;
  for (const auto& p : policies_)
    if (p.scope == scope && matches(p, subject, scope == Scope::admin))
      for (const auto& [name, value] : p.actions) actions.insert(name);
  return {actions.begin(), actions.end()};
}

std::vector<std::string> PolicyEngine::matching(Scope scope, const Subject& subject) const {
  std::vector<std::string> names;
  for (const auto& p : policies_)
    if (p.scope == scope && matches(p, subject)) names.push_back(p.name);
  return names;
}

}  // namespace tessera::policy
