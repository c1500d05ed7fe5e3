// The throwaway PostgreSQL cluster that ctest's "postgres" fixture runs (postgres.sh).
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>

namespace tessera::testing {

inline std::string postgres_port() {
  std::ifstream in(std::string(TESSERA_POSTGRES_DIR) + "/port");
  std::string port;
  std::getline(in, port);
  return port;
}

// A fresh, empty PostgreSQL database for one test.
// name_<pid>: ctest runs each test in its own process, so tests of one fixture that run at the
// same time (ctest -j) never share a database.
inline std::string fresh_postgres_database(const std::string& base_name) {
  const auto name = base_name + "_" + std::to_string(getpid());
  const auto port = postgres_port();
  if (port.empty()) throw std::runtime_error("the PostgreSQL fixture is not running");
  const std::string psql = "psql -h 127.0.0.1 -p " + port + " -U postgres -qc ";
  std::system((psql + "'DROP DATABASE IF EXISTS " + name + "' > /dev/null").c_str());
  if (std::system((psql + "'CREATE DATABASE " + name + "' > /dev/null").c_str()) != 0)
    throw std::runtime_error("CREATE DATABASE failed");
  return "postgresql://postgres@127.0.0.1:" + port + "/" + name;
}

}  // namespace tessera::testing
