#include "server/app/import_command.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "db/identity_repository.hpp"
#include "server/app/first_start.hpp"
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

    auto config = load_config(config_file);
    spdlog::set_level(spdlog::level::warn);
    ensure_data_dir(config);
    auto secrets = crypto::SecretBox::load_or_create(config.encryption_key_file);
    auto database = open_database(config);
    const auto pin_key = load_server_key(*database, secrets, "token_pin_hmac");
    tokens::PinHasher pins(std::string(pin_key.begin(), pin_key.end()));
    db::IdentityRepository identities(*database);
    const auto owner_known = [&](const std::string& realm, const std::string& resolver,
                                 const std::string& user) {
      const auto in_realm = identities.realm(realm);
      if (!in_realm || std::find(in_realm->resolvers.begin(), in_realm->resolvers.end(),
                                 resolver) == in_realm->resolvers.end())
        return false;
      const auto row = identities.resolver(resolver);
      // A directory's users are looked up when they log in; the built-in store's must be there.
      return row && (row->type == "ldap" || identities.user(resolver, user).has_value());
    };
    const auto plan =
        migration::plan_token_import(found, {source_keys, secrets, pins, owner_known});

    const auto name = source_kind == "edumfa" ? "eduMFA" : "privacyIDEA";
    std::cout << name << " database " << source.display << ": " << found.size() << " tokens\n";
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
    std::cout << "Not imported by this version: realms, resolvers, policies, event handlers and CA "
                 "connectors (make realms and resolvers of the same names in Tessera first, so "
                 "that owners come over)\n";
    if (dry_run) {
      std::cout << "dry run: nothing was written; " << plan.tokens.size()
                << " tokens would be imported (those already here are left as they are), "
                << plan.skipped.size() << " cannot be" << std::endl;
      return 0;
    }
    const auto result = migration::write_token_import(*database, plan);
    if (result.written == 0)
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
