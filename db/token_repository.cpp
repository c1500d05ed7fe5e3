// SQL for tokens and challenges.
#include "db/token_repository.hpp"

#include <chrono>
#include <optional>

#include <boost/json.hpp>

#include <soci/soci.h>

#include "db/fit_text.hpp"

namespace tessera::db {
namespace {

constexpr const char* kColumns =
    "serial, token_type, description, sealed_secret, pin_hash, otplen, counter, count_window, "
    "sync_window, maxfail, failcount, last_fail_at, active, revoked, locked, rollout_state, info, "
    "owner_user, owner_resolver, owner_realm, created_at, count_auth, count_auth_max, "
    "count_auth_success, count_auth_success_max, valid_from, valid_until";

TokenRow token_of(const soci::row& r) {
  TokenRow t;
  t.serial = r.get<std::string>(0);
  t.type = r.get<std::string>(1);
  t.description = r.get<std::string>(2);
  t.sealed_secret = r.get<std::string>(3);
  t.pin_hash = r.get<std::string>(4);
  t.otplen = r.get<int>(5);
  t.counter = r.get<long long>(6);
  t.count_window = r.get<int>(7);
  t.sync_window = r.get<int>(8);
  t.maxfail = r.get<int>(9);
  t.failcount = r.get<int>(10);
  t.last_fail_at = r.get<long long>(11);
  t.active = r.get<int>(12) != 0;
  t.revoked = r.get<int>(13) != 0;
  t.locked = r.get<int>(14) != 0;
  t.rollout_state = r.get<std::string>(15);
  t.info = r.get<std::string>(16);
  t.owner_user = r.get<std::string>(17);
  t.owner_resolver = r.get<std::string>(18);
  t.owner_realm = r.get<std::string>(19);
  t.created_at = r.get<long long>(20);
  t.count_auth = r.get<long long>(21);
  t.count_auth_max = r.get<long long>(22);
  t.count_auth_success = r.get<long long>(23);
  t.count_auth_success_max = r.get<long long>(24);
  t.valid_from = r.get<long long>(25);
  t.valid_until = r.get<long long>(26);
  return t;
}

// The variables a prepared SELECT of kColumns reads one row into.
struct TokenColumns {
  TokenRow row;
  int active = 0, revoked = 0, locked = 0;

  soci::details::prepare_temp_type& bind(soci::details::prepare_temp_type& p) {
    return p, soci::into(row.serial), soci::into(row.type), soci::into(row.description),
           soci::into(row.sealed_secret), soci::into(row.pin_hash), soci::into(row.otplen),
           soci::into(row.counter), soci::into(row.count_window), soci::into(row.sync_window),
           soci::into(row.maxfail), soci::into(row.failcount), soci::into(row.last_fail_at),
           soci::into(active), soci::into(revoked), soci::into(locked),
           soci::into(row.rollout_state), soci::into(row.info), soci::into(row.owner_user),
           soci::into(row.owner_resolver), soci::into(row.owner_realm), soci::into(row.created_at),
           soci::into(row.count_auth), soci::into(row.count_auth_max),
           soci::into(row.count_auth_success), soci::into(row.count_auth_success_max),
           soci::into(row.valid_from), soci::into(row.valid_until);
  }
  TokenRow read() const {
    TokenRow t = row;
    t.active = active != 0;
    t.revoked = revoked != 0;
    t.locked = locked != 0;
    return t;
  }
};

// The statements of /validate/check, prepared once per connection (Database::prepared).
struct TokensOfOwner {
  std::string resolver, user;
  TokenColumns columns;
  soci::statement statement;
  explicit TokensOfOwner(soci::session& sql) : statement(prepare(sql)) {}
  soci::details::prepare_temp_type prepare(soci::session& sql) {
    auto p = (sql.prepare << "SELECT " << kColumns
                          << " FROM token WHERE owner_resolver = :r AND owner_user = :u ORDER BY "
                             "serial",
              soci::use(resolver), soci::use(user));
    columns.bind(p);
    return p;
  }
};

struct TokenBySerial {
  std::string serial;
  TokenColumns columns;
  soci::statement statement;
  explicit TokenBySerial(soci::session& sql) : statement(prepare(sql)) {}
  soci::details::prepare_temp_type prepare(soci::session& sql) {
    auto p = (sql.prepare << "SELECT " << kColumns << " FROM token WHERE serial = :s",
              soci::use(serial));
    columns.bind(p);
    return p;
  }
};

struct RecordFailure {
  long long now = 0;
  std::string serial;
  int failcount = 0, maxfail = 0;
  soci::statement statement;
  explicit RecordFailure(soci::session& sql)
      : statement((sql.prepare << "UPDATE token SET failcount = failcount + 1, last_fail_at = "
                                  ":now, count_auth = count_auth + 1 WHERE serial = :s AND "
                                  "failcount < maxfail AND (count_auth_max = 0 OR count_auth < "
                                  "count_auth_max) RETURNING failcount, maxfail",
                   soci::use(now), soci::use(serial), soci::into(failcount), soci::into(maxfail))) {
  }
};

struct AcceptCounter {
  long long next = 0, matched = 0;
  std::string info, serial;
  soci::statement statement;
  explicit AcceptCounter(soci::session& sql)
      : statement((sql.prepare << "UPDATE token SET counter = :next, failcount = 0, info = :info, "
                                  "count_auth_success = count_auth_success + 1 WHERE serial = :s "
                                  "AND counter <= :matched AND active = 1 AND revoked = 0 AND "
                                  "failcount <= maxfail AND (count_auth_success_max = 0 OR "
                                  "count_auth_success < count_auth_success_max)",
                   soci::use(next), soci::use(info), soci::use(serial), soci::use(matched))) {}
};

// '*' becomes '%'; the LIKE wildcards '%' and '_' in the pattern itself match only themselves.
std::string like_pattern(const std::string& pattern) {
  std::string out;
  for (char c : pattern) {
    if (c == '*')
      out += '%';
    else if (c == '%' || c == '_' || c == '\\')
      out += std::string("\\") + c;
    else
      out += c;
  }
  return out;
}

long long affected(soci::statement& st) {
  st.execute(true);
  return st.get_affected_rows();
}

// Writes the transition in the caller's transaction and fills in its id and time.
void record(soci::session& sql, RolloutTransition& t) {
  t.time_us = std::chrono::duration_cast<std::chrono::microseconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
  sql << "INSERT INTO token_transition (serial, from_state, to_state, time_us, actor, reason) "
         "VALUES (:s, :f, :t, :time, :a, :r) RETURNING id",
      soci::use(t.serial), soci::use(t.from), soci::use(t.to), soci::use(t.time_us),
      soci::use(t.actor), soci::use(t.reason), soci::into(t.id);
}

RolloutTransition transition(const std::string& serial, const std::string& from,
                             const std::string& to, const TransitionNote& note) {
  return RolloutTransition{
      0, serial, from, to, 0, fit_text(note.actor, 255), fit_text(note.reason, 512)};
}

}  // namespace

namespace {

// Throws TokenLimitReached when the user owns max_owned tokens or more. SQLite's BEGIN
// IMMEDIATE already serialises writers; on PostgreSQL a lock per owner does, so that the count
// stays true until the caller's transaction ends.
void require_room(soci::session& sql, Dialect dialect, const std::string& resolver,
                  const std::string& user, long long max_owned) {
  if (dialect == Dialect::postgresql) {
    const auto owner = resolver + "/" + user;
    sql << "SELECT pg_advisory_xact_lock(730531, hashtext(:o))", soci::use(owner);
  }
  long long owned = 0;
  sql << "SELECT COUNT(*) FROM token WHERE owner_resolver = :r AND owner_user = :u",
      soci::use(resolver), soci::use(user), soci::into(owned);
  if (owned >= max_owned)
    throw TokenLimitReached("the user has the maximum of " + std::to_string(max_owned) + " tokens");
}

}  // namespace

bool TokenRepository::insert_in(soci::session& sql, const TokenRow& t) {
  int active = t.active, revoked = t.revoked, locked = t.locked;
  // Two enrollments racing for one serial: the database lets one in, the other is told.
  soci::statement st =
      (sql.prepare << "INSERT INTO token (" << kColumns
                   << ") VALUES (:serial, :type, :d, :sec, :pin, :len, :c, :cw, :sw, :mf, :fc, "
                      ":lf, :a, :r, :l, :rs, :i, :ou, :ores, :oreal, :ca, :cauth, :cauthmax, "
                      ":csucc, :csuccmax, :vf, :vu) ON CONFLICT (serial) DO NOTHING",
       soci::use(t.serial), soci::use(t.type), soci::use(t.description), soci::use(t.sealed_secret),
       soci::use(t.pin_hash), soci::use(t.otplen), soci::use(t.counter), soci::use(t.count_window),
       soci::use(t.sync_window), soci::use(t.maxfail), soci::use(t.failcount),
       soci::use(t.last_fail_at), soci::use(active), soci::use(revoked), soci::use(locked),
       soci::use(t.rollout_state), soci::use(t.info), soci::use(t.owner_user),
       soci::use(t.owner_resolver), soci::use(t.owner_realm), soci::use(t.created_at),
       soci::use(t.count_auth), soci::use(t.count_auth_max), soci::use(t.count_auth_success),
       soci::use(t.count_auth_success_max), soci::use(t.valid_from), soci::use(t.valid_until));
  return affected(st) == 1;
}

bool TokenRepository::insert(const TokenRow& t, const TransitionNote& note,
                             std::optional<long long> max_owned) {
  auto change = transition(t.serial, "", t.rollout_state, note);
  const bool inserted = database_.in_transaction([&](soci::session& sql) {
    if (max_owned && !t.owner_user.empty())
      require_room(sql, database_.dialect(), t.owner_resolver, t.owner_user, *max_owned);
    if (!insert_in(sql, t)) return false;
    if (!t.rollout_state.empty()) {
      record(sql, change);
      if (recorder_) recorder_(sql, change);
    }
    return true;
  });
  if (inserted && !t.rollout_state.empty()) announce(change);
  return inserted;
}

void TokenRepository::announce(const RolloutTransition& transition) const {
  for (const auto& listener : listeners_) listener(transition);
}

std::optional<TokenRow> TokenRepository::find_in(soci::session& sql, const std::string& serial) {
  soci::rowset<soci::row> rows =
      (sql.prepare << "SELECT " << kColumns << " FROM token WHERE serial = :s", soci::use(serial));
  for (const auto& r : rows) return token_of(r);
  return std::nullopt;
}

std::optional<TokenRow> TokenRepository::find(const std::string& serial) {
  return database_.with_session([&](soci::session& sql) -> std::optional<TokenRow> {
    auto& query = database_.prepared<TokenBySerial>(sql);
    query.serial = serial;
    return Database::fetch_one(query.statement, [&] { return query.columns.read(); });
  });
}

std::vector<TokenRow> TokenRepository::owned_by(const std::string& resolver,
                                                const std::string& user) {
  return database_.with_session([&](soci::session& sql) {
    auto& query = database_.prepared<TokensOfOwner>(sql);
    query.resolver = resolver;
    query.user = user;
    std::vector<TokenRow> tokens;
    query.statement.execute();
    while (query.statement.fetch()) tokens.push_back(query.columns.read());
    return tokens;
  });
}

long long TokenRepository::count_owned(const std::string& resolver, const std::string& user) {
  return database_.with_session([&](soci::session& sql) {
    long long n = 0;
    sql << "SELECT COUNT(*) FROM token WHERE owner_resolver = :r AND owner_user = :u",
        soci::use(resolver), soci::use(user), soci::into(n);
    return n;
  });
}

TokenPage TokenRepository::list(const TokenFilter& f, int page, int page_size,
                                const std::string& after) {
  // Only the filters in use are in the SQL, each a bound value after a fixed fragment, so that
  // an index can serve them (with "(:x = '' OR column = :x)" the planner scans every token).
  std::string where = " FROM token WHERE 1 = 1";
  std::vector<std::string> values;
  const auto bind = [&](const std::string& value) {
    values.push_back(value);
    return ":v" + std::to_string(values.size() - 1);
  };
  if (!f.serial_pattern.empty())
    where += " AND serial LIKE " + bind(like_pattern(f.serial_pattern)) + " ESCAPE '\\'";
  if (!f.type.empty()) where += " AND token_type = " + bind(f.type);
  if (!f.owner_resolver.empty()) where += " AND owner_resolver = " + bind(f.owner_resolver);
  if (!f.owner_user.empty()) where += " AND owner_user = " + bind(f.owner_user);
  // With an owner, token_owner finds the few rows: "|| ''" keeps SQLite (which has no
  // statistics here) from walking the realm's index in serial order instead.
  if (!f.realm.empty())
    where += (f.owner_user.empty() ? " AND owner_realm = " : " AND owner_realm || '' = ") +
             bind(f.realm);
  if (!f.rollout_states.empty()) {
    where += " AND rollout_state IN (";
    for (size_t i = 0; i < f.rollout_states.size(); ++i)
      where += (i ? ", " : "") + bind(f.rollout_states[i]);
    where += ")";
  }
  if (f.active >= 0) where += f.active ? " AND active = 1" : " AND active = 0";
  if (f.assigned >= 0) where += f.assigned ? " AND owner_user <> ''" : " AND owner_user = ''";
  if (!f.description.empty()) where += " AND description = " + bind(f.description);
  const auto filters = values.size();
  // A page after a serial (keyset) costs the same wherever it is; OFFSET reads every row
  // before the page.
  std::string page_clause = " ORDER BY serial LIMIT " + std::to_string(page_size);
  std::string keyset;
  if (!after.empty())
    keyset = " AND serial > " + bind(after);
  else
    page_clause += " OFFSET " + std::to_string(static_cast<long long>(page - 1) * page_size);
  return database_.with_session([&](soci::session& sql) {
    TokenPage result;
    {
      soci::statement count = (sql.prepare << "SELECT COUNT(*)" + where);
      for (size_t i = 0; i < filters; ++i) count.exchange(soci::use(values[i]));
      count.exchange(soci::into(result.count));
      count.define_and_bind();
      count.execute(true);
    }
    soci::row row;
    soci::statement select =
        (sql.prepare << std::string("SELECT ") + kColumns + where + keyset + page_clause);
    for (auto& v : values) select.exchange(soci::use(v));
    select.exchange(soci::into(row));
    select.define_and_bind();
    select.execute(false);
    while (select.fetch()) result.tokens.push_back(token_of(row));
    return result;
  });
}

bool TokenRepository::accept(const std::string& serial, long long matched,
                             const std::string& info) {
  return database_.write([&](soci::session& sql) {
    auto& query = database_.prepared<AcceptCounter>(sql);
    query.next = matched + 1;
    query.matched = matched;
    query.info = info;
    query.serial = serial;
    return affected(query.statement) == 1;
  });
}

bool TokenRepository::record_failure(const std::string& serial, long long now) {
  const bool locked = database_.write([&](soci::session& sql) {
    auto& query = database_.prepared<RecordFailure>(sql);
    query.now = now;
    query.serial = serial;
    // Stepped to its end: a SQLite statement left on its RETURNING row keeps the write open.
    auto counted =
        Database::fetch_one(query.statement, [&] { return query.failcount >= query.maxfail; });
    return counted.value_or(false);
  });
  if (locked && on_locked_) on_locked_(serial);
  return locked;
}

std::optional<bool> TokenRepository::claim_attempt(const std::string& serial, long long now) {
  return database_.write([&](soci::session& sql) {
    auto& query = database_.prepared<RecordFailure>(sql);
    query.now = now;
    query.serial = serial;
    return Database::fetch_one(query.statement, [&] { return query.failcount >= query.maxfail; });
  });
}

void TokenRepository::attempt_failed(const std::string& serial, bool was_last) {
  if (was_last && on_locked_) on_locked_(serial);
}

void TokenRepository::give_back_attempt(const std::string& serial) {
  update("UPDATE token SET failcount = failcount - 1 WHERE serial = :s AND failcount > 0", serial);
}

bool TokenRepository::clear_expired_lock(const std::string& serial, long long locked_before) {
  return database_.write([&](soci::session& sql) {
    soci::statement st =
        (sql.prepare << "UPDATE token SET failcount = 0 WHERE serial = :s AND failcount >= "
                        "maxfail AND last_fail_at <= :before",
         soci::use(serial), soci::use(locked_before));
    return affected(st) == 1;
  });
}

bool TokenRepository::resync(const std::string& serial, long long matched,
                             const std::string& info) {
  const long long next = matched + 1;
  return database_.write([&](soci::session& sql) {
    soci::statement st = (sql.prepare << "UPDATE token SET counter = :next, failcount = 0, info = "
                                         ":info WHERE serial = :s AND counter <= :matched AND "
                                         "active = 1 AND revoked = 0",
                          soci::use(next), soci::use(info), soci::use(serial), soci::use(matched));
    return affected(st) == 1;
  });
}

bool TokenRepository::update(const std::string& sql_text, const std::string& serial) {
  return database_.write([&](soci::session& sql) {
    soci::statement st = (sql.prepare << sql_text, soci::use(serial));
    return affected(st) == 1;
  });
}

bool TokenRepository::set_active(const std::string& serial, bool active) {
  return update(active ? "UPDATE token SET active = 1 WHERE serial = :s AND revoked = 0"
                       : "UPDATE token SET active = 0 WHERE serial = :s AND revoked = 0",
                serial);
}

namespace {

// Revokes inside a transaction; the transition when this call revoked it.
std::optional<RolloutTransition> revoke_in(soci::session& sql, Dialect dialect,
                                           const std::string& serial, const TransitionNote& note) {
  auto change = transition(serial, "", "revoked", note);
  soci::indicator found = soci::i_null;
  // Locked on PostgreSQL, so that the state recorded as "from" is the one revoked.
  const std::string query =
      std::string("SELECT rollout_state FROM token WHERE serial = :s AND revoked = 0") +
      (dialect == Dialect::postgresql ? " FOR UPDATE" : "");
  sql << query, soci::use(serial), soci::into(change.from, found);
  if (found != soci::i_ok) return std::nullopt;
  soci::statement st = (sql.prepare << "UPDATE token SET revoked = 1, locked = 1, active = 0, "
                                       "rollout_state = 'revoked' WHERE serial = :s AND "
                                       "revoked = 0",
                        soci::use(serial));
  if (affected(st) != 1) return std::nullopt;
  record(sql, change);
  return change;
}

// Sets one info entry inside a transaction, on the info as it is now (no lost update).
void set_info_in(soci::session& sql, Dialect dialect, const std::string& serial,
                 const std::string& key, const std::string& value) {
  std::string info;
  soci::indicator found = soci::i_null;
  const std::string query =
      std::string("SELECT info FROM token WHERE serial = :s AND revoked = 0") +
      (dialect == Dialect::postgresql ? " FOR UPDATE" : "");
  sql << query, soci::use(serial), soci::into(info, found);
  if (found != soci::i_ok) return;
  boost::system::error_code ec;
  auto parsed = boost::json::parse(info, ec);
  if (ec || !parsed.is_object()) parsed = boost::json::object();
  parsed.as_object()[key] = value;
  const std::string updated = boost::json::serialize(parsed);
  sql << "UPDATE token SET info = :i WHERE serial = :s AND revoked = 0", soci::use(updated),
      soci::use(serial);
}

}  // namespace

bool TokenRepository::revoke(const std::string& serial, const TransitionNote& note) {
  std::optional<RolloutTransition> change;
  database_.in_transaction([&](soci::session& sql) {
    change = revoke_in(sql, database_.dialect(), serial, note);
    if (change && recorder_) recorder_(sql, *change);
  });
  if (change) announce(*change);
  return change.has_value();
}

std::vector<std::string> TokenRepository::apply(const std::vector<TokenChange>& changes) {
  std::vector<RolloutTransition> revoked;
  database_.in_transaction([&](soci::session& sql) {
    for (const auto& change : changes) {
      switch (change.kind) {
        case TokenChange::Kind::enable:
        case TokenChange::Kind::disable: {
          const int active = change.kind == TokenChange::Kind::enable;
          sql << "UPDATE token SET active = :a WHERE serial = :s AND revoked = 0",
              soci::use(active), soci::use(change.serial);
          break;
        }
        case TokenChange::Kind::revoke:
          if (auto t = revoke_in(sql, database_.dialect(), change.serial, change.note)) {
            if (recorder_) recorder_(sql, *t);
            revoked.push_back(std::move(*t));
          }
          break;
        case TokenChange::Kind::set_info:
          set_info_in(sql, database_.dialect(), change.serial, change.key, change.value);
          break;
      }
    }
  });
  std::vector<std::string> serials;
  for (const auto& t : revoked) {
    announce(t);
    serials.push_back(t.serial);
  }
  return serials;
}

bool TokenRepository::apply_settings(const std::string& serial, const TokenSettings& settings) {
  return database_.in_transaction([&](soci::session& sql) {
    std::string info;
    soci::indicator found = soci::i_null;
    const std::string query =
        std::string("SELECT info FROM token WHERE serial = :s AND revoked = 0") +
        (database_.dialect() == Dialect::postgresql ? " FOR UPDATE" : "");
    sql << query, soci::use(serial), soci::into(info, found);
    if (found != soci::i_ok) return false;
    boost::system::error_code ec;
    auto parsed = boost::json::parse(info, ec);
    if (ec || !parsed.is_object()) parsed = boost::json::object();
    auto& entries = parsed.as_object();
    for (const auto& [key, value] : settings.info)
      if (value)
        entries[key] = *value;
      else
        entries.erase(key);
    const std::string updated = boost::json::serialize(parsed);
    sql << "UPDATE token SET info = :i WHERE serial = :s", soci::use(updated), soci::use(serial);
    const auto set = [&](const char* column, const auto& value) {
      if (!value) return;
      auto copy = *value;
      sql << "UPDATE token SET " << column << " = :v WHERE serial = :s", soci::use(copy),
          soci::use(serial);
    };
    set("description", settings.description);
    set("otplen", settings.otplen);
    set("count_window", settings.count_window);
    set("sync_window", settings.sync_window);
    set("maxfail", settings.maxfail);
    set("count_auth_max", settings.count_auth_max);
    set("count_auth_success_max", settings.count_auth_success_max);
    set("valid_from", settings.valid_from);
    set("valid_until", settings.valid_until);
    return true;
  });
}

bool TokenRepository::reset_failcount(const std::string& serial) {
  return update("UPDATE token SET failcount = 0 WHERE serial = :s AND revoked = 0", serial);
}

bool TokenRepository::set_pin_hash(const std::string& serial, const std::string& pin_hash) {
  return database_.write([&](soci::session& sql) {
    soci::statement st =
        (sql.prepare << "UPDATE token SET pin_hash = :p WHERE serial = :s AND revoked = 0",
         soci::use(pin_hash), soci::use(serial));
    return affected(st) == 1;
  });
}

bool TokenRepository::set_description(const std::string& serial, const std::string& description) {
  return database_.write([&](soci::session& sql) {
    soci::statement st =
        (sql.prepare << "UPDATE token SET description = :d WHERE serial = :s AND revoked = 0",
         soci::use(description), soci::use(serial));
    return affected(st) == 1;
  });
}

bool TokenRepository::change_rollout(const std::string& serial, const std::string& from,
                                     const std::string& to, const std::string& info,
                                     const TransitionNote& note) {
  auto change = transition(serial, from, to, note);
  const bool changed = database_.in_transaction([&](soci::session& sql) {
    soci::statement st = (sql.prepare << "UPDATE token SET rollout_state = :to, info = :i WHERE "
                                         "serial = :s AND rollout_state = :from AND revoked = 0",
                          soci::use(to), soci::use(info), soci::use(serial), soci::use(from));
    if (affected(st) != 1) return false;
    record(sql, change);
    if (recorder_) recorder_(sql, change);
    return true;
  });
  if (changed) announce(change);
  return changed;
}

bool TokenRepository::claim(const std::string& serial, const std::string& state,
                            const std::string& old_info, const std::string& new_info) {
  return database_.write([&](soci::session& sql) {
    soci::statement st =
        (sql.prepare << "UPDATE token SET info = :n WHERE serial = :s AND "
                        "rollout_state = :st AND info = :o AND revoked = 0",
         soci::use(new_info), soci::use(serial), soci::use(state), soci::use(old_info));
    return affected(st) == 1;
  });
}

std::vector<RolloutTransition> TokenRepository::transitions(const std::string& serial) {
  return database_.with_session([&](soci::session& sql) {
    std::vector<RolloutTransition> result;
    // Read into typed variables: SQLite reports the INTEGER id as a 32-bit column to soci::row.
    RolloutTransition t;
    t.serial = serial;
    soci::statement st =
        (sql.prepare << "SELECT id, from_state, to_state, time_us, actor, reason FROM "
                        "token_transition WHERE serial = :s ORDER BY id",
         soci::use(serial), soci::into(t.id), soci::into(t.from), soci::into(t.to),
         soci::into(t.time_us), soci::into(t.actor), soci::into(t.reason));
    st.execute();
    while (st.fetch()) result.push_back(t);
    return result;
  });
}

bool TokenRepository::assign(const std::string& serial, const std::string& user,
                             const std::string& resolver, const std::string& realm,
                             const std::string& pin_hash, std::optional<long long> max_owned) {
  return database_.in_transaction([&](soci::session& sql) {
    if (max_owned) require_room(sql, database_.dialect(), resolver, user, *max_owned);
    soci::statement st =
        (sql.prepare << "UPDATE token SET owner_user = :u, owner_resolver = :res, owner_realm = "
                        ":rl, pin_hash = :p WHERE serial = :s AND owner_user = '' AND revoked = 0",
         soci::use(user), soci::use(resolver), soci::use(realm), soci::use(pin_hash),
         soci::use(serial));
    return affected(st) == 1;
  });
}

bool TokenRepository::unassign(const std::string& serial) {
  return update(
      "UPDATE token SET owner_user = '', owner_resolver = '', owner_realm = '', pin_hash = '' "
      "WHERE serial = :s AND owner_user <> '' AND revoked = 0",
      serial);
}

bool TokenRepository::remove(const std::string& serial) {
  return database_.in_transaction([&](soci::session& sql) {
    soci::statement st = (sql.prepare << "DELETE FROM token WHERE serial = :s", soci::use(serial));
    if (affected(st) != 1) return false;
    // What belonged to this token must not pass to a later token with the same serial: its
    // challenges, its history, and its certificates (which stay on record, owned by nobody).
    sql << "DELETE FROM challenge WHERE serial = :s", soci::use(serial);
    sql << "DELETE FROM token_transition WHERE serial = :s", soci::use(serial);
    sql << "DELETE FROM token_tokengroup WHERE serial = :s", soci::use(serial);
    sql << "DELETE FROM machine_token WHERE serial = :s", soci::use(serial);
    sql << "UPDATE certificate SET token_serial = '' WHERE token_serial = :s", soci::use(serial);
    return true;
  });
}

void TokenRepository::add_challenge(const std::string& transaction_id, const std::string& serial,
                                    long long expires_at) {
  database_.write([&](soci::session& sql) {
    sql << "INSERT INTO challenge (transaction_id, serial, expires_at) VALUES (:t, :s, :e)",
        soci::use(transaction_id), soci::use(serial), soci::use(expires_at);
  });
}

std::vector<std::string> TokenRepository::open_challenges(const std::string& transaction_id,
                                                          long long now) {
  return database_.with_session([&](soci::session& sql) {
    std::vector<std::string> serials;
    soci::rowset<std::string> rows =
        (sql.prepare << "SELECT serial FROM challenge WHERE transaction_id = :t AND expires_at > "
                        ":now ORDER BY serial",
         soci::use(transaction_id), soci::use(now));
    for (const auto& s : rows) serials.push_back(s);
    return serials;
  });
}

std::vector<ChallengeRow> TokenRepository::challenges(const std::string& serial,
                                                      const std::string& transaction_id,
                                                      long long now, int page, int page_size,
                                                      long long& count) {
  return database_.with_session([&](soci::session& sql) {
    const std::string where =
        " FROM challenge WHERE expires_at > :now AND (:s1 = '' OR serial = :s2) AND "
        "(:t1 = '' OR transaction_id = :t2)";
    sql << "SELECT COUNT(*)" << where, soci::use(now), soci::use(serial), soci::use(serial),
        soci::use(transaction_id), soci::use(transaction_id), soci::into(count);
    const int offset = (page - 1) * page_size;
    std::vector<ChallengeRow> found;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT transaction_id, serial, expires_at" << where
                     << " ORDER BY expires_at, serial LIMIT :n OFFSET :o",
         soci::use(now), soci::use(serial), soci::use(serial), soci::use(transaction_id),
         soci::use(transaction_id), soci::use(page_size), soci::use(offset));
    for (const auto& r : rows)
      found.push_back({r.get<std::string>(0), r.get<std::string>(1), r.get<long long>(2)});
    return found;
  });
}

void TokenRepository::close_challenges(const std::string& transaction_id, long long now) {
  // Expired challenges of any transaction go with it, so the table does not grow.
  database_.write([&](soci::session& sql) {
    sql << "DELETE FROM challenge WHERE transaction_id = :t OR expires_at <= :now",
        soci::use(transaction_id), soci::use(now);
  });
}

}  // namespace tessera::db
