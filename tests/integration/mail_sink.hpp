// An SMTP sink for tests: aiosmtpd on a free loopback port, delivering into a Maildir whose
// mails the test reads.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "tests/integration/token_fixture.hpp"

namespace tessera::testing {

inline int free_port() {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(s, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t size = sizeof address;
  getsockname(s, reinterpret_cast<sockaddr*>(&address), &size);
  close(s);
  return ntohs(address.sin_port);
}

// The mails an aiosmtpd Maildir holds, oldest first.
inline std::vector<std::string> mails_in(const std::filesystem::path& maildir) {
  std::vector<std::pair<std::filesystem::file_time_type, std::string>> found;
  if (std::filesystem::exists(maildir / "new"))
    for (const auto& entry : std::filesystem::directory_iterator(maildir / "new"))
      found.emplace_back(entry.last_write_time(), read_file(entry.path()));
  std::sort(found.begin(), found.end());
  std::vector<std::string> mails;
  for (auto& [_, text] : found) mails.push_back(std::move(text));
  return mails;
}

}  // namespace tessera::testing
