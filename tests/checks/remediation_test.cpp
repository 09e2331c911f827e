// The remediation text: the exact records, the party to ask, and never a record to add when
// the problem is the resolver's.
#include "checks/remediation.hpp"

#include <gtest/gtest.h>

#include "checks/verdict.hpp"
#include "tests/checks/fakes/answers.hpp"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace rdns::checks {
namespace {

// Short names for the answer builders these tables use on every line.
DnsAnswer ok(std::vector<std::string> records) { return testing::answer_ok(std::move(records), 0); }
DnsAnswer status(LookupStatus s, std::string detail = {}) { return testing::answer_status(s, std::move(detail)); }
GenericVerdict classify(std::string_view hostname, std::string_view) {
  GenericVerdict v;
  v.generic = hostname.find("pool") != std::string_view::npos;
  v.reason = v.generic ? "embeds IP (dynamic)" : "";
  return v;
}

std::string all(const std::vector<std::string>& hints) {
  std::string out;
  for (const auto& hint : hints) out += hint + "\n";
  return out;
}

constexpr const char* k_rev = "10.2.0.192.in-addr.arpa.";

TEST(Remediation, NothingWhenEverythingPasses) {
  auto result =
      evaluate({.ip = "192.0.2.10"}, k_rev,
               {.ptr = ok({"mail.example.com."}), .forward = {{"mail.example.com", ok({"192.0.2.10"})}}}, classify);
  EXPECT_TRUE(remediation_hints(result).empty());
}

TEST(Remediation, MissingPtrGivesTheExactRecordsAndWhomToAsk) {
  DnsAnswer nx = status(LookupStatus::nxdomain);
  nx.authority_soa = SoaInfo{"2.0.192.in-addr.arpa", "ns1.isp.example", "hostmaster@isp.example"};
  auto result = evaluate({.ip = "192.0.2.10", .expected_hostname = "mail.example.com"}, k_rev, {.ptr = nx}, classify);
  const std::string text = all(remediation_hints(result));
  EXPECT_NE(text.find("10.2.0.192.in-addr.arpa. IN PTR mail.example.com."), std::string::npos) << text;
  EXPECT_NE(text.find("mail.example.com. IN A 192.0.2.10"), std::string::npos) << text;
  EXPECT_NE(text.find("2.0.192.in-addr.arpa (primary name server ns1.isp.example, contact hostmaster@isp.example)"),
            std::string::npos)
      << text;
}

TEST(Remediation, MissingPtrWithoutExpectationUsesAPlaceholderAndSaysSo) {
  auto result = evaluate({.ip = "192.0.2.10"}, k_rev, {.ptr = status(LookupStatus::nodata)}, classify);
  const std::string text = all(remediation_hints(result));
  EXPECT_NE(text.find("IN PTR mail.example.com. (use your mail server's host name)"), std::string::npos) << text;
  EXPECT_NE(text.find("your ISP, hosting or cloud provider"), std::string::npos) << text;
}

TEST(Remediation, WrongForwardGivesTheARecordAndWhatItResolvesTo) {
  auto result =
      evaluate({.ip = "192.0.2.10"}, k_rev,
               {.ptr = ok({"mail.example.com."}), .forward = {{"mail.example.com", ok({"192.0.2.99"})}}}, classify);
  result.forward_zone_soa = SoaInfo{"example.com", "ns.example.com", "dns@example.com"};
  const std::string text = all(remediation_hints(result));
  EXPECT_NE(text.find("mail.example.com. IN A 192.0.2.10"), std::string::npos) << text;
  EXPECT_NE(text.find("mail.example.com resolves to 192.0.2.99"), std::string::npos) << text;
  EXPECT_NE(text.find("forward zone is example.com"), std::string::npos) << text;
}

TEST(Remediation, Ipv6AsksForAaaa) {
  auto result = evaluate(
      {.ip = "2001:db8::10"}, "x.ip6.arpa.",
      {.ptr = ok({"mail.example.com."}), .forward = {{"mail.example.com", status(LookupStatus::nodata)}}}, classify);
  const std::string text = all(remediation_hints(result));
  EXPECT_NE(text.find("mail.example.com. IN AAAA 2001:db8::10"), std::string::npos) << text;
  EXPECT_NE(text.find("has no AAAA record"), std::string::npos) << text;
}

TEST(Remediation, ResolverProblemIsNeverARecordToAdd) {
  for (LookupStatus problem :
       {LookupStatus::servfail, LookupStatus::timeout, LookupStatus::refused, LookupStatus::error}) {
    auto result = evaluate({.ip = "192.0.2.10", .expected_hostname = "mail.example.com"}, k_rev,
                           {.ptr = status(problem, "why")}, classify);
    const std::string text = all(remediation_hints(result));
    EXPECT_EQ(text.find(" IN PTR "), std::string::npos) << text;
    EXPECT_NE(text.find("not a missing record"), std::string::npos) << text;
    EXPECT_NE(text.find(std::string(to_string(problem)) + " (why)"), std::string::npos) << text;
  }
  auto forward = evaluate(
      {.ip = "192.0.2.10"}, k_rev,
      {.ptr = ok({"mail.example.com."}), .forward = {{"mail.example.com", status(LookupStatus::servfail)}}}, classify);
  const std::string text = all(remediation_hints(forward));
  EXPECT_EQ(text.find(" IN A "), std::string::npos) << text;
  EXPECT_NE(text.find("could not be decided"), std::string::npos) << text;
}

TEST(Remediation, BogusSaysDnssec) {
  auto result =
      evaluate({.ip = "192.0.2.10"}, k_rev, {.ptr = status(LookupStatus::bogus, "signature expired")}, classify);
  const std::string text = all(remediation_hints(result));
  EXPECT_NE(text.find("failed DNSSEC validation (signature expired)"), std::string::npos) << text;
}

TEST(Remediation, GenericNameAdvisesCustomPtrOrSmarthost) {
  auto result = evaluate(
      {.ip = "192.0.2.10"}, k_rev,
      {.ptr = ok({"pool-192-0-2-10.isp.example."}), .forward = {{"pool-192-0-2-10.isp.example", ok({"192.0.2.10"})}}},
      classify);
  const std::string text = all(remediation_hints(result));
  EXPECT_NE(text.find("pool-192-0-2-10.isp.example looks generic (embeds IP (dynamic))"), std::string::npos) << text;
  EXPECT_NE(text.find("smarthost"), std::string::npos) << text;
  EXPECT_NE(text.find("custom PTR"), std::string::npos) << text;
}

TEST(Remediation, InvalidNameExpectationAndHelo) {
  auto result =
      evaluate({.ip = "192.0.2.10", .expected_hostname = "mx.example.com", .helo_hostname = "smtp.example.com"}, k_rev,
               {.ptr = ok({"bad\\032name.example.com."}),
                .forward = {{"bad\\032name.example.com", ok({"192.0.2.10"})}},
                .helo = status(LookupStatus::nxdomain)},
               classify);
  const std::string text = all(remediation_hints(result));
  EXPECT_NE(text.find("\"bad\\032name.example.com\" is not a valid host name"), std::string::npos) << text;
  EXPECT_NE(text.find("expected host name mx.example.com (drift)"), std::string::npos) << text;
  EXPECT_NE(text.find("10.2.0.192.in-addr.arpa. IN PTR mx.example.com."), std::string::npos) << text;
  EXPECT_NE(text.find("HELO name smtp.example.com is not a PTR name"), std::string::npos) << text;
  EXPECT_NE(text.find("smtp.example.com. IN A 192.0.2.10"), std::string::npos) << text;
}

TEST(Remediation, SeveralPtrsWarnEvenWhenPassing) {
  auto result =
      evaluate({.ip = "192.0.2.10"}, k_rev,
               {.ptr = ok({"a.example.com.", "b.example.com."}),
                .forward = {{"a.example.com", ok({"192.0.2.10"})}, {"b.example.com", status(LookupStatus::nxdomain)}}},
               classify);
  ASSERT_EQ(result.success, true);
  const std::string text = all(remediation_hints(result));
  EXPECT_NE(text.find("Only 1 of 2 PTR names"), std::string::npos) << text;
}

TEST(DescribeZone, NamesServerAndContact) {
  EXPECT_EQ(describe_zone({"example.com", "ns.example.com", "h@example.com"}),
            "example.com (primary name server ns.example.com, contact h@example.com)");
  EXPECT_EQ(describe_zone({"example.com", "", ""}), "example.com");
}

}  // namespace
}  // namespace rdns::checks
