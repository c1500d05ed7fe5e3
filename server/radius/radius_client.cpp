#include "server/radius/radius_client.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "server/crypto/random.hpp"

namespace tessera::radius {
namespace {

struct Socket {
  int fd = -1;
  ~Socket() {
    if (fd >= 0) ::close(fd);
  }
};

// A connected UDP socket to the first address of host that accepts one.
void connect_to(Socket& socket, const ServerAddress& server) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_flags = AI_ADDRCONFIG;
  addrinfo* found = nullptr;
  const auto port = std::to_string(server.port);
  if (const int rc = ::getaddrinfo(server.host.c_str(), port.c_str(), &hints, &found); rc != 0)
    throw Unreachable("RADIUS server " + server.host + " does not resolve: " + gai_strerror(rc));
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, &::freeaddrinfo);
  for (auto* a = found; a; a = a->ai_next) {
    socket.fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (socket.fd < 0) continue;
    if (::connect(socket.fd, a->ai_addr, a->ai_addrlen) == 0) return;
    ::close(socket.fd);
    socket.fd = -1;
  }
  throw Unreachable("RADIUS server " + server.host + ":" + port + " cannot be reached");
}

}  // namespace

Reply send_access_request(const ServerAddress& server, const AccessRequest& request) {
  Authenticator authenticator{};
  crypto::random_fill(authenticator.data(), authenticator.size());
  uint8_t id = 0;
  crypto::random_fill(&id, 1);
  const auto packet = encode_access_request(request, id, authenticator, server.secret);

  Socket socket;
  connect_to(socket, server);
  std::string last_problem = "no answer";
  std::array<uint8_t, 4096> buffer{};
  const auto start = std::chrono::steady_clock::now();
  const auto end = server.budget.count() > 0 ? start + server.budget
                                             : start + server.timeout * (server.retries + 1);
  int attempt = 0;
  for (; attempt <= server.retries && std::chrono::steady_clock::now() < end; ++attempt) {
    if (::send(socket.fd, packet.data(), packet.size(), 0) < 0 && errno != ECONNREFUSED)
      last_problem = std::string("send failed: ") + std::strerror(errno);
    const auto deadline = std::min<std::chrono::steady_clock::time_point>(
        std::chrono::steady_clock::now() + server.timeout, end);
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd ready{socket.fd, POLLIN, 0};
      const int n = ::poll(&ready, 1, static_cast<int>(left.count()));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      const auto received = ::recv(socket.fd, buffer.data(), buffer.size(), 0);
      if (received < 0) {
        // ICMP port unreachable on a connected socket: nobody listens there (yet).
        if (errno == ECONNREFUSED) last_problem = "the port is closed";
        continue;
      }
      auto reply =
          decode_reply(std::span<const uint8_t>(buffer.data(), static_cast<size_t>(received)), id,
                       authenticator, server.secret);
      if (auto* answer = std::get_if<Reply>(&reply)) return *answer;
      last_problem = std::get<std::string>(reply);
    }
  }
  throw Unreachable("RADIUS server " + server.host + ":" + std::to_string(server.port) +
                    " did not answer in " + std::to_string(attempt) + " tries (" + last_problem +
                    ")");
}

}  // namespace tessera::radius
