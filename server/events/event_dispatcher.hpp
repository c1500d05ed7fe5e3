// Turns logged events into deliveries: for each event, the active handlers of its name and
// position in their order; for each token the event concerns (or once, without tokens), the
// handler's conditions; for each that holds, a delivery in the outbox with what the action
// needs: the event, template tags and the recipients resolved from the options "to"
// (tokenowner, logged_in_user: the acting user or admin, email, realm), "to_email" and
// "to_realm". Runs in the
// background; the request that caused the event never waits for it.
#pragma once

#include <string>

#include <boost/json/object.hpp>

#include "db/admin_repository.hpp"
#include "db/config_cache.hpp"
#include "db/event_repository.hpp"
#include "server/identity/user_directory.hpp"

namespace tessera::events {

class EventDispatcher {
 public:
  EventDispatcher(db::EventRepository& events, db::ConfigCache& config,
                  identity::UserDirectory& directory, db::AdminRepository& admins,
                  std::string public_url)
      : events_(events),
        config_(config),
        directory_(directory),
        admins_(admins),
        public_url_(std::move(public_url)) {}

  // Dispatches the waiting events; returns how many deliveries it queued.
  int run_once();

  // The tags of a template for this event and token (may be null).
  boost::json::object tags(const boost::json::object& event, const boost::json::object* token);

 private:
  int dispatch(const db::EventRow& event);
  boost::json::array recipients(const boost::json::object& options,
                                const boost::json::object& event, const boost::json::object* token);
  std::optional<db::UserRow> person(const std::string& username, const std::string& realm,
                                    const std::string& resolver);

  db::EventRepository& events_;
  db::ConfigCache& config_;
  identity::UserDirectory& directory_;
  db::AdminRepository& admins_;
  std::string public_url_;
};

}  // namespace tessera::events
