// The `check` report: verdict words, key lines, JSON validity basics, exit statuses.
#include "agent/report/check_report.hpp"

#include <sstream>

#include <gtest/gtest.h>

#include "agent/report/exit_codes.hpp"
#include "checks/generic_hostname.hpp"
#include "checks/verdict.hpp"
#include "tests/checks/fakes/answers.hpp"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace rdns::agent {
namespace {

using checks::CheckResult;
using checks::DnsAnswer;
using checks::LookupStatus;
using text::json_string;

// Short names for the answer builders these tables use on every line.
DnsAnswer ok(std::vector<std::string> records) { return checks::testing::answer_ok(std::move(records), 3600); }
DnsAnswer status(LookupStatus s, std::string detail = {}) {
  return checks::testing::answer_status(s, std::move(detail));
}

checks::GenericVerdict not_generic(std::string_view, std::string_view) { return {}; }

CheckResult passing() {
  return checks::evaluate({.ip = "192.0.2.10"}, "10.2.0.192.in-addr.arpa.",
                          {.ptr = ok({"mail.example.com."}), .forward = {{"mail.example.com", ok({"192.0.2.10"})}}},
                          not_generic);
}
CheckResult failing() {
  DnsAnswer nx = status(LookupStatus::nxdomain);
  nx.authority_soa = checks::SoaInfo{"2.0.192.in-addr.arpa", "ns1.isp.example", "hostmaster@isp.example"};
  return checks::evaluate({.ip = "192.0.2.11", .expected_hostname = "mail.example.com"}, "11.2.0.192.in-addr.arpa.",
                          {.ptr = nx}, not_generic);
}
CheckResult undecided() {
  return checks::evaluate({.ip = "192.0.2.12"}, "12.2.0.192.in-addr.arpa.", {.ptr = status(LookupStatus::servfail)},
                          not_generic);
}

TEST(CheckReport, ExitStatusFollowsTheContract) {
  EXPECT_EQ(exit_status_for({passing()}), k_exit_ok);
  EXPECT_EQ(exit_status_for({passing(), failing()}), k_exit_check_failed);
  EXPECT_EQ(exit_status_for({passing(), undecided()}), k_exit_undecided);
  EXPECT_EQ(exit_status_for({undecided(), failing()}), k_exit_check_failed);
  EXPECT_EQ(exit_status_for({}), k_exit_ok);
}

TEST(CheckReport, TextHasVerdictsRecordsAndSummary) {
  std::ostringstream out;
  write_text_report(out, {passing(), failing(), undecided()});
  const std::string text = out.str();
  EXPECT_NE(text.find("192.0.2.10  PASS\n"), std::string::npos) << text;
  EXPECT_NE(text.find("192.0.2.11  FAIL\n"), std::string::npos) << text;
  EXPECT_NE(text.find("192.0.2.12  UNKNOWN\n"), std::string::npos) << text;
  EXPECT_NE(text.find("mail.example.com -> 192.0.2.10  (confirms)"), std::string::npos) << text;
  EXPECT_NE(text.find("ok, DNSSEC insecure, TTL 3600s"), std::string::npos) << text;
  EXPECT_NE(text.find("FAIL    PTR record present"), std::string::npos) << text;
  EXPECT_NE(text.find("UNKNOWN PTR record present"), std::string::npos) << text;
  EXPECT_NE(text.find("11.2.0.192.in-addr.arpa. IN PTR mail.example.com."), std::string::npos) << text;
  EXPECT_NE(text.find("reverse zone  2.0.192.in-addr.arpa (primary name server ns1.isp.example"), std::string::npos)
      << text;
  EXPECT_NE(text.find("3 IPs checked: 1 PASS, 1 FAIL, 1 UNKNOWN\n"), std::string::npos) << text;
  EXPECT_EQ(text.find('\033'), std::string::npos);  // no colour unless asked
}

TEST(CheckReport, GenericReasonFromTheClassifierIsSpecific) {
  // The real classifier: the report names the address, where it sits and the pool keyword.
  const checks::GenericClassifier classifier;
  auto classify = [&](std::string_view host, std::string_view ip) { return classifier.classify(host, ip); };
  const std::string host = "c-73-22-11-4.hsd1.ca.comcast.net";
  const CheckResult r = checks::evaluate({.ip = "73.22.11.4"}, "4.11.22.73.in-addr.arpa.",
                                         {.ptr = ok({host + "."}), .forward = {{host, ok({"73.22.11.4"})}}}, classify);
  std::ostringstream out;
  write_text_report(out, {r});
  EXPECT_NE(out.str().find("PTR name looks generic (embeds IP 73.22.11.4 as octets in leftmost label "
                           "\"c-73-22-11-4\" + pool keyword \"hsd\" in label \"hsd1\")"),
            std::string::npos)
      << out.str();
  std::ostringstream json;
  write_json_report(json, {r});
  EXPECT_NE(json.str().find("\"reason\":\"embeds IP 73.22.11.4 as octets in leftmost label"), std::string::npos)
      << json.str();
}

TEST(CheckReport, ColourOnlyWhenAsked) {
  std::ostringstream out;
  write_text_report(out, {failing()}, TextOptions{.colour = true});
  EXPECT_NE(out.str().find("\033[1;31mFAIL\033[0m"), std::string::npos);
}

TEST(CheckReport, JsonIsOneDocumentWithNullsForUndecided) {
  std::ostringstream out;
  write_json_report(out, {passing(), failing(), undecided()});
  const std::string json = out.str();
  EXPECT_EQ(json.front(), '{');
  EXPECT_NE(json.find("\"summary\":{\"checked\":3,\"pass\":1,\"fail\":1,\"unknown\":1,\"exit_status\":1}"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("\"ip\":\"192.0.2.12\",\"reverse_name\":\"12.2.0.192.in-addr.arpa.\",\"verdict\":\"unknown\","
                      "\"success\":null"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("\"ptr_present\":false"), std::string::npos);
  EXPECT_NE(json.find("\"responsible\":\"hostmaster@isp.example\""), std::string::npos);
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    if (c == '{' || c == '[') ++depth;
    if (c == '}' || c == ']') --depth;
    ASSERT_GE(depth, 0);
  }
  EXPECT_EQ(depth, 0);
  EXPECT_FALSE(in_string);
}

}  // namespace
}  // namespace rdns::agent
