#include "server/migration/edumfa_identities.hpp"

#include "server/migration/source_rows.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <stdexcept>

namespace tessera::migration {

EduMfaIdentities read_edumfa_identities(const db::DatabaseUrl& source) {
  soci::session sql;
  open_source(sql, source);
  EduMfaIdentities found;
  try {
    std::map<long long, size_t> resolver_at;
    soci::rowset<soci::row> resolvers = sql.prepare
                                        << "SELECT id, name, rtype FROM resolver ORDER BY name";
    for (const auto& r : resolvers) {
      resolver_at[number_at(r, 0)] = found.resolvers.size();
      found.resolvers.push_back({text_at(r, 1), text_at(r, 2), {}, {}});
    }
    soci::rowset<soci::row> config =
        sql.prepare << "SELECT resolver_id, \"Key\", \"Value\", \"Type\" FROM resolverconfig";
    for (const auto& r : config)
      if (auto it = resolver_at.find(number_at(r, 0)); it != resolver_at.end()) {
        found.resolvers[it->second].config[text_at(r, 1)] = text_at(r, 2);
        found.resolvers[it->second].types[text_at(r, 1)] = text_at(r, 3);
      }
    std::map<long long, size_t> realm_at;
    soci::rowset<soci::row> realms = sql.prepare
                                     << "SELECT id, name, \"default\" FROM realm ORDER BY name";
    for (const auto& r : realms) {
      realm_at[number_at(r, 0)] = found.realms.size();
      found.realms.push_back({text_at(r, 1), number_at(r, 2) != 0, {}});
    }
    soci::rowset<soci::row> members =
        sql.prepare << "SELECT rr.realm_id, s.name, rr.priority FROM resolverrealm rr JOIN "
                       "resolver s ON s.id = rr.resolver_id";
    for (const auto& r : members)
      if (auto it = realm_at.find(number_at(r, 0)); it != realm_at.end())
        found.realms[it->second].resolvers.emplace_back(text_at(r, 1),
                                                        static_cast<int>(number_at(r, 2)));
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
