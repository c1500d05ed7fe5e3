#include "server/migration/edumfa_tokens.hpp"

#include "server/migration/source_rows.hpp"

#include <soci/soci.h>

#include <stdexcept>

namespace tessera::migration {

std::vector<EduMfaToken> read_edumfa_tokens(const db::DatabaseUrl& source) {
  soci::session sql;
  open_source(sql, source);
  std::vector<EduMfaToken> tokens;
  std::map<long long, size_t> by_id;
  try {
    soci::rowset<soci::row> rows =
        sql.prepare << "SELECT id, serial, tokentype, description, key_enc, key_iv, pin_hash, "
                       "otplen, maxfail, failcount, count, count_window, sync_window, active, "
                       "revoked, locked, rollout_state FROM token ORDER BY serial";
    for (const auto& r : rows) {
      EduMfaToken t;
      t.serial = text_at(r, 1);
      t.type = text_at(r, 2);
      t.description = text_at(r, 3);
      t.key_enc = text_at(r, 4);
      t.key_iv = text_at(r, 5);
      t.pin_hash = text_at(r, 6);
      t.otplen = static_cast<int>(number_at(r, 7, 6));
      t.maxfail = static_cast<int>(number_at(r, 8, 10));
      t.failcount = static_cast<int>(number_at(r, 9, 0));
      t.count = number_at(r, 10, 0);
      t.count_window = static_cast<int>(number_at(r, 11, 10));
      t.sync_window = static_cast<int>(number_at(r, 12, 1000));
      t.active = number_at(r, 13, 1) != 0;
      t.revoked = number_at(r, 14, 0) != 0;
      t.locked = number_at(r, 15, 0) != 0;
      t.rollout_state = text_at(r, 16);
      by_id[number_at(r, 0, 0)] = tokens.size();
      tokens.push_back(std::move(t));
    }
    soci::rowset<soci::row> info =
        sql.prepare << "SELECT token_id, \"Key\", \"Value\", \"Type\" FROM tokeninfo";
    for (const auto& r : info) {
      auto it = by_id.find(number_at(r, 0, 0));
      // A value of Type password is encrypted: not token information to carry over as text.
      if (it == by_id.end()) continue;
      if (text_at(r, 3) == "password")
        tokens[it->second].secret_info.push_back(text_at(r, 1));
      else
        tokens[it->second].info[text_at(r, 1)] = text_at(r, 2);
    }
    soci::rowset<soci::row> owners =
        sql.prepare << "SELECT o.token_id, o.user_id, o.resolver, r.name FROM tokenowner o "
                       "LEFT JOIN realm r ON r.id = o.realm_id ORDER BY o.id";
    for (const auto& r : owners) {
      auto it = by_id.find(number_at(r, 0, 0));
      if (it == by_id.end() || !tokens[it->second].owner_id.empty()) continue;
      tokens[it->second].owner_id = text_at(r, 1);
      tokens[it->second].owner_resolver = text_at(r, 2);
      tokens[it->second].owner_realm = text_at(r, 3);
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
