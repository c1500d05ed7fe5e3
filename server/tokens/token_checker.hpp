// Decides /validate/check: splits PIN and OTP per token, checks the PIN as the otppin policy
// says, asks the token's plugin whether the OTP matches, and lets the database accept the
// matched counter with one conditional UPDATE, so that a value is accepted at most once even
// when several requests or server processes race with it. Counts failures and answers with
// eduMFA's messages; a PIN alone opens a challenge for the tokens that allow it, and a token
// type that sends its values (e-mail, SMS) sends the next one then.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "db/token_repository.hpp"
#include "server/crypto/secret_box.hpp"
#include "server/tokens/pin_hasher.hpp"
#include "server/tokens/token_types.hpp"

namespace tessera::tokens {

enum class PinMode { token_pin, user_store, none };

// What the authentication policies say for this request.
struct CheckPolicy {
  PinMode pin_mode = PinMode::token_pin;
  std::set<std::string> challenge_types;  // token types that answer a PIN with a challenge
  long long lockout_seconds = 0;          // 0: a token locked by its fail counter stays locked
  long long challenge_validity_seconds = 120;
  // The notification action that carries the values of token types with a challenge
  // operation (e-mail, SMS): policy challenge_notification.
  std::string challenge_notification;
};

struct CheckOutcome {
  bool value = false;
  const char* authentication = "REJECT";  // ACCEPT, REJECT or CHALLENGE
  boost::json::object detail;             // message, serial, type, otplen, multi_challenge...
  std::string serial, type;               // for the audit log: the token that decided
};

// No token could be checked because its plugin failed (logged): the caller answers with a
// server error, and no failure was counted.
class CheckUnavailable : public std::runtime_error {
 public:
  // why: a message fit for the caller (a peer or deadline named by the host), or empty.
  explicit CheckUnavailable(const std::string& why = "")
      : std::runtime_error("the token could not be checked: " +
                           (why.empty() ? std::string("its token type failed") : why)) {}
};

// Sends a challenge's message to the token's owner through the named notification action;
// throws std::runtime_error when it cannot.
using ChallengeSender = std::function<void(const db::TokenRow& token, const std::string& notifier,
                                           const std::string& subject, const std::string& body)>;

// Checks the user-store password for otppin=userstore.
using PasswordCheck = std::function<bool(const std::string& password)>;

class TokenChecker {
 public:
  TokenChecker(db::TokenRepository& tokens, const TokenTypes& types,
               const crypto::SecretBox& secrets, const PinHasher& pins)
      : tokens_(tokens), types_(types), secrets_(secrets), pins_(pins) {}

  // Token types with a challenge operation send their values this way (none: they open none).
  void send_challenges_with(ChallengeSender sender) { send_challenge_ = std::move(sender); }

  // candidates: the user's tokens, or the one token named by serial.
  CheckOutcome check(const std::vector<db::TokenRow>& candidates, const std::string& pass,
                     const std::string& transaction_id, const CheckPolicy& policy,
                     const PasswordCheck& user_password) const;

  // Opens a challenge for every usable candidate whose type allows one (an admin's
  // /validate/triggerchallenge); the outcome has "value" = how many.
  CheckOutcome trigger(const std::vector<db::TokenRow>& candidates,
                       const CheckPolicy& policy) const;

  // The second step of a WebUI login (login_mode tessera), after the password: a challenge on
  // every usable token that has values to check (types that send codes send them). The
  // answer is checked by check() with its transaction id, fail counters and all.
  CheckOutcome second_factor_challenge(const std::vector<db::TokenRow>& candidates,
                                       const CheckPolicy& policy) const;

  // The first value of a token that waits in "verify" (policy verify_enrollment): on a match
  // the counter moves on and the token becomes enrolled; a miss counts as a failure.
  bool verify_enrollment(const db::TokenRow& token, const std::string& otp,
                         const std::string& actor) const;

  // Whether otp is one of the token's next `window` values, asked of its plugin without
  // counting or accepting anything (eduMFA's /token/getserial, an admin's look-up). False for a
  // token that has no values or whose plugin fails (logged).
  bool generates(const db::TokenRow& token, const std::string& otp, int window) const;

  // Runs the token type's resync with otp1 and otp2 and moves the counter on a match.
  bool resync(const db::TokenRow& token, const std::string& otp1, const std::string& otp2) const;

 private:
  struct Verdict {
    bool match = false;
    bool replayed = false;    // matched, but another request accepted this value first
    bool broken = false;      // the plugin failed or the secret does not open (logged)
    std::string unavailable;  // when broken because a peer or deadline failed: why
    bool locked = false;      // the fail counter was at its maximum: nothing was evaluated
  };
  // Why the token cannot authenticate now, or nullopt when it can.
  std::optional<std::string> unusable(db::TokenRow& token, const CheckPolicy& policy,
                                      long long now) const;
  // Counts the attempt first (so that parallel requests never evaluate more values than the
  // fail counter allows), then asks the plugin; a failed attempt stays counted.
  Verdict verify(const db::TokenRow& token, const std::string& otp, long long now) const;
  // A challenge on each usable candidate that wanted picks.
  CheckOutcome challenge_usable(const std::vector<db::TokenRow>& candidates,
                                const CheckPolicy& policy,
                                const std::function<bool(const db::TokenRow&)>& wanted) const;
  // The plugin's verdict on otp, without counting.
  Verdict evaluate(const db::TokenRow& token, const std::string& otp, long long now) const;
  // The counter a verify or resync answer matched, -1 for no match, nullopt (logged) for an
  // answer the host cannot use: no counter, not a whole number, below the token's, >= 2^62.
  std::optional<long long> matched_counter(const db::TokenRow& token,
                                           const boost::json::object& result,
                                           const char* operation) const;
  // The token's info with the answer's "info" entries, except those the host owns.
  std::string updated_info(const db::TokenRow& token, const boost::json::object& result) const;
  // A token type that sends its values in a message (it offers challenge).
  bool sends_codes(const db::TokenRow& token) const;
  // Has the token type make its message and sends it; what the user is told, or nullopt
  // (logged) when no message went.
  std::optional<std::string> send_code(const db::TokenRow& token, const std::string& transaction_id,
                                       const CheckPolicy& policy, long long now) const;
  CheckOutcome open_challenges(const std::vector<const db::TokenRow*>& tokens,
                               const CheckPolicy& policy, long long now) const;
  CheckOutcome answer_challenge(const std::vector<db::TokenRow>& candidates,
                                const std::string& pass, const std::string& transaction_id,
                                const CheckPolicy& policy, long long now) const;
  boost::json::object token_request(const db::TokenRow& token, long long now) const;

  db::TokenRepository& tokens_;
  const TokenTypes& types_;
  const crypto::SecretBox& secrets_;
  const PinHasher& pins_;
  ChallengeSender send_challenge_;
};

}  // namespace tessera::tokens
