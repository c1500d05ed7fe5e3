// tessera-server import edumfa|privacyidea: brings the LDAP resolvers, realms, policies and
// tokens of an eduMFA or privacyIDEA database over (see migration/), with a dry run that shows
// what it would do.
#pragma once

#include <string>

namespace tessera::app {

int import_command(const std::string& config_file, const std::string& source_kind,
                   const std::string& source_url, const std::string& key_file, bool dry_run);

}  // namespace tessera::app
