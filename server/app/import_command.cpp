#include "server/app/import_command.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <optional>
#include <set>
#include <tuple>

#include "db/identity_repository.hpp"
#include "db/policy_repository.hpp"
#include "server/app/first_start.hpp"
#include "server/migration/identity_import.hpp"
#include "server/migration/policy_import.hpp"
#include "server/migration/token_import.hpp"

namespace tessera::app {

int import_command(const std::string& config_file, const std::string& source_kind,
                   const std::string& source_url, const std::string& key_file, bool dry_run) {
  try {
    if (source_kind != "edumfa" && source_kind != "privacyidea")
      throw std::invalid_argument("import from edumfa or privacyidea, not '" + source_kind + "'");
    if (source_url.starts_with("mysql") || source_url.starts_with("mariadb"))
      throw std::invalid_argument(
          "MySQL and MariaDB cannot be read by this build (its SOCI has SQLite and PostgreSQL): "
          "copy the database to PostgreSQL or SQLite first");
    const auto source = db::parse_database_url(source_url, std::filesystem::current_path());
    const auto source_keys = migration::EduMfaSecrets::load(key_file);
    const auto found = migration::read_edumfa_tokens(source);
    const auto identities_found = migration::read_edumfa_identities(source);
    const auto policies_found = migration::read_edumfa_policies(source);

    auto config = load_config(config_file);
    spdlog::set_level(spdlog::level::warn);
    ensure_data_dir(config);
    auto secrets = crypto::SecretBox::load_or_create(config.encryption_key_file);
    auto database = open_database(config);
    const auto pin_key = load_server_key(*database, secrets, "token_pin_hmac");
    tokens::PinHasher pins(std::string(pin_key.begin(), pin_key.end()));
    db::IdentityRepository identities(*database);
    const auto identity_plan = migration::plan_identity_import(
        identities_found, source_keys, secrets,
        [&](const std::string& name) { return identities.resolver(name).has_value(); },
        [&](const std::string& name) { return identities.realm(name).has_value(); });
    const auto owner_name = [&](const std::string& realm, const std::string& resolver,
                                const std::string& id) -> std::optional<std::string> {
      // The realm must hold the resolver, as it comes over or as it is here already.
      bool held = false;
      for (const auto& coming : identity_plan.realms)
        if (coming.name == realm)
          for (const auto& [name, unused] : coming.resolvers) held |= name == resolver;
      if (const auto here = identities.realm(realm))
        held |= std::find(here->resolvers.begin(), here->resolvers.end(), resolver) !=
                here->resolvers.end();
      if (!held) return std::nullopt;
      if (auto naming = identity_plan.names.find(resolver); naming != identity_plan.names.end())
        return naming->second(id);
      const auto row = identities.resolver(resolver);
      if (!row) return std::nullopt;
      // A directory here names users by their login name; the built-in store must have them.
      if (row->type == "ldap" || identities.user(resolver, id)) return id;
      return std::nullopt;
    };
    const auto plan = migration::plan_token_import(found, {source_keys, secrets, pins, owner_name});
    std::set<std::string> policies_here;
    for (const auto& row : db::PolicyRepository(*database).all()) policies_here.insert(row.name);
    const auto policy_plan = migration::plan_policy_import(
        policies_found, [&](const std::string& name) { return policies_here.contains(name); });

    const auto name = source_kind == "edumfa" ? "eduMFA" : "privacyIDEA";
    std::cout << name << " database " << source.display << ": " << found.size() << " tokens\n";
    for (const auto& row : identity_plan.resolvers)
      std::cout << "  import resolver " << row.name << " (" << row.type << ")\n";
    for (const auto& realm : identity_plan.realms)
      std::cout << "  import realm " << realm.name << " (" << realm.resolvers.size() << " resolvers"
                << (realm.is_default ? ", eduMFA's default" : "") << ")\n";
    for (const auto& [which, note] : identity_plan.notes)
      std::cout << "  note   " << which << ": " << note << "\n";
    for (const auto& [which, why] : identity_plan.skipped)
      std::cout << "  skip   " << which << ": " << why << "\n";
    for (const auto& row : policy_plan.policies)
      std::cout << "  import policy " << row.name << " (" << row.scope << ": " << row.actions
                << ")\n";
    for (const auto& [which, note] : policy_plan.notes)
      std::cout << "  note   " << which << ": " << note << "\n";
    for (const auto& [which, why] : policy_plan.skipped)
      std::cout << "  skip   " << which << ": " << why << "\n";
    for (const auto& row : plan.tokens)
      std::cout << "  import " << row.serial << " (" << row.type
                << (row.owner_user.empty() ? std::string(", unassigned")
                                           : ", owner " + row.owner_user + " in " + row.owner_realm)
                << ", counter " << row.counter << ", fail counter " << row.failcount
                << (row.pin_hash.empty() ? ", no PIN" : ", PIN kept") << ")\n";
    for (const auto& [serial, note] : plan.notes)
      std::cout << "  note   " << serial << ": " << note << "\n";
    for (const auto& [serial, why] : plan.skipped)
      std::cout << "  skip   " << serial << ": " << why << "\n";
    std::cout << "Not imported by this version: event handlers and CA connectors\n";
    if (dry_run) {
      std::cout << "dry run: nothing was written; " << plan.tokens.size()
                << " tokens would be imported (those already here are left as they are), "
                << plan.skipped.size() << " cannot be" << std::endl;
      return 0;
    }
    // All of it in one transaction: on any error, nothing is written.
    int resolvers = 0, realms = 0, policies = 0;
    const auto result = database->in_transaction([&](soci::session& sql) {
      std::tie(resolvers, realms) =
          migration::write_identity_import(sql, database->dialect(), identity_plan);
      policies = migration::write_policy_import(sql, policy_plan);
      return migration::write_token_import(sql, plan);
    });
    if (resolvers + realms + policies > 0)
      std::cout << "imported " << resolvers << " resolvers, " << realms << " realms and "
                << policies << " policies\n";
    if (result.written == 0 && resolvers + realms + policies == 0)
      std::cout << "nothing to do: " << result.already_there
                << " importable tokens are here already (left as they are), " << plan.skipped.size()
                << " cannot be imported" << std::endl;
    else
      std::cout << "imported " << result.written << " tokens; " << result.already_there
                << " were here already (left as they are); " << plan.skipped.size()
                << " cannot be imported" << std::endl;
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "tessera-server: import failed, nothing was written: " << e.what() << std::endl;
    return 1;
  }
}

}  // namespace tessera::app
