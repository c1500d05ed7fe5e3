// eduMFA's time stamps for token validity periods ("2026-12-31T23:59+0100"), as Unix seconds.
#pragma once

#include <optional>
#include <string_view>

namespace tessera::util {

// YYYY-MM-DDThh:mm, optional :ss, then Z or an offset +hhmm / +hh:mm / -hhmm (none: UTC).
// nullopt for anything else, a date that does not exist included.
std::optional<long long> parse_validity_time(std::string_view text);

}  // namespace tessera::util
