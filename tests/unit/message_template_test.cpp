// The SDK's notification templates, as the e-mail action fills a subject and a body.
#include <string>

#include <gtest/gtest.h>
#include <boost/json.hpp>
#include <tessera/sdk/message_template.hpp>

namespace tessera::sdk {
namespace {

const boost::json::object kTags{
    {"user", "ann"}, {"givenname", "Ann <b>&'\""}, {"count", 3}, {"list", boost::json::array{1}}};

TEST(MessageTemplate, FillsKnownTagsAndLeavesEverythingElseAsItIs) {
  EXPECT_EQ(fill_template("Hi {user}, {count} {list}", kTags, false), "Hi ann, 3 [1]");
  EXPECT_EQ(fill_template("{nope} {user", kTags, false), "{nope} {user") << "a typo shows";
  EXPECT_EQ(fill_template("{{user}} {} }{", kTags, false), "{ann} {} }{");
  EXPECT_EQ(fill_template("{user}{user}", kTags, false), "annann");
  EXPECT_EQ(fill_template("", kTags, false), "");
}

TEST(MessageTemplate, EscapesValuesInHtmlButNotTheTemplate) {
  EXPECT_EQ(fill_template("<p>{givenname}</p>", kTags, true),
            "<p>Ann &lt;b&gt;&amp;&#39;&quot;</p>");
  EXPECT_EQ(fill_template("{givenname}", kTags, false), "Ann <b>&'\"");
}

TEST(MessageTemplate, AnUnclosedBraceIsLinearNotQuadratic) {
  // Half a megabyte of "{" without a "}": every brace stays, in one pass (this took minutes
  // when every character searched the rest of the template for a closing brace: quadratic).
  const std::string braces(512 * 1024, '{');
  EXPECT_EQ(fill_template(braces, kTags, false), braces);
}

}  // namespace
}  // namespace tessera::sdk
