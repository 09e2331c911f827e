// agent/http/probe_query: the /probe query string -> the target, table-driven.
#include "agent/http/probe_query.hpp"

#include <string>

#include <gtest/gtest.h>

namespace {

using rdns::agent::probe_target_from_query;
using rdns::agent::query_of_request_target;

const std::string k_missing = "Target parameter is missing: use /probe?target=IP";

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
  const std::string odd_byte = "target contains a space, control or non-ASCII byte: not an IP address";
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
      {"target=" + std::string(101, '1'), "target is longer than 100 bytes: not an IP address"},
  };
  for (const auto& c : cases) {
    const auto got = probe_target_from_query(c.query);
    ASSERT_FALSE(got) << c.query << " -> " << *got;
    EXPECT_EQ(got.error(), c.error) << c.query;
  }
  EXPECT_TRUE(probe_target_from_query("target=" + std::string(100, '1')));
}

TEST(ProbeQuery, QueryOfRequestTarget) {
  EXPECT_EQ(query_of_request_target("/probe?target=1"), "target=1");
  EXPECT_EQ(query_of_request_target("/probe"), "");
  EXPECT_EQ(query_of_request_target("/probe?"), "");
  EXPECT_EQ(query_of_request_target("/probe?target=1#frag?x"), "target=1");
  EXPECT_EQ(query_of_request_target("/probe?a=1?b=2"), "a=1?b=2");
}

}  // namespace
