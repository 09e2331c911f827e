#include "config/duration.hpp"

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using rdns::config::format_duration;
using rdns::config::parse_duration;

TEST(ParseDuration, AcceptsGoSyntax) {
  const std::pair<const char*, std::chrono::milliseconds> cases[] = {
      {"90s", 90s},
      {"5m", 5min},
      {"1h", 1h},
      {"1h30m", 90min},
      {"500ms", 500ms},
      {"1.5h", 90min},
      {"1.5s", 1500ms},
      {".5s", 500ms},
      {"5.s", 5s},
      {"1m30s", 90s},
      {"2h45m30.5s", 2h + 45min + 30500ms},
      {"1000000us", 1s},
      {"1000000\xC2\xB5s", 1s},
      {"1000000\xCE\xBCs", 1s},
      {"1000000000ns", 1s},
      {"+10s", 10s},
      {"1.0001ms", 1ms},
      {"0.5m", 30s},
      {"10m0s", 10min},
  };
  for (const auto& [text, want] : cases) {
    auto got = parse_duration(text);
    ASSERT_TRUE(got) << text << ": " << got.error();
    EXPECT_EQ(*got, want) << text;
  }
}

TEST(ParseDuration, RejectsBadInput) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "empty duration"},
      {"0", "must be greater than zero"},
      {"0s", "must be greater than zero"},
      {"-1s", "must not be negative"},
      {"-0s", "must be greater than zero"},
      {"10", "missing unit (use ns, us, ms, s, m or h, e.g. \"30s\")"},
      {"5 minutes", "unknown unit \" minutes\" (use ns, us, ms, s, m or h)"},
      {"5d", "unknown unit \"d\" (use ns, us, ms, s, m or h)"},
      {"5M", "unknown unit \"M\" (use ns, us, ms, s, m or h)"},
      {"s", "expected a number"},
      {".s", "expected a number"},
      {"1s.", "expected a number"},
      {"-", "no number"},
      {"100us", "must be at least 1ms"},
      {"9999999999999h", "out of range"},
      {"99999999999999999999s", "out of range"},
      {"2562047h48m", "out of range"},
  };
  for (const auto& [text, why] : cases) {
    auto got = parse_duration(text);
    ASSERT_FALSE(got) << text << " parsed as " << got->count() << "ms";
    EXPECT_EQ(got.error(), why) << text;
  }
}

TEST(FormatDuration, ShortestGoStyleText) {
  EXPECT_EQ(format_duration(0ms), "0s");
  EXPECT_EQ(format_duration(500ms), "500ms");
  EXPECT_EQ(format_duration(1500ms), "1.5s");
  EXPECT_EQ(format_duration(10s), "10s");
  EXPECT_EQ(format_duration(90s), "1m30s");
  EXPECT_EQ(format_duration(5min), "5m");
  EXPECT_EQ(format_duration(1h), "1h");
  EXPECT_EQ(format_duration(90min), "1h30m");
  EXPECT_EQ(format_duration(1h + 1ms), "1h0.001s");
  EXPECT_EQ(format_duration(-2s), "-2s");
}

TEST(FormatDuration, RoundTripsThroughParse) {
  for (std::int64_t ms :
       {1LL, 7LL, 999LL, 1000LL, 1001LL, 59999LL, 60000LL, 3599999LL, 3600000LL, 86400000LL, 123456789LL}) {
    const std::chrono::milliseconds d(ms);
    auto back = parse_duration(format_duration(d));
    ASSERT_TRUE(back) << format_duration(d);
    EXPECT_EQ(*back, d) << format_duration(d);
  }
}
