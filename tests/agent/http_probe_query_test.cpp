// agent/http/probe_query: the /probe query string -> the target, table-driven.
#include "agent/http/probe_query.hpp"

#include <string>

#include <gtest/gtest.h>

namespace {

using rdns::agent::probe_target_from_query;
using rdns::agent::query_of_request_target;

const std::string k_missing = "Target parameter is missing: use /probe?target=IP or /probe?target=HOSTNAME";

TEST(ProbeQuery, Targets) {
  struct Case {
    std::string query, target;
  };
  const Case cases[] = {
      {"target=192.0.2.10", "192.0.2.10"},
      {"target=2001%3Adb8%3A%3A1", "2001:db8::1"},
      {"target=2001%3adb8::1", "2001:db8::1"},
      {"module=rdns&target=192.0.2.1", "192.0.2.1"},
      {"target=192.0.2.1&target=192.0.2.2", "192.0.2.1"},  // the first one counts
      {"&&target=192.0.2.1&", "192.0.2.1"},
      {"targe%74=192.0.2.1", "192.0.2.1"},  // the name is decoded too
      {"target=a=b", "a=b"},                // split at the first '='
      {"target=not-an-ip", "not-an-ip"},    // judged later, by the app
  };
  for (const auto& c : cases) {
    const auto got = probe_target_from_query(c.query);
    ASSERT_TRUE(got) << c.query << ": " << got.error();
    EXPECT_EQ(*got, c.target) << c.query;
  }
}

TEST(ProbeQuery, Refusals) {
  struct Case {
    std::string query, error;
  };
  const std::string bad_escape = "target: malformed percent-encoding (use %HH with two hex digits)";
  const std::string odd_byte = "target contains a space, control or non-ASCII byte: not an IP address or host name";
  const Case cases[] = {
      {"", k_missing},
      {"target", k_missing},
      {"target=", k_missing},
      {"Target=192.0.2.1", k_missing},  // names are case-sensitive
      {"x=1&y=2", k_missing},
      {"target=&target=192.0.2.1", k_missing},  // the first one counts, and it is empty
      {"target=%zz", bad_escape},
      {"target=192.0.2.1%", bad_escape},
      {"target=192.0.2.1%4", bad_escape},
      {"target=+192.0.2.1", odd_byte},  // '+' is a space
      {"target=192.0.2.1%0a", odd_byte},
      {"target=%c3%a4", odd_byte},
      {"target=" + std::string(256, '1'), "target is longer than 255 bytes: not an IP address or host name"},
  };
  for (const auto& c : cases) {
    const auto got = probe_target_from_query(c.query);
    ASSERT_FALSE(got) << c.query << " -> " << *got;
    EXPECT_EQ(got.error(), c.error) << c.query;
  }
  EXPECT_TRUE(probe_target_from_query("target=" + std::string(255, '1')));
}

TEST(ProbeQuery, QueryOfRequestTarget) {
  EXPECT_EQ(query_of_request_target("/probe?target=1"), "target=1");
  EXPECT_EQ(query_of_request_target("/probe"), "");
  EXPECT_EQ(query_of_request_target("/probe?"), "");
  EXPECT_EQ(query_of_request_target("/probe?target=1#frag?x"), "target=1");
  EXPECT_EQ(query_of_request_target("/probe?a=1?b=2"), "a=1?b=2");
}

}  // namespace

namespace rdns::agent {
namespace {

TEST(ProbeQuery, DebugIsAskedWithDebugTrue) {
  EXPECT_TRUE(probe_debug_from_query("target=x&debug=true"));
  EXPECT_TRUE(probe_debug_from_query("debug=true&target=x"));
  EXPECT_FALSE(probe_debug_from_query("target=x"));
  EXPECT_FALSE(probe_debug_from_query("target=x&debug=1"));
  EXPECT_FALSE(probe_debug_from_query("target=x&debug=false&debug=true"));  // the first one counts
  EXPECT_FALSE(probe_debug_from_query("target=x&debug"));
}

TEST(ProbeQuery, ScrapeTimeoutHeader) {
  EXPECT_EQ(parse_scrape_timeout_header("10"), 10.0);
  EXPECT_EQ(parse_scrape_timeout_header(" 1.5 "), 1.5);
  EXPECT_EQ(parse_scrape_timeout_header("0.25"), 0.25);
  for (const char* bad :
       {"", "0", "-2", "1s", "abc", "nan", "inf", "1e999", "1,5", "99999999999999999999999999999999999"}) {
    EXPECT_FALSE(parse_scrape_timeout_header(bad)) << bad;
  }
}

}  // namespace
}  // namespace rdns::agent
