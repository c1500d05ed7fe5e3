#include "server/http/connection_limits.hpp"

#include <sys/resource.h>

namespace tessera::http {

size_t raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur == RLIM_INFINITY ? SIZE_MAX : static_cast<size_t>(limit.rlim_cur);
}

ConnectionLimiter::Slot::Slot(ConnectionLimiter& limiter, std::string address)
    : limiter_(limiter), address_(std::move(address)) {}

ConnectionLimiter::Slot::~Slot() {
  std::lock_guard lock(limiter_.mutex_);
  auto it = limiter_.open_.find(address_);
  if (it != limiter_.open_.end() && --it->second == 0) limiter_.open_.erase(it);
}

std::unique_ptr<ConnectionLimiter::Slot> ConnectionLimiter::admit(const std::string& address) {
  {
    std::lock_guard lock(mutex_);
    auto& open = open_[address];
    if (open >= per_client_) return nullptr;
    ++open;
  }
  return std::make_unique<Slot>(*this, address);
}

}  // namespace tessera::http
