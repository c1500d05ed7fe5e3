// Administrator accounts from the command line, on the configured database.
#include "server/app/admin_command.hpp"

#include <iostream>
#include <regex>

#include <openssl/crypto.h>
#include <termios.h>
#include <unistd.h>

#include "db/admin_repository.hpp"
#include "server/app/first_start.hpp"
#include "server/crypto/password_hash.hpp"

namespace tessera::app {
namespace {

constexpr size_t kMinPasswordLength = 8;

std::string read_line(bool echo) {
  termios saved{};
  const bool terminal = ::isatty(STDIN_FILENO) && ::tcgetattr(STDIN_FILENO, &saved) == 0;
  if (terminal && !echo) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (terminal && !echo) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cerr << "\n";
  }
  return line;
}

// Asks twice on a terminal; reads one line from a pipe.
std::string read_new_password() {
  const bool terminal = ::isatty(STDIN_FILENO);
  if (terminal) std::cerr << "New password: ";
  auto password = read_line(false);
  if (terminal) {
    std::cerr << "Repeat it: ";
    auto again = read_line(false);
    const bool same = again == password;
    OPENSSL_cleanse(again.data(), again.size());
    if (!same) throw std::invalid_argument("the passwords differ");
  }
  if (password.size() < kMinPasswordLength)
    throw std::invalid_argument("the password needs at least " +
                                std::to_string(kMinPasswordLength) + " characters");
  return password;
}

}  // namespace

int admin_command(const std::string& config_file, const std::string& action,
                  const std::string& username, const std::string& value) {
  try {
    auto config = load_config(config_file);
    ensure_data_dir(config);
    auto database = open_database(config);
    db::AdminRepository admins(*database);
    if (action == "list") {
      for (const auto& name : admins.usernames()) std::cout << name << "\n";
      return 0;
    }
    if (username.empty() || username.size() > 64)
      throw std::invalid_argument("give the admin's name (at most 64 characters)");
    if (action == "delete") {
      if (!admins.remove(username))
        throw std::invalid_argument("no admin named '" + username + "'");
      std::cout << "deleted admin '" << username << "'\n";
      return 0;
    }
    if (action == "email") {
      // Where event mails to the acting admin go (handler option to=logged_in_user).
      static const std::regex address(R"(^[^@\s<>,;"]{1,64}@[A-Za-z0-9.\-]{1,253}$)");
      if (!value.empty() && !std::regex_match(value, address))
        throw std::invalid_argument("'" + value + "' is not an e-mail address");
      if (!admins.set_email(username, value))
        throw std::invalid_argument("no admin named '" + username + "'");
      std::cout << "set the e-mail address of admin '" << username << "'\n";
      return 0;
    }
    if (action != "add" && action != "passwd")
      throw std::invalid_argument("unknown action '" + action +
                                  "' (add, passwd, email, list, delete)");
    auto password = read_new_password();
    auto hash = crypto::hash_password(password);
    OPENSSL_cleanse(password.data(), password.size());
    if (action == "add" && !admins.add(username, hash))
      throw std::invalid_argument("an admin named '" + username + "' exists already");
    if (action == "passwd" && !admins.set_password_hash(username, hash))
      throw std::invalid_argument("no admin named '" + username + "'");
    std::cout << (action == "add" ? "added admin '" : "changed the password of admin '") << username
              << "'\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "tessera-server admin " << action << ": " << e.what() << std::endl;
    return 1;
  }
}

}  // namespace tessera::app
