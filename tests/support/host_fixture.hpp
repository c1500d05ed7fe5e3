// The host side for in-process plugin tests: a real SQLite database in a temporary folder, a
// fresh encryption key, and the host services built on them.
#pragma once

#include <filesystem>
#include <memory>

#include <gtest/gtest.h>

#include "db/database.hpp"
#include "db/migrator.hpp"
#include "db/plugin_store_repository.hpp"
#include "server/crypto/secret_box.hpp"
#include "server/plugins/plugin_registry.hpp"
#include "tests/support/server_process.hpp"

namespace tessera::testing {

class HostFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir("tessera-host");
    database_ = std::make_unique<db::Database>(
        db::parse_database_url("sqlite://" + (dir_ / "t.db").string(), dir_), 2);
    db::migrate(*database_);
    secrets_ = std::make_unique<crypto::SecretBox>(crypto::SecretBox::load_or_create(dir_ / "key"));
    store_ = std::make_unique<db::PluginStoreRepository>(*database_);
    services_.store = store_.get();
    services_.secrets = secrets_.get();
    services_.http_allowed_networks = {"127.0.0.0/8"};  // the tests' receivers
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
  std::unique_ptr<db::Database> database_;
  std::unique_ptr<crypto::SecretBox> secrets_;
  std::unique_ptr<db::PluginStoreRepository> store_;
  plugins::HostServices services_;
};

}  // namespace tessera::testing
