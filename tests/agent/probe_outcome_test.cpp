// /probe's pure parts: the deadline from the scrape timeout, when a probe succeeds, and what its
// exposition and debug=true text say (host names, refused addresses, unfinished checks).
#include "agent/probe/probe_outcome.hpp"

#include <gtest/gtest.h>

#include "tests/agent/exposition_parse.hpp"

namespace rdns::agent {
namespace {

using namespace std::chrono_literals;
using checks::LookupStatus;

checks::CheckResult passing(const std::string& ip) {
  checks::CheckResult r;
  r.ip = ip;
  r.ptr_status = LookupStatus::ok;
  r.ptr_hostnames = {"mail.example.test"};
  r.ptr_present = true;
  r.forward_status = LookupStatus::ok;
  r.fcrdns_pass = true;
  r.fcrdns_confirmed_names = 1;
  r.ptr_hostname_valid = true;
  r.success = true;
  return r;
}

TEST(ProbeBudget, ScrapeTimeoutMinusOffsetCappedByTheConfiguredTimeout) {
  const auto without = probe_budget(std::nullopt, 500ms, 10s);
  EXPECT_EQ(without.budget, 10s);
  EXPECT_FALSE(without.from_scrape_timeout);
  EXPECT_EQ(without.reason, "[schedule] timeout 10s (no X-Prometheus-Scrape-Timeout-Seconds header)");

  const auto scrape = probe_budget(2.0, 500ms, 10s);
  EXPECT_EQ(scrape.budget, 1500ms);
  EXPECT_TRUE(scrape.from_scrape_timeout);
  EXPECT_EQ(scrape.reason, "scrape timeout 2.000s minus --probe.timeout-offset 500ms");

  const auto capped = probe_budget(15.0, 500ms, 10s);  // Prometheus allows more than the config
  EXPECT_EQ(capped.budget, 10s);
  EXPECT_FALSE(capped.from_scrape_timeout);

  EXPECT_EQ(probe_budget(0.4, 500ms, 10s).budget, 200ms) << "not longer than the offset: half of it";
  EXPECT_EQ(probe_budget(1.0, 0ms, 10s).budget, 1s);
  EXPECT_EQ(probe_budget(0.0005, 0ms, 10s).budget, 1ms) << "never zero";
}

TEST(ProbeOutcome, SuccessNeedsEveryAddressCheckedAndPassing) {
  ProbeOutcome outcome;
  EXPECT_FALSE(probe_succeeded(outcome)) << "nothing checked";
  outcome.results = {passing("192.0.2.10"), passing("2001:db8::25")};
  outcome.timed_out = {false, false};
  EXPECT_TRUE(probe_succeeded(outcome));
  outcome.refused = {"198.51.100.10"};
  EXPECT_FALSE(probe_succeeded(outcome)) << "an address outside allow_cidrs was not checked";
  outcome.refused.clear();
  outcome.results[1].success = std::nullopt;
  EXPECT_FALSE(probe_succeeded(outcome)) << "undecided is not a pass";
}

TEST(ProbeOutcome, HostNameExpositionAndDebugText) {
  ProbeOutcome outcome;
  outcome.target = "mail.example.test";
  outcome.host = HostLookup{"mail.example.test", LookupStatus::ok, LookupStatus::servfail, {"192.0.2.10"}, 2};
  outcome.refused = {"198.51.100.10"};
  outcome.results = {passing("192.0.2.10")};
  outcome.timed_out = {true};
  outcome.budget = probe_budget(2.0, 500ms, 10s);
  const auto parsed = testing::parse_exposition(probe_exposition(outcome));
  ASSERT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.value("probe_success"), 0.0);
  EXPECT_EQ(parsed.value("probe_host_lookup_status", {{"type", "AAAA"}, {"status", "servfail"}}), 1.0);
  EXPECT_EQ(parsed.value("probe_host_lookup_status", {{"type", "A"}, {"status", "servfail"}}), 0.0);
  EXPECT_EQ(parsed.value("probe_host_addresses", {{"result", "checked"}}), 1.0);
  EXPECT_EQ(parsed.value("probe_host_addresses", {{"result", "refused"}}), 1.0);
  EXPECT_EQ(parsed.value("probe_host_addresses", {{"result", "dropped"}}), 2.0);
  EXPECT_EQ(parsed.value("rdns_ptr_present", {{"ip", "192.0.2.10"}}), 1.0);

  checks::TracedLookup answered;
  answered.name = "mail.example.test.";
  answered.type = checks::RrType::A;
  answered.took = 0.004s;
  answered.answer.status = LookupStatus::ok;
  answered.answer.records = {"192.0.2.10"};
  answered.answer.ttl = 300;
  answered.answer.secure = true;
  checks::TracedLookup pending;
  pending.name = "bad\nname.";  // never breaks the text's lines
  pending.type = checks::RrType::AAAA;
  const std::string text = probe_debug_text(outcome, {answered, pending});
  for (const char* needle :
       {"Probe of mail.example.test: failure", "Deadline: 1.500s, from scrape timeout 2.000s minus",
        "Host name mail.example.test: A ok, AAAA servfail; 1 address(es), 2 more dropped beyond the cap",
        "Not checked: 198.51.100.10 is outside [probe] allow_cidrs",
        "Deadline: the check of 192.0.2.10 had not finished",
        "mail.example.test. A  ok in 0.004s  ttl=300  dnssec=secure", "      answer: 192.0.2.10",
        "bad\\nname. AAAA  no answer yet", "192.0.2.10  PASS", "probe_success 0"}) {
    EXPECT_NE(text.find(needle), std::string::npos) << needle << "\n" << text;
  }
}

}  // namespace
}  // namespace rdns::agent
