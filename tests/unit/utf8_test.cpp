#include "server/util/utf8.hpp"

#include <gtest/gtest.h>

namespace tessera::util {
namespace {

TEST(Utf8, AcceptsEveryWellFormedLength) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ASCII"));
  EXPECT_TRUE(is_valid_utf8("Grüße"));             // 2 bytes
  EXPECT_TRUE(is_valid_utf8("\xE2\x82\xAC"));      // € (3 bytes)
  EXPECT_TRUE(is_valid_utf8("\xF0\x9F\x94\x91"));  // 🔑 (4 bytes)
  EXPECT_TRUE(is_valid_utf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF, the last code point
  EXPECT_TRUE(is_valid_utf8("\xED\x9F\xBF"));      // U+D7FF, just below the surrogates
}

TEST(Utf8, RefusesOverlongFormsSurrogatesAndCodePointsBeyondUnicode) {
  for (const char* bad : {"\xFF\xFE", "TAG\xC0\xAFx", "\xC1\xBF", "\xE0\x80\xAF",
                          "\xF0\x80\x80\xAF", "\xED\xA0\x80", "\xED\xBF\xBF", "\xF4\x90\x80\x80",
                          "\xF5\x80\x80\x80", "\x80", "\xC3", "\xE2\x82", "\xF0\x9F\x94"})
    EXPECT_FALSE(is_valid_utf8(bad)) << bad;
}

TEST(Utf8, PrintableReplacesEachBadByteAndControlAndCutsAtACharacter) {
  EXPECT_EQ(printable_utf8("TAG\xC0\xAFx"), "TAG??x");
  EXPECT_EQ(printable_utf8("a\nb\x7f"), "a?b?");
  EXPECT_EQ(printable_utf8("\xED\xA0\x80"), "???");
  EXPECT_EQ(printable_utf8("ab\xE2\x82\xAC", 4), "ab") << "the euro sign does not fit";
  EXPECT_EQ(printable_utf8("Grüße", 64), "Grüße");
}

}  // namespace
}  // namespace tessera::util
