// The caps on what a plugin hands the host, beyond the 16 MiB of any one answer: each is in
// sdk/REFERENCE.md ("Limits") with what exceeding it does. Texts that only describe (a failure's
// message, a log line) are cut with a marker; anything the host keeps or shows as the plugin's
// word (token info, a denial reason, an action's message, a CA certificate, a CRL) is refused
// whole when it is too big, so nothing half-stored remains.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

namespace tessera::plugins::limits {

constexpr size_t kFailureText = 2048;         // a failure's message (answers and logs)
constexpr size_t kLogLine = 4096;             // one log line from a plugin
constexpr size_t kReason = 1024;              // denial_reason, an action's message
constexpr size_t kInfoKeys = 64;              // token info entries in one answer
constexpr size_t kInfoBytes = 64 * 1024;      // token info in one answer, as JSON
constexpr size_t kActions = 32;               // actions a CA connector lists
constexpr size_t kStoreValue = 1024 * 1024;   // one stored value
constexpr size_t kCaCertificate = 64 * 1024;  // a CA certificate (PEM)
constexpr size_t kCrl = 16 * 1024 * 1024;     // a CRL (base64 DER)

// text cut to limit bytes (at a UTF-8 boundary), with "... [N more bytes cut]" when it was.
std::string cut(std::string_view text, size_t limit);

// Why an answer's token info is over the limits, or nothing when it is not.
std::optional<std::string> info_problem(const boost::json::object& info);

}  // namespace tessera::plugins::limits
