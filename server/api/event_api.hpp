// /event/ in eduMFA's shapes (handlers: list, available events, handler modules with their
// actions and conditions, create or update, enable, disable, delete), the outbox of
// deliveries (list, retry), and /notifier/: the configured notification actions that handlers
// use as their handler module (an SMTP server, a webhook endpoint, token actions).
#pragma once

#include "db/event_handler_repository.hpp"
#include "db/event_repository.hpp"
#include "server/api/access_control.hpp"
#include "server/http/router.hpp"
#include "server/plugins/configured_components.hpp"

namespace tessera::api {

void add_event_routes(http::Router& router, db::EventHandlerRepository& handlers,
                      db::EventRepository& events, plugins::ConfiguredComponents& notifiers,
                      const AccessControl& access);

}  // namespace tessera::api
