#include "server/api/client_api.hpp"

#include <boost/json.hpp>

#include "server/api/envelope.hpp"
#include "server/util/clock.hpp"

namespace tessera::api {
namespace {

// "privacyIDEA-LDAP-Proxy/1.2 (x)" -> "privacyIDEA-LDAP-Proxy": the product, letters, digits
// and ._- only, at most 64 characters.
std::string client_type(std::string_view agent) {
  std::string type;
  for (const char c : agent) {
    if (c == '/' || c == ' ' || type.size() == 64) break;
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-') type += c;
  }
  return type.empty() ? "unknown" : type;
}

}  // namespace

void ClientApplications::seen(const http::HttpRequest& request) {
  const auto now = util::unix_seconds();
  std::lock_guard lock(mutex_);
  const auto key =
      std::make_pair(request.remote_address, client_type(request.header("user-agent")));
  if (pending_.size() >= 10000 && !pending_.count(key)) return;
  pending_[key] = now;
}

void ClientApplications::flush() {
  std::vector<db::ClientApplicationRow> rows;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, last] : pending_) rows.push_back({key.first, key.second, node_, last});
    pending_.clear();
  }
  repository_.record(rows);
}

void add_client_routes(http::Router& router, ClientApplications& clients,
                       db::ClientApplicationRepository& repository, const AccessControl& access) {
  router.add(
      "GET", "/client/",
      [&clients, &repository, &access](http::RequestContext& c) {
        access.require_admin(c, "clienttype");
        clients.flush();  // this node's latest too
        boost::json::object by_type;
        for (const auto& row : repository.all()) {
          auto& list = by_type[row.client_type];
          if (!list.is_array()) list = boost::json::array();
          list.as_array().push_back({{"ip", row.ip},
                                     {"hostname", nullptr},
                                     {"lastseen", row.last_seen},
                                     {"node", row.node}});
        }
        return json_result(by_type);
      },
      http::Access::authenticated);
}

}  // namespace tessera::api
