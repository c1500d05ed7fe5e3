// How many connections the server can hold, and how many one client address may: a slow or
// hostile client must not take every file descriptor (the next login would wait for nothing).
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace tessera::http {

// Raises the soft limit on open files to the hard limit (the common soft limit of 1024 runs out
// long before the hard one). Returns the limit now in force.
size_t raise_open_file_limit();

// Counts open connections per client address. A Slot is held for as long as its connection
// lives; releasing the last one forgets the address.
class ConnectionLimiter {
 public:
  explicit ConnectionLimiter(size_t per_client) : per_client_(per_client) {}

  class Slot {
   public:
    Slot(ConnectionLimiter& limiter, std::string address);
    ~Slot();
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;

   private:
    ConnectionLimiter& limiter_;
    std::string address_;
  };

  // A slot for a new connection from address, or null when it has per_client open already.
  std::unique_ptr<Slot> admit(const std::string& address);
  size_t per_client() const { return per_client_; }

 private:
  size_t per_client_;
  std::mutex mutex_;
  std::map<std::string, size_t> open_;
};

}  // namespace tessera::http
