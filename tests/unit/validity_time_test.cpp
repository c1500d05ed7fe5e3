// eduMFA's validity time stamps, against timestamps that `date -u +%s` gives.
#include "server/util/validity_time.hpp"

#include <gtest/gtest.h>

namespace tessera::util {
namespace {

TEST(ValidityTime, ReadsEduMfasFormsWithTheirOffsets) {
  EXPECT_EQ(parse_validity_time("2026-12-31T23:59+0100"), 1798757940);  // 22:59 UTC
  EXPECT_EQ(parse_validity_time("2026-12-31T22:59Z"), 1798757940);
  EXPECT_EQ(parse_validity_time("2026-12-31T22:59"), 1798757940);
  EXPECT_EQ(parse_validity_time("2026-12-31 17:59:00-05:00"), 1798757940);
  EXPECT_EQ(parse_validity_time("1970-01-01T00:00Z"), 0);
  EXPECT_EQ(parse_validity_time("2024-02-29T12:00Z"), 1709208000) << "a leap day";
}

TEST(ValidityTime, RefusesWhatIsNotATime) {
  for (const char* bad : {"", "2026-12-31", "31/12/26 23:59", "2026-02-29T10:00Z",
                          "2026-13-01T00:00Z", "2026-12-31T24:00Z", "2026-12-31T23:59+1500",
                          "2026-12-31T23:59+01", "2026-12-31T23:59Zjunk", "２026-12-31T23:59Z"})
    EXPECT_FALSE(parse_validity_time(bad).has_value()) << bad;
}

}  // namespace
}  // namespace tessera::util
