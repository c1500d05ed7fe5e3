// A smart card's certificate, once its CA has issued it (at once, after an approver, or after the
// CA's own wait), is not in use yet: the card must write it beside its key and sign a challenge
// with that key ("clientwait", smartcard_enrollment.hpp). Every token type else is "enrolled".
#pragma once

#include <chrono>
#include <string>

#include <boost/json/object.hpp>

namespace tessera::ca {

// The rollout state for a token of token_type whose certificate was just issued; for a smart
// card, info gets the challenge and the time by which the card must confirm.
std::string state_after_issue(const std::string& token_type, boost::json::object& info,
                              std::chrono::seconds time_to_confirm);

}  // namespace tessera::ca
