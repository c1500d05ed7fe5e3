// eduMFA's /client/: the applications that check factors, from their User-Agent
// (client_api.cpp).
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "db/client_application_repository.hpp"
#include "server/api/access_control.hpp"
#include "server/http/http_message.hpp"
#include "server/http/router.hpp"

namespace tessera::api {

// Collects in memory who checked (client address, the product of the User-Agent) and writes
// it now and then: a check costs no database write for this.
class ClientApplications {
 public:
  ClientApplications(db::ClientApplicationRepository& repository, std::string node)
      : repository_(repository), node_(std::move(node)) {}

  // A request to /validate/...: remembered (at most 10,000 different ones between writes).
  void seen(const http::HttpRequest& request);
  // Writes what was seen since the last write.
  void flush();

 private:
  db::ClientApplicationRepository& repository_;
  std::string node_;
  std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, long long> pending_;
};

void add_client_routes(http::Router& router, ClientApplications& clients,
                       db::ClientApplicationRepository& repository, const AccessControl& access);

}  // namespace tessera::api
