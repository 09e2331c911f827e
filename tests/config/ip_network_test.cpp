#include "config/ip_network.hpp"

#include <gtest/gtest.h>

using rdns::config::canonical_ip;
using rdns::config::expand_cidr;
using rdns::config::parse_cidr;

TEST(CanonicalIp, Rfc5952) {
  const std::pair<const char*, const char*> cases[] = {
      {"192.0.2.10", "192.0.2.10"},
      {"2001:DB8:0:0:0:0:0:1", "2001:db8::1"},
      {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},                  // one zero group is not compressed
      {"2001:0db8:0000:0000:0001:0000:0000:0001", "2001:db8::1:0:0:1"},  // first of equal runs
      {"2001:db8:0:0:1:0:0:0", "2001:db8:0:0:1::"},                      // the longest run wins
      {"2001:db8::", "2001:db8::"},
      {"::", "::"},
      {"::1", "::1"},
      {"::1:2", "::1:2"},             // not "::0.1.0.2" as glibc's inet_ntop writes
      {"::192.0.2.1", "::c000:201"},  // deprecated IPv4-compatible form: plain hex
      {"FE80::ABCD:EF01", "fe80::abcd:ef01"},
      {"2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff", "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff"},
      {"1:0:0:0:0:0:0:0", "1::"},
      // IPv4-mapped addresses are the IPv4 address they carry.
      {"::ffff:192.0.2.1", "192.0.2.1"},
      {"::FFFF:c000:0201", "192.0.2.1"},
      {"0:0:0:0:0:ffff:198.51.100.7", "198.51.100.7"},
  };
  for (const auto& [in, want] : cases) {
    auto got = canonical_ip(in);
    ASSERT_TRUE(got) << in << ": " << got.error();
    EXPECT_EQ(*got, want) << in;
  }
}

TEST(CanonicalIp, RejectsNonAddresses) {
  for (const char* bad :
       {"", "192.0.2", "192.0.2.256", "192.0.2.010", "1.2.3.4.5", " 192.0.2.1", "192.0.2.1 ", "2001:db8::1::2",
        "2001:db8:::1", "12345::", "fe80::1%eth0", "mail.example.com", "192.0.2.0/24", "0x7f.0.0.1", "2001:db8::g"}) {
    EXPECT_FALSE(canonical_ip(bad)) << bad;
  }
  EXPECT_EQ(canonical_ip("fe80::1%eth0").error(), "zone ids (\"%...\") are not allowed");
  EXPECT_FALSE(canonical_ip(std::string_view("192.0.2.1\0x", 11)));
  EXPECT_FALSE(canonical_ip(std::string(100, '1')));
}

TEST(ExpandCidr, Ipv4) {
  auto one = expand_cidr("192.0.2.7/32", 1);
  ASSERT_TRUE(one);
  EXPECT_EQ(*one, std::vector<std::string>{"192.0.2.7"});

  auto pair = expand_cidr("192.0.2.6/31", 10);
  ASSERT_TRUE(pair);
  EXPECT_EQ(*pair, (std::vector<std::string>{"192.0.2.6", "192.0.2.7"}));

  auto net = expand_cidr("198.51.100.0/28", 16);
  ASSERT_TRUE(net);
  ASSERT_EQ(net->size(), 16u);
  EXPECT_EQ(net->front(), "198.51.100.0");
  EXPECT_EQ(net->back(), "198.51.100.15");

  auto carry = expand_cidr("198.18.0.0/15", 1u << 17);  // crosses an octet boundary twice
  ASSERT_TRUE(carry);
  ASSERT_EQ(carry->size(), 131072u);
  EXPECT_EQ((*carry)[255], "198.18.0.255");
  EXPECT_EQ((*carry)[256], "198.18.1.0");
  EXPECT_EQ((*carry)[65536], "198.19.0.0");
  EXPECT_EQ(carry->back(), "198.19.255.255");

  auto all = expand_cidr("0.0.0.0/0", 1u << 20);
  ASSERT_FALSE(all);
  EXPECT_EQ(all.error(), "expands to 4294967296 addresses, more than the limit of 1048576");
}

TEST(ExpandCidr, Ipv6) {
  auto one = expand_cidr("2001:DB8::25/128", 1);
  ASSERT_TRUE(one);
  EXPECT_EQ(*one, std::vector<std::string>{"2001:db8::25"});

  auto net = expand_cidr("2001:db8::ff00/120", 256);
  ASSERT_TRUE(net);
  ASSERT_EQ(net->size(), 256u);
  EXPECT_EQ((*net)[0], "2001:db8::ff00");
  EXPECT_EQ((*net)[1], "2001:db8::ff01");
  EXPECT_EQ((*net)[255], "2001:db8::ffff");

  auto carry = expand_cidr("2001:db8:0:0:0:0:1:0/112", 65536);
  ASSERT_TRUE(carry);
  EXPECT_EQ(carry->front(), "2001:db8::1:0");
  EXPECT_EQ(carry->back(), "2001:db8::1:ffff");

  EXPECT_EQ(expand_cidr("2001:db8::/64", 65536).error(), "expands to 2^64 addresses, more than the limit of 65536");
  EXPECT_EQ(expand_cidr("2001:db8::/96", 65536).error(),
            "expands to 4294967296 addresses, more than the limit of 65536");
}

TEST(ExpandCidr, CapIsExact) {
  EXPECT_TRUE(expand_cidr("198.51.100.0/28", 16));
  auto over = expand_cidr("198.51.100.0/28", 15);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error(), "expands to 16 addresses, more than the limit of 15");
  EXPECT_TRUE(expand_cidr("10.0.0.0/16", 65536));
  EXPECT_FALSE(expand_cidr("10.0.0.0/15", 65536));
}

TEST(ExpandCidr, Errors) {
  const std::pair<const char*, const char*> cases[] = {
      {"198.51.100.0", "missing \"/\" and prefix length (use ip = \"...\" for one address)"},
      {"198.51.100.0/", "missing prefix length after \"/\""},
      {"198.51.100.0/33", "prefix length 33 exceeds 32"},
      {"198.51.100.0/1000", "prefix length 1000 exceeds 32"},
      {"2001:db8::/129", "prefix length 129 exceeds 128"},
      {"198.51.100.0/024", "prefix length \"024\" has a leading zero"},
      {"198.51.100.0/-1", "prefix length \"-1\" is not a number"},
      {"198.51.100.0/2 4", "prefix length \"2 4\" is not a number"},
      {"198.51.100.5/28", "host bits are set: the network is 198.51.100.0/28"},
      {"2001:db8::25/120", "host bits are set: the network is 2001:db8::/120"},
      {"198.51.100/24", "not an IPv4 or IPv6 address"},
      {"/24", "empty address"},
  };
  for (const auto& [in, why] : cases) {
    auto got = expand_cidr(in, 1u << 20);
    ASSERT_FALSE(got) << in;
    EXPECT_EQ(got.error(), why) << in;
  }
}

TEST(ParseCidr, DescribesWithoutExpanding) {
  auto info = parse_cidr("2001:db8::/32");
  ASSERT_TRUE(info);
  EXPECT_TRUE(info->ipv6);
  EXPECT_EQ(info->prefix_length, 32u);
  EXPECT_EQ(info->host_bits, 96u);
  EXPECT_EQ(info->network, "2001:db8::");
  EXPECT_EQ(rdns::config::address_count_text(info->host_bits), "2^96");
  EXPECT_EQ(rdns::config::address_count_text(16), "65536");
}
