// A running server with the bundled token plugins, a realm "corp" with users alice and bob, and
// helpers for the token and validate endpoints, shared by the OTP suites.
#pragma once

#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "tests/support/server_process.hpp"
#include "tests/support/test_http_client.hpp"

namespace tessera::testing {

inline const char* kForm = "application/x-www-form-urlencoded";

// The RFC 4226 / RFC 6238 seeds, in hex.
inline const std::string kSeed20 = "3132333435363738393031323334353637383930";
inline const std::string kSeed32 = kSeed20 + "313233343536373839303132";
inline const std::string kSeed64 = kSeed20 + kSeed20 + kSeed20 + "31323334";

inline boost::json::object json_of(const TestResponse& r) {
  boost::system::error_code ec;
  auto value = boost::json::parse(r.body, ec);
  if (ec || !value.is_object()) return {};
  return value.as_object();
}

// The standard output of a shell command (for oathtool), without the trailing newline.
inline std::string shell_output(const std::string& command) {
  std::string out;
  std::unique_ptr<FILE, decltype(&pclose)> pipe(popen(command.c_str(), "r"), &pclose);
  if (!pipe) return out;
  std::array<char, 256> buffer;
  while (fgets(buffer.data(), buffer.size(), pipe.get())) out += buffer.data();
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void write_file(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// Polls done() every 100 ms until it holds or the time is up; its last answer.
inline bool eventually(const std::function<bool()>& done, int seconds = 20) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return done();
}

struct Check {
  bool value = false;
  std::string authentication;
  std::string message;
  std::string transaction_id;
  long status = 0;
};

class TokenApi {
 public:
  // ca_file: the server's TLS certificate to trust, for https URLs.
  explicit TokenApi(std::string url, std::string ca_file = "")
      : url_(std::move(url)), ca_file_(std::move(ca_file)) {}

  // A client that trusts the server (each request gets its own).
  std::unique_ptr<TestHttpClient> client() const {
    auto made = std::make_unique<TestHttpClient>();
    if (!ca_file_.empty()) made->trust(ca_file_);
    return made;
  }

  std::string login(const std::string& user, const std::string& password,
                    const std::string& realm = "") {
    auto r = client()->post(
        url_ + "/auth",
        "username=" + user + "&password=" + password + (realm.empty() ? "" : "&realm=" + realm),
        kForm);
    const auto body = json_of(r);
    if (r.status != 200) return {};
    return std::string(body.at("result").at("value").at("token").as_string());
  }

  TestResponse call(const std::string& method, const std::string& path, const std::string& token,
                    const std::string& body = "") {
    auto client = this->client();
    if (!token.empty()) client->header("Authorization: " + token);
    return client->request(method, url_ + path, body, body.empty() ? "" : kForm);
  }

  Check check(const std::string& params) {
    auto client = this->client();
    auto r = client->post(url_ + "/validate/check", params, kForm);
    Check c;
    c.status = r.status;
    const auto body = json_of(r);
    if (r.status != 200 || body.empty()) return c;
    const auto& result = body.at("result").as_object();
    c.value = result.at("value").as_bool();
    c.authentication = std::string(result.at("authentication").as_string());
    if (const auto* detail = body.if_contains("detail"); detail && detail->is_object()) {
      if (const auto* m = detail->as_object().if_contains("message"))
        c.message = std::string(m->as_string());
      if (const auto* t = detail->as_object().if_contains("transaction_id"))
        c.transaction_id = std::string(t->as_string());
    }
    return c;
  }

  const std::string& url() const { return url_; }

 private:
  std::string url_;
  std::string ca_file_;
};

// Sets up realm corp (resolver local) with alice and bob; admin_ is a logged-in admin.
class TokenFixture : public ::testing::Test {
 protected:
  void start(ServerOptions options = {}) {
    if (options.plugin_directories.empty()) options.plugin_directories = {TESSERA_PLUGIN_DIR};
    server_ = std::make_unique<ServerProcess>(options);
    api_ =
        std::make_unique<TokenApi>(server_->url(), options.tls ? server_->certificate_path() : "");
    admin_ = api_->login("admin", "test-admin-pw");
    ASSERT_FALSE(admin_.empty());
    ASSERT_EQ(api_->call("POST", "/resolver/local", admin_, "type=sql").status, 200);
    ASSERT_EQ(api_->call("POST", "/realm/corp", admin_, "resolvers=local").status, 200);
    for (const char* user : {"alice", "bob"})
      ASSERT_EQ(
          api_->call("POST", "/user/", admin_,
                     std::string("user=") + user + "&resolver=local&password=" + user + "-password")
              .status,
          200);
  }

  // Enrolls a token as admin; returns the response body.
  boost::json::object enroll(const std::string& params) {
    auto r = api_->call("POST", "/token/init", admin_, params);
    EXPECT_EQ(r.status, 200) << r.body;
    return json_of(r);
  }

  // Writes bytes to a file in the server's folder, for openssl to read.
  std::filesystem::path save(const std::string& name, const std::string& bytes) {
    const auto path = server_->dir() / name;
    write_file(path, bytes);
    return path;
  }

  // The token as the admin's list shows it.
  boost::json::object token(const std::string& serial) {
    return json_of(api_->call("GET", "/token/?serial=" + serial, admin_))
        .at("result")
        .at("value")
        .at("tokens")
        .at(0)
        .as_object();
  }

  // How many tokens the admin sees.
  long long token_count() {
    return json_of(api_->call("GET", "/token/", admin_))
        .at("result")
        .at("value")
        .at("count")
        .as_int64();
  }

  void set_policy(const std::string& name, const std::string& params) {
    auto r = api_->call("POST", "/policy/" + name, admin_, params);
    ASSERT_EQ(r.status, 200) << r.body;
  }

  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<TokenApi> api_;
  std::string admin_;
};

}  // namespace tessera::testing
