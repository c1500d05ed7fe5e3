// The router as a pure function from request to response.
#include "server/http/router.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "server/api/envelope.hpp"

namespace tessera::http {
namespace {

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.add("POST", "/token/init", [this](RequestContext& c) {
      seen_ = c.params;
      return api::json_result(true);
    });
    router_.add("GET", "/token/<serial>", [](RequestContext& c) {
      return api::json_result(boost::json::string(c.path_params.at("serial")));
    });
    router_.add("GET", "/boom",
                [](RequestContext&) -> HttpResponse { throw std::runtime_error("secret detail"); });
  }
  HttpResponse send(std::string method, std::string target, std::string body = "",
                    std::string content_type = "") {
    HttpRequest r{std::move(method), std::move(target), {}, std::move(body), "127.0.0.1"};
    if (!content_type.empty()) r.headers.emplace_back("content-type", content_type);
    return router_.handle(r);
  }
  static boost::json::object json(const HttpResponse& r) {
    return boost::json::parse(r.body).as_object();
  }
  Router router_;
  boost::json::object seen_;
};

TEST_F(RouterTest, MergesQueryAndFormParameters) {
  auto r = send("POST", "/token/init?type=hotp", "user=alice+smith&pin=1%262",
                "application/x-www-form-urlencoded");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(seen_.at("type"), "hotp");
  EXPECT_EQ(seen_.at("user"), "alice smith");
  EXPECT_EQ(seen_.at("pin"), "1&2");
}

// What browsers and curl -d send (WHATWG urlencoded): raw braces and spaces, stray '%',
// empty pairs and keys without '='.
TEST_F(RouterTest, ReadsFormsAsBrowsersAndCurlSendThem) {
  auto r = send("POST", "/token/init",
                "subject.CN={givenname} {surname}&&pct=100%&bad=%zz&flag&x=a=b&plus=a%2Bb",
                "application/x-www-form-urlencoded");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(seen_.at("subject.CN"), "{givenname} {surname}");
  EXPECT_EQ(seen_.at("pct"), "100%");
  EXPECT_EQ(seen_.at("bad"), "%zz");
  EXPECT_EQ(seen_.at("flag"), "");
  EXPECT_EQ(seen_.at("x"), "a=b");
  EXPECT_EQ(seen_.at("plus"), "a+b");
  EXPECT_EQ(seen_.size(), 6u) << "the empty pair is no parameter";
  ASSERT_EQ(send("POST", "/token/init?template={user}%20x").status, 200) << "the query too";
  EXPECT_EQ(seen_.at("template"), "{user} x");
  EXPECT_EQ(send("POST", "/token/in{it").status, 400) << "the path stays RFC 3986";
}

TEST_F(RouterTest, AcceptsJsonObjectsOnly) {
  EXPECT_EQ(
      send("POST", "/token/init", "{\"otplen\": 8}", "application/json; charset=utf-8").status,
      200);
  EXPECT_EQ(seen_.at("otplen"), 8);
  auto malformed = send("POST", "/token/init", "{\"otplen\": ", "application/json");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(json(malformed).at("result").at("error").at("code"), 905);
  EXPECT_EQ(send("POST", "/token/init", "[1,2]", "application/json").status, 400);
  EXPECT_EQ(send("POST", "/token/init", "x", "text/plain").status, 415);
  EXPECT_EQ(send("POST", "/token/init", "x").status, 415);
}

// What PHP clients (curl with an array of fields) and file uploads send.
TEST_F(RouterTest, ReadsMultipartFormData) {
  const std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"user\"\r\n\r\nalice\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"pass\"\r\n\r\n12 34\r\n56\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"t.csv\"\r\n"
      "Content-Type: text/csv\r\n\r\nserial,key\n\r\n--XyZ--\r\n";
  auto r = send("POST", "/token/init?realm=corp", body, "multipart/form-data; boundary=\"XyZ\"");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(seen_.at("user"), "alice");
  EXPECT_EQ(seen_.at("pass"), "12 34\r\n56") << "a CRLF inside a value stays";
  EXPECT_EQ(seen_.at("file"), "serial,key\n") << "a file's contents, not its name";
  EXPECT_EQ(seen_.at("realm"), "corp");
  seen_ = {};
  // Broken bodies are refused whole: nothing reaches the handler.
  for (const auto& [broken, type] : std::vector<std::pair<std::string, std::string>>{
           {body, "multipart/form-data"},
           {"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno end",
            "multipart/form-data; boundary=XyZ"},
           {"--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--",
            "multipart/form-data; boundary=XyZ"},
           {"junk", "multipart/form-data; boundary=XyZ"}}) {
    const auto refused = send("POST", "/token/init", broken, type);
    EXPECT_EQ(refused.status, 400) << broken;
    EXPECT_TRUE(seen_.empty());
  }
}

TEST_F(RouterTest, CapturesPathParametersAndIgnoresATrailingSlash) {
  auto r = send("GET", "/token/OATH0001/");
  EXPECT_EQ(json(r).at("result").at("value"), "OATH0001");
  EXPECT_EQ(r.route, "/token/<serial>");
}

TEST_F(RouterTest, AnswersUnknownRoutesAndMethods) {
  auto missing = send("GET", "/nothing");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.route, "unmatched");
  auto method = send("DELETE", "/token/init");
  EXPECT_EQ(method.status, 405);
  EXPECT_EQ(method.headers.at(0).second, "POST, GET") << "GET matches /token/<serial>";
}

TEST_F(RouterTest, HidesInternalErrorDetails) {
  auto r = send("GET", "/boom");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(json(r).at("result").at("error").at("code"), -500);
  EXPECT_EQ(r.body.find("secret detail"), std::string::npos);
}

}  // namespace
}  // namespace tessera::http
