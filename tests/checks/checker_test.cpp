// The Checker against a scripted resolver: every DNS corner case the product promises, each delivered
// three ways (re-entrant, out of order by hand, from another thread, newest first).
#include "checks/checker.hpp"

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "tests/checks/fakes/fake_resolver.hpp"

// Designated initializers that leave fields at their defaults are the point of the tables.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace rdns::checks {
namespace {

using testing::answer_ok;
using testing::answer_status;
using testing::FakeResolver;

constexpr const char* k_rev4 = "10.2.0.192.in-addr.arpa.";
constexpr const char* k_rev6 = "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.";

struct Scripted {
  std::string name;
  RrType type;
  DnsAnswer answer;
};

struct Scenario {
  std::string label;
  std::string ip = "192.0.2.10";
  std::vector<Scripted> script;
  std::string expected_hostname;
  std::string helo_hostname;
  // What the check must find.
  LookupStatus ptr_status = LookupStatus::ok;
  std::vector<std::string> hostnames;
  std::optional<bool> ptr_present;
  std::optional<bool> valid;
  std::optional<LookupStatus> forward_status;
  std::optional<bool> fcrdns;
  int confirmed = 0;
  std::optional<bool> generic;
  std::optional<bool> expected_match;
  std::optional<bool> helo_match;
  std::optional<bool> success;
};

void PrintTo(const Scenario& scenario, std::ostream* out) { *out << scenario.label; }

DnsAnswer with_soa(DnsAnswer answer, SoaInfo soa) {
  answer.authority_soa = std::move(soa);
  return answer;
}
DnsAnswer with_cname(DnsAnswer answer, std::string target) {
  answer.canonical_name = std::move(target);
  return answer;
}
DnsAnswer secure(DnsAnswer answer) {
  answer.secure = true;
  return answer;
}

const SoaInfo k_reverse_soa{"2.0.192.in-addr.arpa", "ns1.isp.example", "hostmaster@isp.example"};

std::vector<Scenario> scenarios() {
  using S = LookupStatus;
  const auto ptr4 = [](std::vector<std::string> names) {
    return Scripted{k_rev4, RrType::PTR, answer_ok(std::move(names))};
  };
  const auto a = [](std::string name, std::vector<std::string> addresses) {
    return Scripted{std::move(name), RrType::A, answer_ok(std::move(addresses))};
  };
  const auto a_status = [](std::string name, S status) {
    return Scripted{std::move(name), RrType::A, answer_status(status, "scripted")};
  };
  return {
      {.label = "good_v4",
       .script = {ptr4({"mail.example.com."}), a("mail.example.com.", {"192.0.2.10"})},
       .hostnames = {"mail.example.com"},
       .ptr_present = true,
       .valid = true,
       .forward_status = S::ok,
       .fcrdns = true,
       .confirmed = 1,
       .generic = false,
       .success = true},
      {.label = "good_v6",
       .ip = "2001:db8::10",
       .script = {{k_rev6, RrType::PTR, answer_ok({"mail6.example.com."})},
                  {"mail6.example.com.", RrType::AAAA, answer_ok({"2001:db8::10"})},
                  a("mail6.example.com.", {"192.0.2.10"})},
       .hostnames = {"mail6.example.com"},
       .ptr_present = true,
       .valid = true,
       .forward_status = S::ok,
       .fcrdns = true,
       .confirmed = 1,
       .generic = false,
       .success = true},
      {.label = "v6_checks_aaaa_not_a",
       .ip = "2001:db8::10",
       .script = {{k_rev6, RrType::PTR, answer_ok({"mail6.example.com."})},
                  {"mail6.example.com.", RrType::AAAA, answer_status(S::nodata)},
                  a("mail6.example.com.", {"2001:db8::10"})},
       .hostnames = {"mail6.example.com"},
       .ptr_present = true,
       .valid = true,
       .forward_status = S::nodata,
       .fcrdns = false,
       .generic = false,
       .success = false},
      {.label = "ptr_nxdomain",
       .script = {{k_rev4, RrType::PTR, with_soa(answer_status(S::nxdomain), k_reverse_soa)}},
       .ptr_status = S::nxdomain,
       .ptr_present = false,
       .fcrdns = false,
       .success = false},
      {.label = "ptr_nodata",
       .script = {{k_rev4, RrType::PTR, answer_status(S::nodata)}},
       .ptr_status = S::nodata,
       .ptr_present = false,
       .fcrdns = false,
       .success = false},
      {.label = "ptr_ok_but_empty_is_nodata",
       .script = {{k_rev4, RrType::PTR, answer_ok({})}},
       .ptr_status = S::nodata,
       .ptr_present = false,
       .fcrdns = false,
       .success = false},
      {.label = "name_without_a",
       .script = {ptr4({"mail.example.com."}), a_status("mail.example.com.", S::nodata)},
       .hostnames = {"mail.example.com"},
       .ptr_present = true,
       .valid = true,
       .forward_status = S::nodata,
       .fcrdns = false,
       .generic = false,
       .success = false},
      {.label = "name_nxdomain",
       .script = {ptr4({"gone.example.com."}), a_status("gone.example.com.", S::nxdomain)},
       .hostnames = {"gone.example.com"},
       .ptr_present = true,
       .valid = true,
       .forward_status = S::nxdomain,
       .fcrdns = false,
       .generic = false,
       .success = false},
      {.label = "wrong_a",
       .script = {ptr4({"mail.example.com."}), a("mail.example.com.", {"192.0.2.99", "192.0.2.11"})},
       .hostnames = {"mail.example.com"},
       .ptr_present = true,
       .valid = true,
       .forward_status = S::ok,
       .fcrdns = false,
       .generic = false,
       .success = false},
      {.label = "v4_name_with_only_aaaa",
       .script = {ptr4({"six.example.com."}),
                  a_status("six.example.com.", S::nodata),
                  {"six.example.com.", RrType::AAAA, answer_ok({"2001:db8::10"})}},
       .hostnames = {"six.example.com"},
       .ptr_present = true,
       .valid = true,
       .forward_status = S::nodata,
       .fcrdns = false,
       .generic = false,
       .success = false},
      {.label = "two_ptrs_one_confirms",
       .script = {ptr4({"other.example.net.", "mail.example.com."}), a("other.example.net.", {"198.51.100.1"}),
                  a("mail.example.com.", {"192.0.2.10"})},
       .hostnames = {"mail.example.com", "other.example.net"},
       .ptr_present = true,
       .valid = true,
       .forward_status = S::ok,
       .fcrdns = true,
       .confirmed = 1,
       .generic = false,
       .success = true},
      {.label = "two_ptrs_both_confirm",
       .script = {ptr4({"a.example.com.", "b.example.com."}), a("a.example.com.", {"192.0.2.10"}),
                  a("b.example.com.", {"192.0.2.1", "192.0.2.10"})},
       .hostnames = {"a.example.com", "b.example.com"},
       .ptr_present = true,
       .valid = true,
       .forward_status = S::ok,
       .fcrdns = true,
       .confirmed = 2,
       .generic = false,
       .success = true},
      {.label = "rfc2317_cname",
       .script = {{k_rev4, RrType::PTR, with_cname(answer_ok({"mail.example.com."}), "10.0/26.2.0.192.in-addr.arpa.")},
                  a("mail.example.com.", {"192.0.2.10"})},
       .hostnames = {"mail.example.com"},
       .ptr_present = true,
       .valid = true,
       .forward_status = S::ok,
       .fcrdns = true,
       .confirmed = 1,
       .generic = false,
       .success = true},
      {.label = "rfc2317_cname_target_nxdomain",
       .script = {{k_rev4, RrType::PTR, with_cname(answer_status(S::nxdomain), "10.0/26.2.0.192.in-addr.arpa.")}},
       .ptr_status = S::nxdomain,
       .ptr_present = false,
       .fcrdns = false,
       .success = false},
      {.label = "forward_behind_cname",
       .script = {ptr4({"alias.example.com."}),
                  {"alias.example.com.", RrType::A, with_cname(answer_ok({"192.0.2.10"}), "real.example.com.")}},
       .hostnames = {"alias.example.com"},
       .ptr_present = true,
       .valid = true,
       .forward_status = S::ok,
       .fcrdns = true,
       .confirmed = 1,
       .generic = false,
       .success = true},
      {.label = "mixed_case",
       .script = {ptr4({"MAIL.Example.COM."}), a("mail.example.com.", {"192.0.2.10"})},
       .expected_hostname = "Mail.Example.com.",
       .helo_hostname = "mail.EXAMPLE.com",
       .hostnames = {"mail.example.com"},
       .ptr_present = true,
       .valid = true,
       .forward_status = S::ok,
       .fcrdns = true,
       .confirmed = 1,
       .generic = false,
       .expected_match = true,
       .helo_match = true,
       .success = true},
      {.label = "non_hostname_ptr",
       .script = {ptr4({"mail\\032server.example.com."}), a("mail\\032server.example.com.", {"192.0.2.10"})},
       .hostnames = {"mail\\032server.example.com"},
       .ptr_present = true,
       .valid = false,
       .forward_status = S::ok,
       .fcrdns = true,
       .confirmed = 1,
       .generic = false,
       .success = false},
      {.label = "all_numeric_ptr",
       .script = {ptr4({"192.0.2.10."}), a_status("192.0.2.10.", S::nxdomain)},
       .hostnames = {"192.0.2.10"},
       .ptr_present = true,
       .valid = false,
       .forward_status = S::nxdomain,
       .fcrdns = false,
       .generic = false,
       .success = false},
      {.label = "ptr_servfail",
       .script = {{k_rev4, RrType::PTR, answer_status(S::servfail)}},
       .ptr_status = S::servfail},
      {.label = "ptr_timeout",
       .script = {{k_rev4, RrType::PTR, answer_status(S::timeout)}},
       .expected_hostname = "mail.example.com",
       .ptr_status = S::timeout},
      {.label = "ptr_refused", .script = {{k_rev4, RrType::PTR, answer_status(S::refused)}}, .ptr_status = S::refused},
      {.label = "ptr_bogus_with_data_is_not_used",
       .script = {{k_rev4, RrType::PTR,
                   [] {
                     DnsAnswer bogus = answer_ok({"evil.example.com."});
                     bogus.status = LookupStatus::bogus;
                     bogus.detail = "signature expired";
                     return bogus;
                   }()},
                  a("evil.example.com.", {"192.0.2.10"})},
       .ptr_status = S::bogus},
      {.label = "ptr_secure",
       .script = {{k_rev4, RrType::PTR, secure(answer_ok({"mail.example.com."}))},
                  a("mail.example.com.", {"192.0.2.10"})},
       .hostnames = {"mail.example.com"},
       .ptr_present = true,
       .valid = true,
       .forward_status = S::ok,
       .fcrdns = true,
       .confirmed = 1,
       .generic = false,
       .success = true},
      {.label = "forward_servfail",
       .script = {ptr4({"mail.example.com."}), a_status("mail.example.com.", S::servfail)},
       .hostnames = {"mail.example.com"},
       .ptr_present = true,
       .valid = true,
       .forward_status = S::servfail,
       .generic = false},
      {.label = "forward_timeout_other_confirms",
       .script = {ptr4({"slow.example.net.", "mail.example.com."}), a_status("slow.example.net.", S::timeout),
                  a("mail.example.com.", {"192.0.2.10"})},
       .hostnames = {"mail.example.com", "slow.example.net"},
       .ptr_present = true,
       .valid = true,
       .forward_status = S::timeout,
       .fcrdns = true,
       .confirmed = 1,
       .generic = false,
       .success = true},
      {.label = "forward_bogus_other_nodata",
       .script = {ptr4({"a.example.com.", "b.example.com."}), a_status("a.example.com.", S::bogus),
                  a_status("b.example.com.", S::nodata)},
       .hostnames = {"a.example.com", "b.example.com"},
       .ptr_present = true,
       .valid = true,
       .forward_status = S::bogus,
       .generic = false},
      {.label = "forward_timeout_but_generic_fails",
       .script = {ptr4({"dynamic-192-0-2-10.isp.example."}), a_status("dynamic-192-0-2-10.isp.example.", S::timeout)},
       .hostnames = {"dynamic-192-0-2-10.isp.example"},
       .ptr_present = true,
       .valid = true,
       .forward_status = S::timeout,
       .generic = true,
       .success = false},
      {.label = "generic_name",
       .script = {ptr4({"dynamic-192-0-2-10.isp.example."}), a("dynamic-192-0-2-10.isp.example.", {"192.0.2.10"})},
       .hostnames = {"dynamic-192-0-2-10.isp.example"},
       .ptr_present = true,
       .valid = true,
       .forward_status = S::ok,
       .fcrdns = true,
       .confirmed = 1,
       .generic = true,
       .success = false},
      {.label = "any_generic_name_counts",
       .script = {ptr4({"mail.example.com.", "dynamic-1.isp.example."}), a("mail.example.com.", {"192.0.2.10"}),
                  a("dynamic-1.isp.example.", {"192.0.2.10"})},
       .hostnames = {"dynamic-1.isp.example", "mail.example.com"},
       .ptr_present = true,
       .valid = true,
       .forward_status = S::ok,
       .fcrdns = true,
       .confirmed = 2,
       .generic = true,
       .success = false},
      {.label = "expected_mismatch",
       .script = {ptr4({"mail.example.com."}), a("mail.example.com.", {"192.0.2.10"})},
       .expected_hostname = "mx.example.com",
       .hostnames = {"mail.example.com"},
       .ptr_present = true,
       .valid = true,
       .forward_status = S::ok,
       .fcrdns = true,
       .confirmed = 1,
       .generic = false,
       .expected_match = false,
       .success = false},
      {.label = "expected_with_nxdomain_is_mismatch",
       .script = {{k_rev4, RrType::PTR, answer_status(S::nxdomain)}},
       .expected_hostname = "mail.example.com",
       .ptr_status = S::nxdomain,
       .ptr_present = false,
       .fcrdns = false,
       .expected_match = false,
       .success = false},
      {.label = "helo_not_a_ptr_name",
       .script = {ptr4({"mail.example.com."}), a("mail.example.com.", {"192.0.2.10"}),
                  a("smtp.example.com.", {"192.0.2.10"})},
       .helo_hostname = "smtp.example.com",
       .hostnames = {"mail.example.com"},
       .ptr_present = true,
       .valid = true,
       .forward_status = S::ok,
       .fcrdns = true,
       .confirmed = 1,
       .generic = false,
       .helo_match = false,
       .success = false},
      {.label = "helo_is_ptr_name_but_points_elsewhere",
       .script = {ptr4({"mail.example.com."}), a("mail.example.com.", {"192.0.2.99"})},
       .helo_hostname = "mail.example.com",
       .hostnames = {"mail.example.com"},
       .ptr_present = true,
       .valid = true,
       .forward_status = S::ok,
       .fcrdns = false,
       .generic = false,
       .helo_match = false,
       .success = false},
      {.label = "helo_is_ptr_name_lookup_servfail_is_undecided",
       .script = {ptr4({"mail.example.com."}), a_status("mail.example.com.", S::servfail)},
       .helo_hostname = "mail.example.com",
       .hostnames = {"mail.example.com"},
       .ptr_present = true,
       .valid = true,
       .forward_status = S::servfail,
       .generic = false},
      {.label = "helo_not_ptr_name_whatever_its_lookup_says",
       .script = {ptr4({"mail.example.com."}), a("mail.example.com.", {"192.0.2.10"}),
                  a_status("smtp.example.com.", S::servfail)},
       .helo_hostname = "smtp.example.com",
       // not a PTR name: definitively false whatever its lookup said
       .hostnames = {"mail.example.com"},
       .ptr_present = true,
       .valid = true,
       .forward_status = S::ok,
       .fcrdns = true,
       .confirmed = 1,
       .generic = false,
       .helo_match = false,
       .success = false},
      {.label = "ptr_servfail_helo_nxdomain_fails",
       .script = {{k_rev4, RrType::PTR, answer_status(S::servfail)}, a_status("smtp.example.com.", S::nxdomain)},
       .helo_hostname = "smtp.example.com",
       .ptr_status = S::servfail,
       .helo_match = false,
       .success = false},
      {.label = "ptr_servfail_helo_resolves_is_undecided",
       .script = {{k_rev4, RrType::PTR, answer_status(S::servfail)}, a("smtp.example.com.", {"192.0.2.10"})},
       .helo_hostname = "smtp.example.com",
       .ptr_status = S::servfail},
      {.label = "duplicate_ptr_names_by_case",
       .script = {ptr4({"mail.example.com.", "MAIL.example.com."}), a("mail.example.com.", {"192.0.2.10"})},
       .hostnames = {"mail.example.com"},
       .ptr_present = true,
       .valid = true,
       .forward_status = S::ok,
       .fcrdns = true,
       .confirmed = 1,
       .generic = false,
       .success = true},
  };
}

enum class Delivery { immediate, manual_fifo, manual_lifo, threaded };

void PrintTo(Delivery delivery, std::ostream* out) {
  static constexpr const char* k_names[] = {"immediate", "manual_fifo", "manual_lifo", "threaded"};
  *out << k_names[static_cast<int>(delivery)];
}

class CheckerScenarioTest : public ::testing::TestWithParam<std::tuple<Scenario, Delivery>> {};

GenericVerdict fake_classify(std::string_view hostname, std::string_view) {
  GenericVerdict verdict;
  verdict.generic = hostname.find("dynamic") != std::string_view::npos;
  verdict.score = verdict.generic ? 0.9 : 0.1;
  verdict.reason = verdict.generic ? "test rule: dynamic" : "";
  return verdict;
}

CheckResult run_with(FakeResolver& resolver, Delivery delivery, const CheckRequest& request) {
  Checker checker(resolver, fake_classify);
  if (delivery == Delivery::immediate || delivery == Delivery::threaded) return run_check(checker, request);
  std::optional<CheckResult> result;
  int calls = 0;
  checker.start(request, [&](CheckResult r) {
    ++calls;
    result = std::move(r);
  });
  resolver.deliver(delivery == Delivery::manual_fifo ? FakeResolver::Order::fifo : FakeResolver::Order::lifo);
  EXPECT_EQ(calls, 1);
  return result.value_or(CheckResult{});
}

FakeResolver::Mode mode_for(Delivery delivery) {
  switch (delivery) {
    case Delivery::immediate: return FakeResolver::Mode::immediate;
    case Delivery::threaded: return FakeResolver::Mode::threaded;
    default: return FakeResolver::Mode::manual;
  }
}

TEST_P(CheckerScenarioTest, GivesTheRightVerdicts) {
  const auto& [scenario, delivery] = GetParam();
  FakeResolver resolver(mode_for(delivery));
  for (const Scripted& entry : scenario.script) resolver.script(entry.name, entry.type, entry.answer);
  CheckRequest request{.ip = scenario.ip,
                       .expected_hostname = scenario.expected_hostname,
                       .helo_hostname = scenario.helo_hostname,
                       .timeout = std::chrono::seconds(5),
                       .want_soa = false};
  const CheckResult result = run_with(resolver, delivery, request);

  EXPECT_EQ(result.ip, scenario.ip);
  EXPECT_EQ(result.ptr_status, scenario.ptr_status);
  EXPECT_EQ(result.ptr_hostnames, scenario.hostnames);
  EXPECT_EQ(result.ptr_present, scenario.ptr_present);
  EXPECT_EQ(result.ptr_hostname_valid, scenario.valid);
  EXPECT_EQ(result.forward_status, scenario.forward_status);
  EXPECT_EQ(result.fcrdns_pass, scenario.fcrdns);
  EXPECT_EQ(result.fcrdns_confirmed_names, scenario.confirmed);
  EXPECT_EQ(result.generic ? std::optional<bool>(result.generic->generic) : std::nullopt, scenario.generic);
  EXPECT_EQ(result.expected_hostname_match, scenario.expected_match);
  EXPECT_EQ(result.helo_match, scenario.helo_match);
  EXPECT_EQ(result.success, scenario.success);
  EXPECT_EQ(result.forward.size(), scenario.hostnames.size());
  // The contract's rule: no record verdict from a resolver problem.
  if (!is_definitive(result.ptr_status)) {
    EXPECT_FALSE(result.ptr_present.has_value());
    EXPECT_FALSE(result.fcrdns_pass.has_value());
    EXPECT_FALSE(result.expected_hostname_match.has_value());
    EXPECT_TRUE(result.ptr_hostnames.empty());
  }
  // Only the IP's own family is asked forward.
  const RrType other = scenario.ip.find(':') == std::string::npos ? RrType::AAAA : RrType::A;
  for (const auto& query : resolver.queries()) EXPECT_NE(query.type, other) << query.name;
}

std::string scenario_name(const ::testing::TestParamInfo<std::tuple<Scenario, Delivery>>& info) {
  static constexpr const char* k_names[] = {"immediate", "manual_fifo", "manual_lifo", "threaded"};
  return std::get<0>(info.param).label + "_" + k_names[static_cast<int>(std::get<1>(info.param))];
}

INSTANTIATE_TEST_SUITE_P(Table, CheckerScenarioTest,
                         ::testing::Combine(::testing::ValuesIn(scenarios()),
                                            ::testing::Values(Delivery::immediate, Delivery::manual_fifo,
                                                              Delivery::manual_lifo, Delivery::threaded)),
                         scenario_name);

TEST(Checker, EveryQueryUsesTheOneDeadline) {
  FakeResolver resolver(FakeResolver::Mode::immediate);
  resolver.script(k_rev4, RrType::PTR, answer_ok({"a.example.com.", "b.example.com."}));
  resolver.script("a.example.com.", RrType::A, answer_ok({"192.0.2.1"}));
  resolver.script("b.example.com.", RrType::A, answer_status(LookupStatus::nodata));
  Checker checker(resolver, fake_classify);
  const auto before = std::chrono::steady_clock::now();
  const CheckResult result = run_check(
      checker,
      {.ip = "192.0.2.10", .helo_hostname = "a.example.com", .timeout = std::chrono::seconds(7), .want_soa = true});
  const auto after = std::chrono::steady_clock::now();
  const auto queries = resolver.queries();
  ASSERT_GE(queries.size(), 4U);  // PTR, HELO, 2 forward (+ SOA)
  for (const auto& query : queries) {
    EXPECT_EQ(query.deadline, queries.front().deadline) << query.name;
    EXPECT_GE(query.deadline, before + std::chrono::seconds(7));
    EXPECT_LE(query.deadline, after + std::chrono::seconds(7));
  }
  EXPECT_EQ(result.success, false);
}

TEST(Checker, CapsTheForwardLookups) {
  FakeResolver resolver(FakeResolver::Mode::immediate);
  std::vector<std::string> names;
  for (int i = 0; i < 40; ++i) {
    const int number = 39 - i;  // answer order reversed: the checker must sort
    names.push_back("n" + std::string(number < 10 ? "0" : "") + std::to_string(number) + ".example.com.");
    resolver.script(names.back(), RrType::A, answer_ok({"192.0.2.10"}));
  }
  resolver.script(k_rev4, RrType::PTR, answer_ok(names));
  Checker checker(resolver, fake_classify);
  const CheckResult result = run_check(checker, {.ip = "192.0.2.10", .want_soa = false});
  EXPECT_EQ(result.ptr_hostnames.size(), 40U);
  EXPECT_EQ(result.forward.size(), k_max_forward_names);
  EXPECT_TRUE(result.forward_capped);
  EXPECT_EQ(result.fcrdns_confirmed_names, static_cast<int>(k_max_forward_names));
  EXPECT_EQ(resolver.queries().size(), 1 + k_max_forward_names);
  EXPECT_TRUE(resolver.was_asked("n00.example.com.", RrType::A));  // sorted: the first ten
  EXPECT_TRUE(resolver.was_asked("n09.example.com.", RrType::A));
  EXPECT_FALSE(resolver.was_asked("n10.example.com.", RrType::A));
}

TEST(Checker, InvalidIpCompletesOnceWithError) {
  FakeResolver resolver(FakeResolver::Mode::immediate);
  Checker checker(resolver, fake_classify);
  int calls = 0;
  CheckResult got;
  checker.start({.ip = "not-an-ip"}, [&](CheckResult result) {
    ++calls;
    got = std::move(result);
  });
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(got.ptr_status, LookupStatus::error);
  EXPECT_FALSE(got.success.has_value());
  EXPECT_TRUE(resolver.queries().empty());
}

TEST(Checker, NonCanonicalIpIsCanonicalised) {
  FakeResolver resolver(FakeResolver::Mode::immediate);
  resolver.script(k_rev6, RrType::PTR, answer_ok({"mail6.example.com."}));
  resolver.script("mail6.example.com.", RrType::AAAA, answer_ok({"2001:db8::10"}));
  Checker checker(resolver, fake_classify);
  const CheckResult result = run_check(checker, {.ip = "2001:DB8:0::10", .want_soa = false});
  EXPECT_EQ(result.ip, "2001:db8::10");
  EXPECT_EQ(result.reverse_name, k_rev6);
  EXPECT_EQ(result.success, true);
}

TEST(Checker, ReportsTtlDnssecAndCname) {
  FakeResolver resolver(FakeResolver::Mode::immediate);
  DnsAnswer ptr = with_cname(secure(answer_ok({"mail.example.com."}, 300)), "10.0/26.2.0.192.in-addr.arpa.");
  resolver.script(k_rev4, RrType::PTR, ptr);
  resolver.script("mail.example.com.", RrType::A, answer_ok({"192.0.2.10"}));
  Checker checker(resolver, fake_classify);
  const CheckResult result = run_check(checker, {.ip = "192.0.2.10", .want_soa = false});
  EXPECT_EQ(result.ptr_ttl, 300U);
  EXPECT_TRUE(result.dnssec_secure);
  EXPECT_EQ(result.ptr_canonical_name, "10.0/26.2.0.192.in-addr.arpa");
}

// SOA for remediation: from the negative answer's authority section when it has one ...
TEST(CheckerSoa, TakesTheAuthoritySoaOfANegativePtrAnswer) {
  FakeResolver resolver(FakeResolver::Mode::immediate);
  resolver.script(k_rev4, RrType::PTR, with_soa(answer_status(LookupStatus::nxdomain), k_reverse_soa));
  Checker checker(resolver, fake_classify);
  const CheckResult result = run_check(checker, {.ip = "192.0.2.10"});
  ASSERT_TRUE(result.reverse_zone_soa);
  EXPECT_EQ(*result.reverse_zone_soa, k_reverse_soa);
  EXPECT_FALSE(resolver.was_asked(k_rev4, RrType::SOA));  // no extra query needed
}

// ... else by asking SOA and walking up until a zone apex answers.
TEST(CheckerSoa, WalksUpToTheZoneApex) {
  FakeResolver resolver(FakeResolver::Mode::manual);
  resolver.script(k_rev4, RrType::PTR, answer_ok({"mail.example.com."}));
  resolver.script("mail.example.com.", RrType::A, answer_ok({"192.0.2.99"}));
  resolver.script(k_rev4, RrType::SOA, answer_status(LookupStatus::nodata));
  resolver.script("2.0.192.in-addr.arpa.", RrType::SOA,
                  answer_ok({"ns1.isp.example. hostmaster.isp.example. 1 3600 600 86400 300"}));
  resolver.script("mail.example.com.", RrType::SOA,
                  with_soa(answer_status(LookupStatus::nodata), {"example.com", "ns.example.com", "dns@example.com"}));
  Checker checker(resolver, fake_classify);
  std::optional<CheckResult> result;
  checker.start({.ip = "192.0.2.10"}, [&](CheckResult r) { result = std::move(r); });
  resolver.deliver(FakeResolver::Order::lifo);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->fcrdns_pass, false);
  ASSERT_TRUE(result->reverse_zone_soa);
  EXPECT_EQ(*result->reverse_zone_soa, k_reverse_soa);
  ASSERT_TRUE(result->forward_zone_soa);
  EXPECT_EQ(result->forward_zone_soa->zone, "example.com");
}

TEST(CheckerSoa, NotAskedWhenEverythingPassesOrNotWanted) {
  FakeResolver resolver(FakeResolver::Mode::immediate);
  resolver.script(k_rev4, RrType::PTR, answer_ok({"mail.example.com."}));
  resolver.script("mail.example.com.", RrType::A, answer_ok({"192.0.2.10"}));
  Checker checker(resolver, fake_classify);
  EXPECT_EQ(run_check(checker, {.ip = "192.0.2.10"}).success, true);
  resolver.script("mail.example.com.", RrType::A, answer_ok({"192.0.2.11"}));
  EXPECT_EQ(run_check(checker, {.ip = "192.0.2.10", .want_soa = false}).success, false);
  for (const auto& query : resolver.queries()) EXPECT_NE(query.type, RrType::SOA) << query.name;
}

TEST(CheckerSoa, StopsWalkingOnAResolverProblem) {
  FakeResolver resolver(FakeResolver::Mode::immediate);
  resolver.script(k_rev4, RrType::PTR, answer_status(LookupStatus::nxdomain));
  resolver.script(k_rev4, RrType::SOA, answer_status(LookupStatus::servfail));
  Checker checker(resolver, fake_classify);
  const CheckResult result = run_check(checker, {.ip = "192.0.2.10"});
  EXPECT_FALSE(result.reverse_zone_soa);
  EXPECT_EQ(resolver.queries().size(), 2U);
}

// A PTR server that never answers: the check completes as a timeout at its deadline (the fake
// used to keep such a query for ever, unlike the real resolver).
TEST(Checker, ANeverAnsweredLookupTimesOutAtTheDeadline) {
  FakeResolver resolver(FakeResolver::Mode::threaded);
  resolver.hold(k_rev4, RrType::PTR);
  Checker checker(resolver, fake_classify);
  const auto started = std::chrono::steady_clock::now();
  const CheckResult result =
      run_check(checker, {.ip = "192.0.2.10", .timeout = std::chrono::milliseconds(100), .want_soa = false});
  EXPECT_EQ(result.ptr_status, LookupStatus::timeout);
  EXPECT_FALSE(result.success.has_value());  // a timeout is never a verdict
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(100));
}

// An exception while handling an answer completes the check as an error at once (it used to be
// swallowed by the resolver, leaving the check, and whoever waited for it, hanging for ever).
TEST(Checker, AThrowingClassifierCompletesTheCheckAsAnError) {
  for (const auto mode : {FakeResolver::Mode::immediate, FakeResolver::Mode::manual}) {
    FakeResolver resolver(mode);
    resolver.script(k_rev4, RrType::PTR, answer_ok({"mail.example.com."}));
    resolver.script("mail.example.com.", RrType::A, answer_ok({"192.0.2.10"}));
    Checker checker(resolver, [](std::string_view, std::string_view) -> GenericVerdict {
      throw std::runtime_error("classifier broke");
    });
    int calls = 0;
    CheckResult result;
    checker.start({.ip = "192.0.2.10"}, [&](CheckResult r) {
      ++calls;
      result = std::move(r);
    });
    resolver.deliver(FakeResolver::Order::fifo);
    ASSERT_EQ(calls, 1);
    EXPECT_EQ(result.ip, "192.0.2.10");
    EXPECT_EQ(result.ptr_status, LookupStatus::error);
    EXPECT_EQ(result.ptr_detail, "internal error while checking: classifier broke");
    EXPECT_FALSE(result.success.has_value());
    EXPECT_EQ(resolver.callback_exceptions(), 1u);  // and it reached the resolver, to be reported
  }
}

// An exception from `done` itself: `done` is not called again, the resolver gets the exception.
TEST(Checker, AThrowingDoneIsCalledOnce) {
  FakeResolver resolver(FakeResolver::Mode::manual);
  resolver.script(k_rev4, RrType::PTR, answer_status(LookupStatus::servfail));
  Checker checker(resolver, fake_classify);
  int calls = 0;
  checker.start({.ip = "192.0.2.10"}, [&](CheckResult) {
    ++calls;
    throw std::runtime_error("store broke");
  });
  resolver.deliver(FakeResolver::Order::fifo);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(resolver.callback_exceptions(), 1u);
}

TEST(Checker, ManyChecksAtOnceOnAnotherThread) {
  FakeResolver resolver(FakeResolver::Mode::threaded);
  resolver.script(k_rev4, RrType::PTR, answer_ok({"mail.example.com."}));
  resolver.script("mail.example.com.", RrType::A, answer_ok({"192.0.2.10"}));
  Checker checker(resolver, fake_classify);
  std::mutex mutex;
  std::condition_variable cv;
  int done = 0;
  constexpr int k_checks = 200;
  for (int i = 0; i < k_checks; ++i) {
    checker.start({.ip = "192.0.2.10", .want_soa = false}, [&](CheckResult result) {
      EXPECT_EQ(result.success, true);
      std::lock_guard lock(mutex);
      ++done;
      cv.notify_all();
    });
  }
  std::unique_lock lock(mutex);
  EXPECT_TRUE(cv.wait_for(lock, std::chrono::seconds(20), [&] { return done == k_checks; }));
}

}  // namespace
}  // namespace rdns::checks
