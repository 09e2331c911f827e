// `[[targets]] series`: which per-IP series exist in "all" and "failing" mode, and the per-entry
// aggregates that exist in both (rdns_target_ips, rdns_target_check_failures,
// rdns_target_lookup_problems, rdns_target_oldest_check_timestamp_seconds).
#include <gtest/gtest.h>

#include "agent/metrics/exposition_writer.hpp"
#include "agent/metrics/target_families.hpp"
#include "agent/store/result_store.hpp"
#include "checks/zone/zone_report.hpp"
#include "agent/service/service.hpp"
#include "tests/agent/agent_test_results.hpp"
#include "tests/agent/exposition_parse.hpp"

namespace rdns::agent {
namespace {

using namespace rdns::agent::testing;
using checks::LookupStatus;
using config::SeriesMode;

constexpr const char* k_entry = "198.51.100.0/29";

std::vector<config::Target> entry_targets(SeriesMode mode, int count = 6) {
  std::vector<config::Target> targets;
  for (int i = 0; i < count; ++i) {
    config::Target t;
    t.ip = "198.51.100." + std::to_string(i);
    t.entry = k_entry;
    t.labels = {{"pool", "outbound"}};
    t.series = mode;
    targets.push_back(std::move(t));
  }
  return targets;
}

Exposition scrape(const ResultStore& store) {
  const auto snapshot = store.snapshot();
  const auto rows = exposition_rows(snapshot);
  metrics::TextSink sink;
  metrics::emit_target_families(rows, sink);
  metrics::emit_target_aggregates(rows, sink);
  sink.finish();
  Exposition parsed = parse_exposition(sink.text());
  EXPECT_EQ(parsed.error, "");
  return parsed;
}

// Every sample carrying ip="<ip>", whatever the family.
std::size_t series_of_ip(const Exposition& parsed, const std::string& ip) {
  std::size_t n = 0;
  for (const auto& sample : parsed.samples) {
    auto it = sample.labels.find("ip");
    if (it != sample.labels.end() && it->second == ip) ++n;
  }
  return n;
}

checks::CheckResult fcrdns_failing(const std::string& ip, double at) {
  checks::CheckResult result = passing_result(ip, {"mail.example.com"}, at);
  result.forward[0].addresses = {"192.0.2.99"};
  result.forward[0].confirms = false;
  result.fcrdns_pass = false;
  result.fcrdns_confirmed_names = 0;
  result.success = false;
  return result;
}

// .0 passes, .1 has no PTR, .2 fails FCrDNS, .3 never had a decisive answer (timeout), .4
// passed and then its forward lookup got SERVFAIL (pass kept), .5 is not checked yet.
void fill_mixed(ResultStore& store, SeriesMode mode) {
  const auto ids = store.set_targets(entry_targets(mode));
  EXPECT_TRUE(store.record(ids[0].id, passing_result("198.51.100.0", {"mail0.example.com"}, 1700000300.0)));
  EXPECT_TRUE(store.record(ids[1].id, missing_ptr_result("198.51.100.1", 1700000200.0)));
  EXPECT_TRUE(store.record(ids[2].id, fcrdns_failing("198.51.100.2", 1700000250.0)));
  EXPECT_TRUE(store.record(ids[3].id, failed_lookup_result("198.51.100.3", LookupStatus::timeout, 1700000260.0)));
  EXPECT_TRUE(store.record(ids[4].id, passing_result("198.51.100.4", {"mail4.example.com"}, 1700000100.0)));
  checks::CheckResult forward_failed = passing_result("198.51.100.4", {"mail4.example.com"}, 1700000400.0);
  forward_failed.forward[0].status = LookupStatus::servfail;
  forward_failed.forward_status = LookupStatus::servfail;
  forward_failed.fcrdns_pass = std::nullopt;
  forward_failed.success = std::nullopt;
  EXPECT_TRUE(store.record(ids[4].id, forward_failed));
}

Exposition scrape_mixed(SeriesMode mode) {
  ResultStore store;
  fill_mixed(store, mode);
  return scrape(store);
}

TEST(SeriesMode, FailingModeWritesPerIpSeriesOnlyForIpsThatDoNotPass) {
  const Exposition parsed = scrape_mixed(SeriesMode::failing);
  EXPECT_EQ(series_of_ip(parsed, "198.51.100.0"), 0u) << "a passing IP has no per-IP series";
  EXPECT_EQ(series_of_ip(parsed, "198.51.100.5"), 0u) << "a pending IP has no per-IP series";

  const std::map<std::string, std::string> missing{{"ip", "198.51.100.1"}, {"pool", "outbound"}};
  EXPECT_EQ(parsed.value("rdns_ptr_present", missing), 0.0);
  EXPECT_EQ(parsed.value("rdns_check_success", missing), 0.0);
  EXPECT_EQ(parsed.value("rdns_ptr_lookup_status", {{"ip", "198.51.100.1"}, {"status", "nxdomain"}}), 1.0);
  EXPECT_EQ(parsed.value("rdns_target_info", {{"ip", "198.51.100.1"}, {"target", k_entry}}), 1.0);

  EXPECT_EQ(parsed.value("rdns_fcrdns_pass", {{"ip", "198.51.100.2"}}), 0.0);
  EXPECT_EQ(parsed.value("rdns_ptr_present", {{"ip", "198.51.100.2"}}), 1.0)
      << "all its families, not only the failing one";
  EXPECT_EQ(parsed.value("rdns_ptr_info", {{"ip", "198.51.100.2"}, {"hostname", "mail.example.com"}}), 1.0);
  EXPECT_EQ(parsed.value("rdns_target_info", {{"ip", "198.51.100.2"}}), 1.0);

  // Lookup problems: the undecided IP and the one whose pass was kept through a SERVFAIL.
  EXPECT_EQ(parsed.value("rdns_ptr_lookup_status", {{"ip", "198.51.100.3"}, {"status", "timeout"}}), 1.0);
  EXPECT_TRUE(parsed.find("rdns_check_success", {{"ip", "198.51.100.3"}}).empty()) << "still no verdict";
  EXPECT_EQ(parsed.value("rdns_target_info", {{"ip", "198.51.100.3"}}), 1.0);
  EXPECT_EQ(parsed.value("rdns_forward_lookup_status", {{"ip", "198.51.100.4"}, {"status", "servfail"}}), 1.0);
  EXPECT_EQ(parsed.value("rdns_check_success", {{"ip", "198.51.100.4"}}), 1.0) << "the kept verdict";
  EXPECT_EQ(parsed.value("rdns_target_info", {{"ip", "198.51.100.4"}}), 1.0);
}

// A pass whose reverse zone's servers serve different PTR sets keeps its per-IP series with
// "failing": RdnsPtrInconsistent needs rdns_ptr_consistent 0 per IP. Agreeing servers, or an
// undecidable survey, leave a pass without series.
TEST(SeriesMode, FailingModeKeepsSeriesOfAPassWhoseZoneServersDisagree) {
  ResultStore store;
  const auto ids = store.set_targets(entry_targets(SeriesMode::failing, 3));
  const std::array<checks::Consistency, 3> states = {checks::Consistency::inconsistent,
                                                     checks::Consistency::consistent,
                                                     checks::Consistency::undecidable};
  for (std::size_t i = 0; i < states.size(); ++i) {
    const std::string ip = "198.51.100." + std::to_string(i);
    checks::CheckResult result = passing_result(ip, {"mail.example.com"}, 1700000300.0);
    auto consistency = std::make_shared<checks::PtrConsistency>();
    consistency->state = states[i];
    result.ptr_consistency = consistency;
    EXPECT_TRUE(store.record(ids[i].id, result));
  }
  const Exposition parsed = scrape(store);
  EXPECT_EQ(parsed.value("rdns_ptr_consistent", {{"ip", "198.51.100.0"}}), 0.0);
  EXPECT_EQ(parsed.value("rdns_check_success", {{"ip", "198.51.100.0"}}), 1.0) << "its other families too";
  EXPECT_EQ(parsed.value("rdns_target_info", {{"ip", "198.51.100.0"}, {"target", k_entry}}), 1.0);
  EXPECT_EQ(series_of_ip(parsed, "198.51.100.1"), 0u) << "servers agree: a plain pass";
  EXPECT_EQ(series_of_ip(parsed, "198.51.100.2"), 0u) << "undecidable: nothing to page on";
}

TEST(SeriesMode, AllModeWritesPerIpSeriesForEveryCheckedIp) {
  const Exposition parsed = scrape_mixed(SeriesMode::all);
  for (int i = 0; i < 5; ++i) {
    const std::string ip = "198.51.100." + std::to_string(i);
    EXPECT_GT(series_of_ip(parsed, ip), 1u) << ip;
    EXPECT_EQ(parsed.value("rdns_target_info", {{"ip", ip}, {"target", k_entry}}), 1.0) << ip;
  }
  EXPECT_EQ(parsed.value("rdns_check_success", {{"ip", "198.51.100.0"}}), 1.0);
  // Not checked yet: only its rdns_target_info (as before series modes existed).
  EXPECT_EQ(series_of_ip(parsed, "198.51.100.5"), 1u);
}

// The counts do not depend on the mode: the same labels and values in both. Only the oldest
// check time is written for "failing" entries alone (in "all" every IP has its own).
TEST(SeriesMode, AggregatesAreTheSameInBothModesAndCountPerCheck) {
  const Exposition failing = scrape_mixed(SeriesMode::failing);
  const Exposition all = scrape_mixed(SeriesMode::all);
  for (const char* family : {"rdns_target_ips", "rdns_target_check_failures", "rdns_target_lookup_problems"}) {
    const auto a = all.find(family);
    const auto f = failing.find(family);
    ASSERT_FALSE(a.empty()) << family;
    ASSERT_EQ(a.size(), f.size()) << family;
    for (std::size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].labels, f[i].labels) << family;
      EXPECT_EQ(a[i].value, f[i].value) << family;
    }
  }
  const std::map<std::string, std::string> entry{{"target", k_entry}, {"pool", "outbound"}};
  auto with = [&](std::string key, std::string value) {
    auto labels = entry;
    labels[std::move(key)] = std::move(value);
    return labels;
  };
  EXPECT_EQ(failing.value("rdns_target_ips", with("result", "pass")), 2.0);  // .0 and .4 (kept)
  EXPECT_EQ(failing.value("rdns_target_ips", with("result", "fail")), 2.0);
  EXPECT_EQ(failing.value("rdns_target_ips", with("result", "undecided")), 1.0);
  EXPECT_EQ(failing.value("rdns_target_ips", with("result", "pending")), 1.0);
  EXPECT_EQ(failing.value("rdns_target_check_failures", with("check", "ptr")), 1.0);
  EXPECT_EQ(failing.value("rdns_target_check_failures", with("check", "fcrdns")), 1.0);
  EXPECT_EQ(failing.find("rdns_target_check_failures").size(), 2u) << "checks nobody fails are left out";
  EXPECT_EQ(failing.value("rdns_target_lookup_problems", entry), 2.0);
  EXPECT_EQ(failing.value("rdns_target_oldest_check_timestamp_seconds", entry), 1700000200.0);
  EXPECT_TRUE(all.find("rdns_target_oldest_check_timestamp_seconds").empty());
}

// Counts per check agree with the per-IP verdict gauges of "all" mode, an IP without a PTR
// counted under ptr only (the one without a PTR here also says FCrDNS 0, as the checker does).
TEST(SeriesMode, CheckFailuresMatchTheVerdictGauges) {
  ResultStore store;
  fill_mixed(store, SeriesMode::all);
  checks::CheckResult no_ptr = missing_ptr_result("198.51.100.1", 1700000500.0);
  no_ptr.fcrdns_pass = false;
  no_ptr.expected_hostname_match = false;
  const auto ids = store.set_targets(entry_targets(SeriesMode::all));  // same targets: same ids
  ASSERT_TRUE(store.record(ids[1].id, no_ptr));
  const Exposition all = scrape(store);
  EXPECT_EQ(all.value("rdns_fcrdns_pass", {{"ip", "198.51.100.1"}}), 0.0);
  EXPECT_EQ(all.value("rdns_target_check_failures", {{"check", "fcrdns"}}), 1.0) << "198.51.100.2 only";
  EXPECT_TRUE(all.find("rdns_target_check_failures", {{"check", "expected_hostname"}}).empty());
  auto failures = [&](const std::string& check) {
    return all.value("rdns_target_check_failures", {{"check", check}}).value_or(0.0);  // absent: 0
  };
  auto count = [&](const std::string& family, double failing_value) {
    double n = 0;
    for (const auto& sample : all.find(family)) {
      const bool no_ptr_ip = all.value("rdns_ptr_present", {{"ip", sample.labels.at("ip")}}) == 0.0;
      n += (sample.value == failing_value && (family == "rdns_ptr_present" || !no_ptr_ip)) ? 1 : 0;
    }
    return n;
  };
  EXPECT_EQ(failures("ptr"), count("rdns_ptr_present", 0));
  EXPECT_EQ(failures("fcrdns"), count("rdns_fcrdns_pass", 0));
  EXPECT_EQ(failures("generic"), count("rdns_generic_hostname", 1));
  EXPECT_EQ(failures("hostname_valid"), count("rdns_ptr_hostname_valid", 0));
  EXPECT_EQ(failures("expected_hostname"), count("rdns_expected_hostname_match", 0));
}

// fail -> pass -> fail in "failing" mode: the series go away while it passes and come back.
TEST(SeriesMode, AnIpFlippingFailPassFailLosesAndRegainsItsSeries) {
  ResultStore store;
  const auto ids = store.set_targets(entry_targets(SeriesMode::failing, 2));
  ASSERT_TRUE(store.record(ids[1].id, passing_result("198.51.100.1", {"mail1.example.com"}, 1700000000.0)));

  ASSERT_TRUE(store.record(ids[0].id, missing_ptr_result("198.51.100.0", 1700000100.0)));
  Exposition parsed = scrape(store);
  EXPECT_EQ(parsed.value("rdns_ptr_present", {{"ip", "198.51.100.0"}}), 0.0);
  EXPECT_EQ(parsed.value("rdns_target_info", {{"ip", "198.51.100.0"}}), 1.0);
  EXPECT_EQ(parsed.value("rdns_target_check_failures", {{"check", "ptr"}}), 1.0);
  EXPECT_EQ(series_of_ip(parsed, "198.51.100.1"), 0u);

  ASSERT_TRUE(store.record(ids[0].id, passing_result("198.51.100.0", {"mail0.example.com"}, 1700000400.0)));
  parsed = scrape(store);
  EXPECT_EQ(series_of_ip(parsed, "198.51.100.0"), 0u);
  EXPECT_TRUE(parsed.find("rdns_target_check_failures").empty()) << "nothing fails: no count";
  EXPECT_TRUE(parsed.find("rdns_target_lookup_problems").empty());
  EXPECT_EQ(parsed.value("rdns_target_oldest_check_timestamp_seconds"), 1700000000.0);
  EXPECT_EQ(parsed.value("rdns_target_ips", {{"result", "pass"}}), 2.0);
  EXPECT_TRUE(parsed.find("rdns_target_info").empty());

  ASSERT_TRUE(store.record(ids[0].id, missing_ptr_result("198.51.100.0", 1700000700.0)));
  parsed = scrape(store);
  EXPECT_EQ(parsed.value("rdns_ptr_present", {{"ip", "198.51.100.0"}}), 0.0);
  EXPECT_EQ(parsed.value("rdns_ptr_last_change_timestamp_seconds", {{"ip", "198.51.100.0"}}), 1700000700.0);
  EXPECT_EQ(parsed.value("rdns_target_check_failures", {{"check", "ptr"}}), 1.0);
  EXPECT_EQ(parsed.value("rdns_target_ips", {{"result", "fail"}}), 1.0);
}

// A reload that changes only the series mode keeps the results and applies the new mode.
TEST(SeriesMode, AReloadChangesTheModeAndKeepsResults) {
  ResultStore store;
  auto ids = store.set_targets(entry_targets(SeriesMode::all, 1));
  ASSERT_TRUE(store.record(ids[0].id, passing_result("198.51.100.0", {"mail0.example.com"}, 1700000000.0)));
  EXPECT_GT(series_of_ip(scrape(store), "198.51.100.0"), 1u);
  ids = store.set_targets(entry_targets(SeriesMode::failing, 1));
  const Exposition parsed = scrape(store);
  EXPECT_EQ(series_of_ip(parsed, "198.51.100.0"), 0u);
  EXPECT_EQ(parsed.value("rdns_target_ips", {{"result", "pass"}}), 1.0);
}

// Entries of both modes in one exposition: each keeps its own rule, families stay contiguous.
TEST(SeriesMode, EntriesOfBothModesSideBySide) {
  std::vector<config::Target> targets = entry_targets(SeriesMode::failing, 2);
  config::Target single;
  single.ip = "192.0.2.10";
  single.entry = "192.0.2.10";
  targets.push_back(single);
  ResultStore store;
  const auto ids = store.set_targets(targets);
  for (const auto& id : ids) ASSERT_TRUE(store.record(id.id, passing_result(id.ip, {"mail.example.com"})));
  const Exposition parsed = scrape(store);
  EXPECT_EQ(series_of_ip(parsed, "198.51.100.0"), 0u);
  EXPECT_EQ(parsed.value("rdns_check_success", {{"ip", "192.0.2.10"}}), 1.0);
  EXPECT_EQ(parsed.value("rdns_target_ips", {{"target", "192.0.2.10"}, {"result", "pass"}}), 1.0);
  EXPECT_EQ(parsed.value("rdns_target_ips", {{"target", k_entry}, {"result", "pass"}}), 2.0);
  EXPECT_EQ(parsed.value("rdns_target_oldest_check_timestamp_seconds", {{"target", k_entry}}), 1700000000.5);
  EXPECT_TRUE(parsed.find("rdns_target_oldest_check_timestamp_seconds", {{"target", "192.0.2.10"}}).empty());
}

}  // namespace
}  // namespace rdns::agent
