// Sends the message of a token type's challenge (an e-mail or SMS code) to the token's owner,
// through the notification action that the authentication policy challenge_notification
// names. It goes at once, within the request, and is never stored: the code is a secret, and
// a code delivered after its challenge expired would be of no use, so the outbox's durable
// retries are not for it.
#pragma once

#include <string>

#include "db/token_repository.hpp"
#include "server/identity/user_directory.hpp"
#include "server/plugins/configured_components.hpp"

namespace tessera::events {

class ChallengeDelivery {
 public:
  ChallengeDelivery(plugins::ConfiguredComponents& notifiers, identity::UserDirectory& directory)
      : notifiers_(notifiers), directory_(directory) {}

  // Throws std::runtime_error with a reason fit for the log (no code in it) when the message
  // cannot go: no such notification action, no owner or address, the action failed.
  void send(const db::TokenRow& token, const std::string& notifier, const std::string& subject,
            const std::string& body) const;

 private:
  plugins::ConfiguredComponents& notifiers_;
  identity::UserDirectory& directory_;
};

}  // namespace tessera::events
