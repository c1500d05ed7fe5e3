#include "server/migration/edumfa_identities.hpp"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <algorithm>
#include <stdexcept>

namespace tessera::migration {
namespace {

std::string text(const soci::row& row, size_t i) {
  return row.get_indicator(i) == soci::i_null ? std::string() : row.get<std::string>(i);
}

long long number(const soci::row& row, size_t i) {
  if (row.get_indicator(i) == soci::i_null) return 0;
  switch (row.get_properties(i).get_data_type()) {
    case soci::dt_integer:
      return row.get<int>(i);
    case soci::dt_long_long:
      return row.get<long long>(i);
    case soci::dt_string: {
      const auto value = row.get<std::string>(i);
      return value == "t" || value == "true" ? 1 : std::atoll(value.c_str());
    }
    default:
      return 0;
  }
}

}  // namespace

EduMfaIdentities read_edumfa_identities(const db::DatabaseUrl& source) {
  soci::session sql;
  if (source.dialect == db::Dialect::sqlite)
    sql.open(*soci::factory_sqlite3(), source.connect_string);
  else
    sql.open(*soci::factory_postgresql(), source.connect_string);
  EduMfaIdentities found;
  try {
    std::map<long long, size_t> resolver_at;
    soci::rowset<soci::row> resolvers = sql.prepare
                                        << "SELECT id, name, rtype FROM resolver ORDER BY name";
    for (const auto& r : resolvers) {
      resolver_at[number(r, 0)] = found.resolvers.size();
      found.resolvers.push_back({text(r, 1), text(r, 2), {}, {}});
    }
    soci::rowset<soci::row> config =
        sql.prepare << "SELECT resolver_id, \"Key\", \"Value\", \"Type\" FROM resolverconfig";
    for (const auto& r : config)
      if (auto it = resolver_at.find(number(r, 0)); it != resolver_at.end()) {
        found.resolvers[it->second].config[text(r, 1)] = text(r, 2);
        found.resolvers[it->second].types[text(r, 1)] = text(r, 3);
      }
    std::map<long long, size_t> realm_at;
    soci::rowset<soci::row> realms = sql.prepare
                                     << "SELECT id, name, \"default\" FROM realm ORDER BY name";
    for (const auto& r : realms) {
      realm_at[number(r, 0)] = found.realms.size();
      found.realms.push_back({text(r, 1), number(r, 2) != 0, {}});
    }
    soci::rowset<soci::row> members =
        sql.prepare << "SELECT rr.realm_id, s.name, rr.priority FROM resolverrealm rr JOIN "
                       "resolver s ON s.id = rr.resolver_id";
    for (const auto& r : members)
      if (auto it = realm_at.find(number(r, 0)); it != realm_at.end())
        found.realms[it->second].resolvers.emplace_back(text(r, 1), static_cast<int>(number(r, 2)));
    for (auto& realm : found.realms)
      std::stable_sort(realm.resolvers.begin(), realm.resolvers.end(),
                       [](const auto& a, const auto& b) { return a.second < b.second; });
  } catch (const soci::soci_error& e) {
    throw std::runtime_error(
        "not an eduMFA or privacyIDEA database (the tables resolver, resolverconfig, realm and "
        "resolverrealm are read): " +
        std::string(e.get_error_message()));
  }
  return found;
}

}  // namespace tessera::migration
