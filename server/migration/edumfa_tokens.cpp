#include "server/migration/edumfa_tokens.hpp"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <stdexcept>

namespace tessera::migration {
namespace {

std::string text(const soci::row& row, size_t i) {
  return row.get_indicator(i) == soci::i_null ? std::string() : row.get<std::string>(i);
}

long long number(const soci::row& row, size_t i, long long otherwise) {
  if (row.get_indicator(i) == soci::i_null) return otherwise;
  switch (row.get_properties(i).get_data_type()) {
    case soci::dt_integer:
      return row.get<int>(i);
    case soci::dt_long_long:
      return row.get<long long>(i);
    case soci::dt_unsigned_long_long:
      return static_cast<long long>(row.get<unsigned long long>(i));
    case soci::dt_double:
      return static_cast<long long>(row.get<double>(i));
    case soci::dt_string:
      return std::stoll(row.get<std::string>(i));
    default:
      return otherwise;
  }
}

}  // namespace

std::vector<EduMfaToken> read_edumfa_tokens(const db::DatabaseUrl& source) {
  soci::session sql;
  if (source.dialect == db::Dialect::sqlite) {
    if (!std::filesystem::exists(source.sqlite_path))
      throw std::runtime_error("no database file " + source.sqlite_path.string());
    sql.open(*soci::factory_sqlite3(), source.connect_string);
  } else {
    sql.open(*soci::factory_postgresql(), source.connect_string);
  }
  std::vector<EduMfaToken> tokens;
  std::map<long long, size_t> by_id;
  try {
    soci::rowset<soci::row> rows =
        sql.prepare << "SELECT id, serial, tokentype, description, key_enc, key_iv, pin_hash, "
                       "otplen, maxfail, failcount, count, count_window, sync_window, active, "
                       "revoked, locked, rollout_state FROM token ORDER BY serial";
    for (const auto& r : rows) {
      EduMfaToken t;
      t.serial = text(r, 1);
      t.type = text(r, 2);
      t.description = text(r, 3);
      t.key_enc = text(r, 4);
      t.key_iv = text(r, 5);
      t.pin_hash = text(r, 6);
      t.otplen = static_cast<int>(number(r, 7, 6));
      t.maxfail = static_cast<int>(number(r, 8, 10));
      t.failcount = static_cast<int>(number(r, 9, 0));
      t.count = number(r, 10, 0);
      t.count_window = static_cast<int>(number(r, 11, 10));
      t.sync_window = static_cast<int>(number(r, 12, 1000));
      t.active = number(r, 13, 1) != 0;
      t.revoked = number(r, 14, 0) != 0;
      t.locked = number(r, 15, 0) != 0;
      t.rollout_state = text(r, 16);
      by_id[number(r, 0, 0)] = tokens.size();
      tokens.push_back(std::move(t));
    }
    soci::rowset<soci::row> info =
        sql.prepare << "SELECT token_id, \"Key\", \"Value\", \"Type\" FROM tokeninfo";
    for (const auto& r : info) {
      auto it = by_id.find(number(r, 0, 0));
      // A value of Type password is encrypted: not token information to carry over as text.
      if (it == by_id.end()) continue;
      if (text(r, 3) == "password")
        tokens[it->second].secret_info.push_back(text(r, 1));
      else
        tokens[it->second].info[text(r, 1)] = text(r, 2);
    }
    soci::rowset<soci::row> owners =
        sql.prepare << "SELECT o.token_id, o.user_id, o.resolver, r.name FROM tokenowner o "
                       "LEFT JOIN realm r ON r.id = o.realm_id ORDER BY o.id";
    for (const auto& r : owners) {
      auto it = by_id.find(number(r, 0, 0));
      if (it == by_id.end() || !tokens[it->second].owner_id.empty()) continue;
      tokens[it->second].owner_id = text(r, 1);
      tokens[it->second].owner_resolver = text(r, 2);
      tokens[it->second].owner_realm = text(r, 3);
    }
  } catch (const soci::soci_error& e) {
    throw std::runtime_error(
        "not an eduMFA or privacyIDEA database (the tables token, tokeninfo, tokenowner and "
        "realm are read): " +
        std::string(e.get_error_message()));
  }
  return tokens;
}

}  // namespace tessera::migration
