#include "gateway/core/clock.h"

#include <gtest/gtest.h>

namespace lienthong {
namespace {

TEST(ParseUtcTime, AcceptsTheCliAndXmlsecForms) {
  const auto a = parse_utc_time("2019-01-01 00:00:00");
  const auto b = parse_utc_time("2019-01-01+00:00:00");
  const auto c = parse_utc_time("2019-01-01T00:00:00Z");
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(*a, *c);
  EXPECT_EQ(format_utc_time(*a), "2019-01-01T00:00:00Z");
  EXPECT_EQ(std::chrono::system_clock::to_time_t(*a), 1546300800);
}

TEST(ParseUtcTime, RefusesMalformedAndImpossibleDates) {
  for (const char* bad : {"", "2019-01-01", "2019-13-01 00:00:00", "2019-02-30 00:00:00",
                          "2019-01-01 24:00:00", "2019/01/01 00:00:00", "2019-01-01 00:00:00 "})
    EXPECT_FALSE(parse_utc_time(bad)) << bad;
}

TEST(FixedClock, StaysPut) {
  const TimePoint at = *parse_utc_time("2026-11-22 10:00:00");
  FixedClock clock(at);
  EXPECT_EQ(clock.now(), at);
}

}  // namespace
}  // namespace lienthong
