#include "checks/reverse_name.hpp"

#include <cctype>
#include <ostream>

#include <gtest/gtest.h>

namespace rdns::checks {
namespace {

struct ReverseCase {
  const char* ip;
  const char* reverse;
};

// Readable, stable ctest names (CMake's test discovery names each case by its printed value).
void PrintTo(const ReverseCase& c, std::ostream* out) {
  for (const char* p = c.ip; *p != '\0'; ++p) *out << (std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_');
}

class ReverseNameTest : public ::testing::TestWithParam<ReverseCase> {};

TEST_P(ReverseNameTest, BuildsTheReverseName) {
  auto name = reverse_name(GetParam().ip);
  ASSERT_TRUE(name) << name.error();
  EXPECT_EQ(*name, GetParam().reverse);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ReverseNameTest,
    ::testing::Values(
        ReverseCase{"192.0.2.10", "10.2.0.192.in-addr.arpa."}, ReverseCase{"0.0.0.0", "0.0.0.0.in-addr.arpa."},
        ReverseCase{"255.255.255.255", "255.255.255.255.in-addr.arpa."},
        ReverseCase{"198.51.100.1", "1.100.51.198.in-addr.arpa."},
        ReverseCase{"2001:db8::10", "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa."},
        ReverseCase{"2001:DB8::1",  // upper case input still gives lower-case nibbles
                    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa."},
        ReverseCase{"::1", "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa."},
        ReverseCase{"::ffff:192.0.2.1", "1.0.2.0.0.0.0.c.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa."},
        ReverseCase{"fe80::abcd:ef01", "1.0.f.e.d.c.b.a.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.e.f.ip6.arpa."}));

TEST(ReverseName, RejectsWhatIsNotAnAddress) {
  for (const char* bad : {"", "192.0.2", "192.0.2.256", "192.0.2.10/32", "2001:db8::1::2", "example.com", " 192.0.2.1",
                          "192.0.2.1 ", "fe80::1%eth0", "1.2.3.4.5"}) {
    EXPECT_FALSE(reverse_name(bad)) << bad;
  }
  EXPECT_FALSE(reverse_name(std::string_view("192.0.2.1\0x", 11)));
}

TEST(ParseIp, GivesCanonicalTextAndFamily) {
  auto v6 = parse_ip("2001:0DB8:0000:0000:0000:0000:0000:0010");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->canonical, "2001:db8::10");
  EXPECT_EQ(v6->family, IpFamily::v6);
  auto v4 = parse_ip("192.0.2.7");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->canonical, "192.0.2.7");
  EXPECT_EQ(v4->family, IpFamily::v4);
  EXPECT_NE(parse_ip("nope").error().find("nope"), std::string::npos);
}

}  // namespace
}  // namespace rdns::checks
