// The RADIUS servers admins define (eduMFA's /radiusserver/): kept with the shared secret sealed,
// and what sends a request to one by name, for radius tokens (through the host API) and for the
// admin's test request.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "db/radius_server_repository.hpp"
#include "server/crypto/secret_box.hpp"
#include "server/radius/radius_client.hpp"

namespace tessera::radius {

struct RadiusServerDefinition {
  std::string name;
  ServerAddress address;
  std::string description;
};

class UnknownServer : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

class RadiusServers {
 public:
  RadiusServers(db::RadiusServerRepository& rows, const crypto::SecretBox& secrets)
      : rows_(rows), secrets_(secrets) {}

  // Every definition, without its secret.
  std::vector<RadiusServerDefinition> list();
  void save(const RadiusServerDefinition& definition);
  bool remove(const std::string& name);
  // Throws UnknownServer, Unreachable, or std::invalid_argument (see send_access_request).
  // budget: the longest the exchange may take (0: the definition's timeout and tries).
  Reply send(const std::string& name, const AccessRequest& request,
             std::chrono::milliseconds budget = {});

 private:
  db::RadiusServerRepository& rows_;
  const crypto::SecretBox& secrets_;
};

// Why a definition cannot be kept (a name, host, port, timeout or retries out of bounds), or
// nothing.
std::optional<std::string> definition_problem(const RadiusServerDefinition& definition);

}  // namespace tessera::radius
