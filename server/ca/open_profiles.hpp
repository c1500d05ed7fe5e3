// Which CA connectors and profiles a user may request certificates from: the enrollment policy
// certificate_profiles lists them ("corp/user corp/smartcard partner": a CA's name alone opens
// all its profiles; spaces or commas between). Without the policy every profile is open, as
// before it existed.
#pragma once

#include <optional>
#include <string>

namespace tessera::ca {

class OpenProfiles {
 public:
  explicit OpenProfiles(const std::optional<std::string>& policy_value);
  bool open(const std::string& ca, const std::string& profile) const;

 private:
  std::optional<std::string> list_;  // " ca/profile ca " with a space around each entry
};

}  // namespace tessera::ca
