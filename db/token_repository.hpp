// SQL for tokens and their open challenges. Every change that a concurrent request could race
// is one conditional UPDATE whose affected-row count says who won: the database decides, so
// several server processes on one PostgreSQL stay correct without any in-process lock.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <soci/session.h>

#include "db/database.hpp"

namespace tessera::db {

struct TokenRow {
  std::string serial;
  std::string type;
  std::string description;
  std::string sealed_secret;  // sealed under binding::token_secret(serial); may be empty
  std::string pin_hash;       // empty: no PIN
  int otplen = 6;
  long long counter = 0;  // the lowest counter the next check may accept
  int count_window = 10;
  int sync_window = 1000;
  int maxfail = 10;
  int failcount = 0;
  long long last_fail_at = 0;  // unix seconds
  bool active = true;
  bool revoked = false;
  bool locked = false;
  std::string rollout_state;
  std::string info = "{}";  // JSON object of public token information
  std::string owner_user, owner_resolver, owner_realm;
  long long created_at = 0;
  // eduMFA's limits (0: none): values evaluated and accepted, and a validity period.
  long long count_auth = 0, count_auth_max = 0;
  long long count_auth_success = 0, count_auth_success_max = 0;
  long long valid_from = 0, valid_until = 0;  // unix seconds

  bool has_owner() const { return !owner_user.empty(); }
  bool fail_limit_reached() const { return failcount >= maxfail; }
};

// A change of a token's rollout state ("" -> "pending", "pending" -> "enrolled", ...).
struct RolloutTransition {
  long long id = 0;
  std::string serial;
  std::string from, to;
  long long time_us = 0;
  std::string actor;   // who caused it: an admin, a user, or "system"
  std::string reason;  // why, in the actor's words (a denial's reason, a CA's error)
};

// Who changes a rollout state and why, for the transition's record.
struct TransitionNote {
  std::string actor;
  std::string reason;
};

// One change an event handler asks for; a delivery's changes are applied together.
struct TokenChange {
  enum class Kind { enable, disable, revoke, set_info };
  Kind kind = Kind::disable;
  std::string serial;
  std::string key, value;  // set_info: the info entry and its text
  TransitionNote note;     // revoke
};

struct TokenFilter {
  std::string serial_pattern;  // '*' matches any text
  std::string type;
  std::string owner_user, owner_resolver;
  std::string realm;
  std::vector<std::string> rollout_states;  // empty: any; else one of these (at most 3)
  int active = -1;                          // -1: any, 0, 1
  int assigned = -1;                        // -1: any, 0, 1
  std::string description;                  // exactly this one ("enrollment form staff")
};

// What POST /token/set changes: only the fields that are set, in one transaction. info entries
// without a value are removed.
struct TokenSettings {
  std::optional<std::string> description;
  std::optional<int> otplen, count_window, sync_window, maxfail;
  std::optional<long long> count_auth_max, count_auth_success_max, valid_from, valid_until;
  std::map<std::string, std::optional<std::string>> info;
};

// An open challenge, for /token/challenges/.
struct ChallengeRow {
  std::string transaction_id, serial;
  long long expires_at = 0;
};

struct TokenPage {
  std::vector<TokenRow> tokens;
  long long count = 0;  // matching tokens on all pages
};

// The owner already has the most tokens a policy allows (max_token_per_user).
class TokenLimitReached : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class TokenRepository {
 public:
  explicit TokenRepository(Database& database) : database_(database) {}

  // Called after each committed rollout transition, on the thread that made it. Subscribe
  // before serving: the list is not locked.
  using TransitionListener = std::function<void(const RolloutTransition&)>;
  void on_transition(TransitionListener listener) { listeners_.push_back(std::move(listener)); }
  // Called inside the transaction of each rollout transition, with its session (the event
  // engine records the event with the change). Set before serving.
  using TransitionRecorder = std::function<void(soci::session&, const RolloutTransition&)>;
  void record_transitions_with(TransitionRecorder recorder) { recorder_ = std::move(recorder); }
  // Called when a failure locked a token (its fail counter reached the maximum).
  void on_locked(std::function<void(const std::string& serial)> listener) {
    on_locked_ = std::move(listener);
  }

  // False when the serial is taken. A token that starts in a rollout state records it. With
  // max_owned, throws TokenLimitReached when its owner has that many tokens: counted in the
  // insert's transaction, so parallel enrollments cannot all pass the limit.
  bool insert(const TokenRow& token, const TransitionNote& note = {},
              std::optional<long long> max_owned = std::nullopt);
  // The insert alone, inside the caller's transaction (an import): false when the serial is
  // taken. No rollout transition is recorded.
  static bool insert_in(soci::session& sql, const TokenRow& token);
  std::optional<TokenRow> find(const std::string& serial);
  // The token as seen inside the caller's transaction.
  static std::optional<TokenRow> find_in(soci::session& sql, const std::string& serial);
  std::vector<TokenRow> owned_by(const std::string& resolver, const std::string& user);
  // One page in serial order: page_size tokens from page (1 first), or, with after, the
  // page_size tokens whose serial follows after (the same cost on every page).
  TokenPage list(const TokenFilter& filter, int page, int page_size, const std::string& after = {});

  // Accepts counter `matched` if no value at or after it was accepted before, the token is
  // usable and its attempt was claimed (claim_attempt): counter becomes matched + 1, the fail
  // counter 0.
  bool accept(const std::string& serial, long long matched, const std::string& info);
  // Counts an attempt before a value is evaluated, in one statement on every node: nullopt when
  // the fail counter is already at its maximum (nothing may be evaluated), else whether this
  // attempt was the last one allowed. An attempt that then matches is cleared by accept; one
  // that does not stays counted (announce it with attempt_failed).
  std::optional<bool> claim_attempt(const std::string& serial, long long now);
  // After a claimed attempt failed: announces the lock when it was the last one allowed.
  void attempt_failed(const std::string& serial, bool was_last);
  // Takes back a claimed attempt that could not be evaluated (the plugin or its peer failed).
  void give_back_attempt(const std::string& serial);
  // Counts a failure unless the fail counter is already at its maximum; true when this failure
  // reached it (the token is locked now).
  bool record_failure(const std::string& serial, long long now);
  // Clears a fail counter that reached its maximum no later than locked_before.
  bool clear_expired_lock(const std::string& serial, long long locked_before);
  // Sets the counter forward after a resync (never backwards).
  bool resync(const std::string& serial, long long matched, const std::string& info);

  bool set_active(const std::string& serial, bool active);
  // Revoked for good: disabled, locked, rollout state "revoked" (recorded as a transition).
  bool revoke(const std::string& serial, const TransitionNote& note = {});
  // Applies every change in one transaction, or none when one throws. A revoked token is not
  // enabled, disabled or edited. Returns the serials that this call revoked.
  std::vector<std::string> apply(const std::vector<TokenChange>& changes);
  bool reset_failcount(const std::string& serial);
  bool set_pin_hash(const std::string& serial, const std::string& pin_hash);
  bool set_description(const std::string& serial, const std::string& description);
  // False when the token is revoked or gone; nothing changes then.
  bool apply_settings(const std::string& serial, const TokenSettings& settings);
  // Moves the rollout state from `from` to `to` with new info; false when the token was not in
  // `from` any more (another admin decided first).
  bool change_rollout(const std::string& serial, const std::string& from, const std::string& to,
                      const std::string& info, const TransitionNote& note = {});
  // Replaces the info of a token still in state with exactly old_info (compare and set); false
  // when anything changed meanwhile. Not a transition: the state stays.
  bool claim(const std::string& serial, const std::string& state, const std::string& old_info,
             const std::string& new_info);
  // The token's rollout transitions, oldest first.
  std::vector<RolloutTransition> transitions(const std::string& serial);
  // Only an unassigned token is assigned; the PIN is set with it. max_owned as for insert.
  bool assign(const std::string& serial, const std::string& user, const std::string& resolver,
              const std::string& realm, const std::string& pin_hash,
              std::optional<long long> max_owned = std::nullopt);
  // Removes the owner and the PIN (a PIN belongs to the person).
  bool unassign(const std::string& serial);
  // Deletes the token with its challenges and history; its certificates stay on record, owned
  // by no token.
  bool remove(const std::string& serial);
  long long count_owned(const std::string& resolver, const std::string& user);

  void add_challenge(const std::string& transaction_id, const std::string& serial,
                     long long expires_at);
  // The serials with an open challenge under transaction_id at now.
  std::vector<std::string> open_challenges(const std::string& transaction_id, long long now);
  void close_challenges(const std::string& transaction_id, long long now);
  // Open challenges at now, newest last; serial or transaction_id narrow them when not empty.
  std::vector<ChallengeRow> challenges(const std::string& serial, const std::string& transaction_id,
                                       long long now, int page, int page_size, long long& count);

 private:
  bool update(const std::string& sql_text, const std::string& serial);
  void announce(const RolloutTransition& transition) const;
  Database& database_;
  std::vector<TransitionListener> listeners_;
  TransitionRecorder recorder_;
  std::function<void(const std::string&)> on_locked_;
};

}  // namespace tessera::db
