// evaluate() and its helpers, without any resolver: the pure rules behind every verdict.
#include "checks/verdict.hpp"
#include "tests/checks/fakes/answers.hpp"

#include <gtest/gtest.h>

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace rdns::checks {
namespace {

// Short names for the answer builders these tables use on every line.
DnsAnswer ok(std::vector<std::string> records) { return testing::answer_ok(std::move(records), 0); }
DnsAnswer status(LookupStatus s, std::string detail = {}) { return testing::answer_status(s, std::move(detail)); }
GenericVerdict never_generic(std::string_view, std::string_view) { return {}; }

TEST(Severity, ResolverProblemsRankAboveDefinitiveAnswers) {
  for (LookupStatus definitive : {LookupStatus::ok, LookupStatus::nodata, LookupStatus::nxdomain}) {
    for (LookupStatus problem : {LookupStatus::servfail, LookupStatus::refused, LookupStatus::timeout,
                                 LookupStatus::error, LookupStatus::bogus}) {
      EXPECT_LT(severity(definitive), severity(problem));
    }
  }
  EXPECT_LT(severity(LookupStatus::ok), severity(LookupStatus::nodata));
  EXPECT_LT(severity(LookupStatus::nodata), severity(LookupStatus::nxdomain));
}

TEST(PtrNames, NormalisesDeduplicatesSortsAndIgnoresNonOkData) {
  EXPECT_EQ(ptr_names(ok({"B.example.", "a.example.", "b.EXAMPLE."})),
            (std::vector<std::string>{"a.example", "b.example"}));
  DnsAnswer bogus = ok({"evil.example."});
  bogus.status = LookupStatus::bogus;
  EXPECT_TRUE(ptr_names(bogus).empty());
}

TEST(MakeForwardCheck, ComparesCanonicalAddresses) {
  auto check = make_forward_check("h", ok({"2001:DB8:0:0::10", "2001:db8::11"}), "2001:db8::10");
  EXPECT_TRUE(check.confirms);
  EXPECT_EQ(check.addresses, (std::vector<std::string>{"2001:db8::10", "2001:db8::11"}));
  EXPECT_FALSE(make_forward_check("h", ok({"192.0.2.100"}), "192.0.2.10").confirms);
  EXPECT_FALSE(make_forward_check("h", ok({"192.0.2.1"}), "192.0.2.10").confirms);
  auto empty = make_forward_check("h", ok({}), "192.0.2.10");
  EXPECT_EQ(empty.status, LookupStatus::nodata);
  EXPECT_FALSE(empty.confirms);
  DnsAnswer bogus = ok({"192.0.2.10"});
  bogus.status = LookupStatus::bogus;
  EXPECT_FALSE(make_forward_check("h", bogus, "192.0.2.10").confirms);  // unvalidated data unused
}

TEST(Evaluate, ForwardUndecidedOnlyWithoutAConfirmingName) {
  CheckRequest request{.ip = "192.0.2.10"};
  Observations seen{.ptr = ok({"a.example.", "b.example."}),
                    .forward = {{"a.example", status(LookupStatus::timeout)}, {"b.example", ok({"192.0.2.1"})}}};
  CheckResult result = evaluate(request, "r.", seen, never_generic);
  EXPECT_FALSE(result.fcrdns_pass.has_value());
  EXPECT_EQ(result.forward_status, LookupStatus::timeout);
  EXPECT_FALSE(result.success.has_value());
  seen.forward[1].second = ok({"192.0.2.10"});
  result = evaluate(request, "r.", seen, never_generic);
  EXPECT_EQ(result.fcrdns_pass, true);
  EXPECT_EQ(result.fcrdns_confirmed_names, 1);
  EXPECT_EQ(result.success, true);
}

TEST(Evaluate, KeepsAuthoritySoaAndEchoesExpectations) {
  DnsAnswer nx = status(LookupStatus::nxdomain);
  nx.authority_soa = SoaInfo{"2.0.192.in-addr.arpa", "ns1.example", "h@example"};
  CheckResult result =
      evaluate({.ip = "192.0.2.10", .expected_hostname = "Mail.Example.", .helo_hostname = "MX.example"},
               "10.2.0.192.in-addr.arpa.", {.ptr = nx}, never_generic);
  EXPECT_EQ(result.reverse_zone_soa, nx.authority_soa);
  EXPECT_EQ(result.expected_hostname, "mail.example");
  EXPECT_EQ(result.helo_hostname, "mx.example");
  EXPECT_EQ(result.reverse_name, "10.2.0.192.in-addr.arpa.");
  EXPECT_EQ(result.helo_match, false);  // nxdomain: the HELO name cannot be a PTR name
  EXPECT_EQ(result.ptr_ttl, 0U);
}

TEST(Evaluate, GenericIsWithheldWithoutAClassifierOrNames) {
  Observations seen{.ptr = ok({"a.example."}), .forward = {{"a.example", ok({"192.0.2.10"})}}};
  EXPECT_FALSE(evaluate({.ip = "192.0.2.10"}, "r.", seen, nullptr).generic.has_value());
  EXPECT_FALSE(
      evaluate({.ip = "192.0.2.10"}, "r.", {.ptr = status(LookupStatus::servfail)}, never_generic).generic.has_value());
}

TEST(OverallSuccess, FailureBeatsUndecided) {
  CheckResult result;
  result.ptr_present = true;
  result.ptr_hostname_valid = true;
  result.fcrdns_pass = std::nullopt;
  result.generic = GenericVerdict{};
  EXPECT_FALSE(overall_success(result).has_value());
  result.generic->generic = true;
  EXPECT_EQ(overall_success(result), false);
  result.generic->generic = false;
  result.fcrdns_pass = true;
  EXPECT_EQ(overall_success(result), true);
  result.expected_hostname = "x.example";  // set but undecided
  EXPECT_FALSE(overall_success(result).has_value());
  result.expected_hostname_match = true;
  EXPECT_EQ(overall_success(result), true);
  result.helo_hostname = "x.example";
  result.helo_match = false;
  EXPECT_EQ(overall_success(result), false);
}

TEST(SoaMailbox, TurnsTheFirstUnescapedDotIntoAt) {
  EXPECT_EQ(soa_mailbox("hostmaster.example.net."), "hostmaster@example.net");
  EXPECT_EQ(soa_mailbox("john\\.doe.Example.NET."), "john.doe@example.net");
  EXPECT_EQ(soa_mailbox("root."), "root");
  EXPECT_EQ(soa_mailbox("."), "");
}

TEST(SoaFromAnswer, PrefersAuthorityThenOwnRecord) {
  DnsAnswer nodata = status(LookupStatus::nodata);
  EXPECT_FALSE(soa_from_answer("x.example.", nodata));
  nodata.authority_soa = SoaInfo{"example", "ns.example", "h@example"};
  EXPECT_EQ(soa_from_answer("x.example.", nodata), nodata.authority_soa);
  auto apex = soa_from_answer("Example.NET.", ok({"NS1.example.net. hostmaster.example.net. 1 2 3 4 5"}));
  ASSERT_TRUE(apex);
  EXPECT_EQ(*apex, (SoaInfo{"example.net", "ns1.example.net", "hostmaster@example.net"}));
  DnsAnswer via_cname = ok({"ns. h.x. 1 2 3 4 5"});
  via_cname.canonical_name = "0/26.2.0.192.in-addr.arpa.";
  EXPECT_EQ(soa_from_answer("10.2.0.192.in-addr.arpa.", via_cname)->zone, "0/26.2.0.192.in-addr.arpa");
  EXPECT_FALSE(soa_from_answer("x.", ok({"onlyonefield"})));
}

}  // namespace
}  // namespace rdns::checks
