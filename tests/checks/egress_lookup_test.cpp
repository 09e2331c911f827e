// Reading an egress echo answer (Google's TXT, OpenDNS's A/AAAA), and the lookup over the fake.
#include "checks/discovery/egress_lookup.hpp"

#include <chrono>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "tests/checks/fakes/fake_resolver.hpp"

namespace rdns::checks::discovery {
namespace {

using testing::answer_ok;
using testing::answer_status;
using testing::FakeResolver;

const EgressQuery k_google_v4{EgressMethod::txt_echo, "o-o.myaddr.l.google.com.", AddressFamily::ipv4};
const EgressQuery k_google_v6{EgressMethod::txt_echo, "o-o.myaddr.l.google.com.", AddressFamily::ipv6};
const EgressQuery k_opendns_v4{EgressMethod::address_echo, "myip.opendns.com.", AddressFamily::ipv4};
const EgressQuery k_opendns_v6{EgressMethod::address_echo, "myip.opendns.com", AddressFamily::ipv6};

TEST(EgressAnswer, GoogleLikeTxtWithAnEcsRecord) {
  const auto answer = answer_ok({"edns0-client-subnet 192.0.2.0/24", "198.51.100.7"});
  const EgressResult r = egress_address_from(answer, k_google_v4);
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(*r, "198.51.100.7");
}

TEST(EgressAnswer, IPv6IsCanonicalised) {
  EgressResult r = egress_address_from(answer_ok({"198.51.100.7", "2001:DB8:0:0::7"}), k_google_v6);
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(*r, "2001:db8::7");
  r = egress_address_from(answer_ok({"2001:db8::9"}), k_opendns_v6);
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(*r, "2001:db8::9");
  r = egress_address_from(answer_ok({"203.0.113.9"}), k_opendns_v4);
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(*r, "203.0.113.9");
}

TEST(EgressAnswer, GarbageIsNotAnAddress) {
  const auto answer = answer_ok({"198.51.100.7 ", "198.51.100.7/32", std::string("198.51.100.7\0", 13), "x\x01y"});
  const EgressResult r = egress_address_from(answer, k_google_v4);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(),
            "TXT o-o.myaddr.l.google.com.: no IPv4 address in the answer: \"198.51.100.7 \", \"198.51.100.7/32\", "
            "\"198.51.100.7\\x00\", ...");
  // An IPv4 answer does not do for IPv6.
  const EgressResult v6 = egress_address_from(answer_ok({"198.51.100.7"}), k_google_v6);
  ASSERT_FALSE(v6.has_value());
  EXPECT_EQ(v6.error(), "TXT o-o.myaddr.l.google.com.: no IPv6 address in the answer: \"198.51.100.7\"");
}

TEST(EgressAnswer, NoAnswer) {
  EgressResult r = egress_address_from(answer_ok({}), k_google_v4);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), "TXT o-o.myaddr.l.google.com.: no answer records");
  r = egress_address_from(answer_status(LookupStatus::nodata), k_opendns_v6);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), "AAAA myip.opendns.com.: nodata");
  r = egress_address_from(answer_status(LookupStatus::servfail, "all servers failed"), k_opendns_v4);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), "A myip.opendns.com.: servfail (all servers failed)");
}

TEST(EgressLookup, AsksTheRightTypeAndReadsTheAnswer) {
  FakeResolver resolver;
  resolver.script("o-o.myaddr.l.google.com.", RrType::TXT, answer_ok({"198.51.100.7"}));
  resolver.script("myip.opendns.com.", RrType::AAAA, answer_ok({"2001:db8::7"}));
  std::optional<EgressResult> got;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  lookup_egress_address(resolver, k_google_v4, deadline, [&](EgressResult r) { got = std::move(r); });
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ(**got, "198.51.100.7");
  got.reset();
  lookup_egress_address(resolver, k_opendns_v6, deadline, [&](EgressResult r) { got = std::move(r); });
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ(**got, "2001:db8::7");
  EXPECT_TRUE(resolver.was_asked("myip.opendns.com.", RrType::AAAA));
  got.reset();
  lookup_egress_address(resolver, k_opendns_v4, deadline, [&](EgressResult r) { got = std::move(r); });
  ASSERT_TRUE(got && !got->has_value());
  EXPECT_EQ(got->error(), "A myip.opendns.com.: error (unscripted)");
}

}  // namespace
}  // namespace rdns::checks::discovery
