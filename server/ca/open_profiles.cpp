#include "server/ca/open_profiles.hpp"

namespace tessera::ca {

OpenProfiles::OpenProfiles(const std::optional<std::string>& policy_value) {
  if (!policy_value) return;
  std::string list = " ";
  for (const char c : *policy_value) list += (c == ',' || c == '\t' || c == '\n') ? ' ' : c;
  list_ = list + " ";
}

bool OpenProfiles::open(const std::string& ca, const std::string& profile) const {
  if (!list_) return true;
  return list_->find(" " + ca + " ") != std::string::npos ||
         list_->find(" " + ca + "/" + profile + " ") != std::string::npos;
}

}  // namespace tessera::ca
