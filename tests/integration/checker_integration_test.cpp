// The Checker and the `check` CLI through libunbound against the real DNS world
// (tests/dns_world/: Knot + tiny_auth.py on loopback). Every scenario of the world must give
// the verdicts it documents, and a dead server must never give a record verdict.
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "checks/checker.hpp"
#include "checks/generic_hostname.hpp"
#include "checks/hostname.hpp"
#include "checks/remediation.hpp"
#include "checks/unbound/unbound_resolver.hpp"
#include "tests/integration/dns_world_fixture.hpp"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace rdns::checks {
namespace {

using rdns::testing::DnsWorldTest;

class CheckerIntegrationTest : public DnsWorldTest {
protected:
  void SetUp() override {
    DnsWorldTest::SetUp();
    if (HasFatalFailure()) return;
    auto resolver = UnboundResolver::create(world().recursive_settings());
    ASSERT_TRUE(resolver) << resolver.error();
    m_resolver = std::move(*resolver);
    m_checker.emplace(*m_resolver, m_classifier);
  }
  void TearDown() override {
    m_checker.reset();
    m_resolver.reset();
  }

  // Starts every request at once and waits for all (as the agent and the CLI do).
  std::vector<CheckResult> check_all(const std::vector<CheckRequest>& requests) {
    std::mutex mutex;
    std::condition_variable cv;
    std::vector<CheckResult> results(requests.size());
    std::size_t left = requests.size();
    for (std::size_t i = 0; i < requests.size(); ++i) {
      m_checker->start(requests[i], [&, i](CheckResult result) {
        std::lock_guard lock(mutex);
        results[i] = std::move(result);
        if (--left == 0) cv.notify_all();
      });
    }
    std::unique_lock lock(mutex);
    cv.wait(lock, [&] { return left == 0; });
    return results;
  }

  CheckResult check(CheckRequest request) { return run_check(*m_checker, std::move(request)); }

  GenericClassifier m_classifier;
  std::unique_ptr<UnboundResolver> m_resolver;
  std::optional<Checker> m_checker;
};

std::optional<bool> expected_fcrdns(const std::string& text, LookupStatus ptr_status) {
  if (text == "pass") return true;
  if (text == "fail") return false;
  if (text == "none" && is_definitive(ptr_status)) return false;  // no PTR name resolves back
  return std::nullopt;
}

TEST_F(CheckerIntegrationTest, EveryWorldScenarioGivesItsVerdicts) {
  std::vector<CheckRequest> requests;
  for (const auto& scenario : world().scenarios) {
    requests.push_back({.ip = scenario.ip, .timeout = std::chrono::seconds(3)});
  }
  const auto results = check_all(requests);
  ASSERT_EQ(results.size(), world().scenarios.size());
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto& scenario = world().scenarios[i];
    const CheckResult& result = results[i];
    SCOPED_TRACE(scenario.ip + ": " + scenario.description);
    const std::string status(to_string(result.ptr_status));
    EXPECT_NE(std::find(scenario.ptr.statuses.begin(), scenario.ptr.statuses.end(), status),
              scenario.ptr.statuses.end())
        << "ptr status " << status << " (" << result.ptr_detail << ")";
    EXPECT_EQ(result.reverse_name, scenario.reverse_name);

    std::vector<std::string> names;
    for (const auto& record : scenario.ptr.records) {
      std::string name = normalise_hostname(record);
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
    std::sort(names.begin(), names.end());  // the checker reports the set, sorted
    EXPECT_EQ(result.ptr_hostnames, names);
    EXPECT_EQ(result.dnssec_secure, scenario.ptr.secure);
    EXPECT_EQ(result.ptr_canonical_name, normalise_hostname(scenario.ptr.canonical_name));
    if (result.ptr_status == LookupStatus::ok) {
      // Every scenario is checked at once, so part of an answer (a CNAME chain's delegation, a
      // name two scenarios share) may come from libunbound's cache with its TTL counted down by
      // the seconds since it was fetched; never above the zone's TTL, never far below it.
      EXPECT_LE(result.ptr_ttl, scenario.ptr.ttl);
      EXPECT_GE(result.ptr_ttl + 5, scenario.ptr.ttl);
    }

    if (is_definitive(result.ptr_status)) {
      EXPECT_EQ(result.ptr_present, !names.empty());
    } else {
      // The contract: a resolver problem is never a record verdict.
      EXPECT_FALSE(result.ptr_present.has_value());
      EXPECT_FALSE(result.fcrdns_pass.has_value());
      EXPECT_FALSE(result.ptr_hostname_valid.has_value());
      EXPECT_FALSE(result.generic.has_value());
      EXPECT_FALSE(result.success.has_value());
    }
    EXPECT_EQ(result.fcrdns_pass, expected_fcrdns(scenario.fcrdns, result.ptr_status));
    EXPECT_EQ(result.fcrdns_confirmed_names, std::min(scenario.confirmed_names, static_cast<int>(k_max_forward_names)));
    EXPECT_EQ(result.forward_capped, names.size() > k_max_forward_names);
    if (!names.empty()) {
      EXPECT_EQ(result.ptr_hostname_valid, scenario.hostname_valid);
    } else {
      EXPECT_FALSE(result.ptr_hostname_valid.has_value());
    }
    for (const auto& forward : scenario.forward) {
      const std::string name = normalise_hostname(forward.name);
      auto it = std::find_if(result.forward.begin(), result.forward.end(),
                             [&](const ForwardCheck& f) { return f.hostname == name; });
      ASSERT_NE(it, result.forward.end()) << name;
      EXPECT_EQ(to_string(it->status), forward.status) << name << " " << it->detail;
    }
    if (!scenario.ptr.soa_zone.empty()) {
      ASSERT_TRUE(result.reverse_zone_soa) << "no SOA for the remediation";
      EXPECT_EQ(result.reverse_zone_soa->zone, scenario.ptr.soa_zone);
    }
    if (result.fcrdns_pass == false || result.ptr_present == false || result.ptr_hostname_valid == false) {
      EXPECT_EQ(result.success, false);
    }
  }
}

TEST_F(CheckerIntegrationTest, GoodAddressesPassEverything) {
  for (const char* ip : {"192.0.2.10", "192.0.2.17", "192.0.2.19", "198.51.100.10", "203.0.113.10", "2001:db8::25"}) {
    const CheckResult result = check({.ip = ip, .timeout = std::chrono::seconds(3)});
    EXPECT_EQ(result.success, true) << ip << "\n" << ::testing::PrintToString(remediation_hints(result));
    EXPECT_TRUE(remediation_hints(result).empty()) << ip;
  }
}

TEST_F(CheckerIntegrationTest, ExpectedAndHeloNames) {
  CheckResult good = check({.ip = "192.0.2.10",
                            .expected_hostname = "Mail.Example.Test.",
                            .helo_hostname = "mail.example.test",
                            .timeout = std::chrono::seconds(3)});
  EXPECT_EQ(good.expected_hostname_match, true);
  EXPECT_EQ(good.helo_match, true);
  EXPECT_EQ(good.success, true);

  // smtp.mail.test resolves to 198.51.100.10 and is not a PTR name of 192.0.2.10.
  CheckResult drift = check({.ip = "192.0.2.10",
                             .expected_hostname = "mx.example.test",
                             .helo_hostname = "smtp.mail.test",
                             .timeout = std::chrono::seconds(3)});
  EXPECT_EQ(drift.expected_hostname_match, false);
  EXPECT_EQ(drift.helo_match, false);
  ASSERT_TRUE(drift.helo_forward);
  EXPECT_EQ(drift.helo_forward->addresses, std::vector<std::string>{"198.51.100.10"});
  EXPECT_EQ(drift.success, false);

  // A PTR name, but it resolves elsewhere (192.0.2.99).
  CheckResult elsewhere =
      check({.ip = "192.0.2.14", .helo_hostname = "other-ip.example.test", .timeout = std::chrono::seconds(3)});
  EXPECT_EQ(elsewhere.helo_match, false);
}

TEST_F(CheckerIntegrationTest, FailuresNameTheZonesToAsk) {
  const CheckResult result = check({.ip = "192.0.2.14", .timeout = std::chrono::seconds(3)});
  EXPECT_EQ(result.fcrdns_pass, false);
  ASSERT_TRUE(result.reverse_zone_soa);
  EXPECT_EQ(result.reverse_zone_soa->zone, "2.0.192.in-addr.arpa");
  ASSERT_TRUE(result.forward_zone_soa);
  EXPECT_EQ(result.forward_zone_soa->zone, "example.test");
  std::string hints;
  for (const auto& hint : remediation_hints(result)) hints += hint + "\n";
  EXPECT_NE(hints.find("other-ip.example.test. IN A 192.0.2.14"), std::string::npos) << hints;
  EXPECT_NE(hints.find("resolves to 192.0.2.99"), std::string::npos) << hints;

  // RFC 2317: the SOA is that of the delegated classless zone.
  const CheckResult broken = check({.ip = "192.0.2.18", .timeout = std::chrono::seconds(3)});
  EXPECT_EQ(broken.ptr_status, LookupStatus::nxdomain);
  ASSERT_TRUE(broken.reverse_zone_soa);
  EXPECT_EQ(broken.reverse_zone_soa->zone, "16-31.2.0.192.in-addr.arpa");
}

TEST_F(CheckerIntegrationTest, GenericNameFailsWithSmarthostAdvice) {
  world().set_ptr("192.0.2.11", {"c-192-0-2-11.hsd1.ca.comcast.net."});
  const CheckResult result = check({.ip = "192.0.2.11", .timeout = std::chrono::seconds(3)});
  EXPECT_EQ(result.ptr_hostnames, std::vector<std::string>{"c-192-0-2-11.hsd1.ca.comcast.net"});
  ASSERT_TRUE(result.generic);
  EXPECT_TRUE(result.generic->generic) << result.generic->reason;
  EXPECT_EQ(result.success, false);
  std::string hints;
  for (const auto& hint : remediation_hints(result)) hints += hint + "\n";
  EXPECT_NE(hints.find("looks generic"), std::string::npos) << hints;
  EXPECT_NE(hints.find("smarthost"), std::string::npos) << hints;
}

TEST_F(CheckerIntegrationTest, ServerOutageIsNeverAMissingRecord) {
  world().server_stop();
  struct Restart {
    ~Restart() {
      try {
        DnsWorldTest::world().server_start();
      } catch (...) {}
    }
  } restart;
  const auto started = std::chrono::steady_clock::now();
  const CheckResult result =
      check({.ip = "192.0.2.10", .expected_hostname = "mail.example.test", .timeout = std::chrono::milliseconds(1500)});
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_FALSE(is_definitive(result.ptr_status)) << to_string(result.ptr_status);
  EXPECT_FALSE(result.ptr_present.has_value());
  EXPECT_FALSE(result.fcrdns_pass.has_value());
  EXPECT_FALSE(result.expected_hostname_match.has_value());
  EXPECT_FALSE(result.success.has_value());
  EXPECT_LT(took, std::chrono::seconds(4));  // the one deadline holds, SOA stage included
}

// ----------------------------------------------------------------------------------------------
// The `rdns_exporter check` binary.

struct CliRun {
  int status = -1;
  std::string out;
  std::string err;
};

class CheckCliTest : public DnsWorldTest {
protected:
  std::string write_file(const std::string& name, const std::string& text) {
    const std::string path = world().dir() + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  std::string config(const std::string& extra = "") {
    return write_file("check.toml", world().resolver_toml() + extra);
  }
  CliRun run(const std::string& args) {
    const std::string err_path = world().dir() + "/cli.err";
    const std::string command = std::string(RDNS_EXPORTER_BINARY) + " check " + args + " 2>'" + err_path + "'";
    CliRun result;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) return result;
    std::array<char, 4096> buffer{};
    std::size_t n = 0;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) result.out.append(buffer.data(), n);
    const int raw = ::pclose(pipe);
    result.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    std::ifstream err(err_path);
    result.err.assign(std::istreambuf_iterator<char>(err), std::istreambuf_iterator<char>());
    return result;
  }
};

TEST_F(CheckCliTest, ExitStatusesAndReports) {
  const std::string cfg = "--config.file='" + config() + "' --timeout=2s ";

  CliRun pass = run(cfg + "192.0.2.10");
  EXPECT_EQ(pass.status, 0) << pass.out << pass.err;
  EXPECT_NE(pass.out.find("192.0.2.10  PASS"), std::string::npos) << pass.out;
  EXPECT_NE(pass.out.find("mail.example.test -> 192.0.2.10  (confirms)"), std::string::npos) << pass.out;
  EXPECT_NE(pass.out.find("1 IP checked: 1 PASS, 0 FAIL, 0 UNKNOWN"), std::string::npos) << pass.out;
  EXPECT_EQ(pass.out.find('\033'), std::string::npos);  // not a terminal: no colour

  CliRun fail = run(cfg + "192.0.2.11");
  EXPECT_EQ(fail.status, 1) << fail.out << fail.err;
  EXPECT_NE(fail.out.find("192.0.2.11  FAIL"), std::string::npos) << fail.out;
  EXPECT_NE(fail.out.find("11.2.0.192.in-addr.arpa. IN PTR"), std::string::npos) << fail.out;
  EXPECT_NE(fail.out.find("reverse zone  2.0.192.in-addr.arpa (primary name server"), std::string::npos) << fail.out;

  CliRun unknown = run(cfg + "198.51.100.66");
  EXPECT_EQ(unknown.status, 2) << unknown.out << unknown.err;
  EXPECT_NE(unknown.out.find("198.51.100.66  UNKNOWN"), std::string::npos) << unknown.out;
  EXPECT_NE(unknown.out.find("not a missing record"), std::string::npos) << unknown.out;
  EXPECT_EQ(unknown.out.find("IN PTR"), std::string::npos) << unknown.out;

  EXPECT_EQ(run(cfg + "192.0.2.10 198.51.100.66").status, 2);
  EXPECT_EQ(run(cfg + "192.0.2.11 198.51.100.66 192.0.2.10").status, 1);

  CliRun cidr = run(cfg + "192.0.2.8/30");  // .8 .9 nxdomain, .10 pass, .11 nxdomain
  EXPECT_EQ(cidr.status, 1);
  EXPECT_NE(cidr.out.find("4 IPs checked: 1 PASS, 3 FAIL, 0 UNKNOWN"), std::string::npos) << cidr.out;
}

TEST_F(CheckCliTest, UsageAndConfigErrors) {
  const std::string cfg = "--config.file='" + config() + "' ";
  CliRun bad_ip = run(cfg + "192.0.2.300");
  EXPECT_EQ(bad_ip.status, 64);
  EXPECT_NE(bad_ip.err.find("192.0.2.300"), std::string::npos) << bad_ip.err;
  EXPECT_EQ(run(cfg).status, 64);  // no IPs and no targets
  EXPECT_EQ(run(cfg + "--format=yaml 192.0.2.10").status, 64);
  EXPECT_EQ(run(cfg + "--timeout=soon 192.0.2.10").status, 64);
  EXPECT_EQ(run(cfg + "--no-such-flag 192.0.2.10").status, 64);

  const std::string broken = write_file("broken.toml", world().resolver_toml() + "[schedule]\ntimout = \"5s\"\n");
  CliRun config_error = run("--config.file='" + broken + "' 192.0.2.10");
  EXPECT_EQ(config_error.status, 78);
  EXPECT_NE(config_error.err.find("broken.toml"), std::string::npos) << config_error.err;
  EXPECT_EQ(std::count(config_error.err.begin(), config_error.err.end(), '\n'), 1) << config_error.err;
}

TEST_F(CheckCliTest, UsesConfigTargetsWithTheirExpectations) {
  const std::string path = config(
      "[schedule]\ntimeout = \"2s\"\n"
      "[[targets]]\nip = \"192.0.2.10\"\nexpected_hostname = \"mail.example.test\"\nhelo_hostname = "
      "\"mail.example.test\"\n"
      "[[targets]]\nip = \"192.0.2.16\"\nexpected_hostname = \"wrong.example.test\"\nhelo_hostname = "
      "\"smtp.mail.test\"\n");
  CliRun run_targets = run("--config.file='" + path + "'");
  EXPECT_EQ(run_targets.status, 1) << run_targets.out << run_targets.err;
  EXPECT_NE(run_targets.out.find("PASS    PTR names include expected host name mail.example.test"), std::string::npos)
      << run_targets.out;
  EXPECT_NE(run_targets.out.find("FAIL    HELO name smtp.mail.test"), std::string::npos) << run_targets.out;
  EXPECT_NE(run_targets.out.find("2 IPs checked: 1 PASS, 1 FAIL"), std::string::npos) << run_targets.out;

  // IPs on the command line replace the targets (and their expectations).
  CliRun replaced = run("--config.file='" + path + "' 192.0.2.16");
  EXPECT_EQ(replaced.status, 0) << replaced.out;
  EXPECT_EQ(replaced.out.find("HELO"), std::string::npos) << replaced.out;
}

TEST_F(CheckCliTest, JsonIsOneValidDocument) {
  const std::string cfg = "--config.file='" + config() + "' --timeout=2s --format=json ";
  CliRun json = run(cfg + "192.0.2.10 192.0.2.11 2001:db8::25 192.0.2.22");
  EXPECT_EQ(json.status, 1) << json.err;
  const std::string path = write_file("report.json", json.out);
  const std::string validate =
      std::string(RDNS_PYTHON_EXECUTABLE) +
      " -c 'import json,sys; d=json.load(open(sys.argv[1])); "
      "s=d[\"summary\"]; assert (s[\"checked\"],s[\"pass\"],s[\"fail\"],s[\"unknown\"],"
      "s[\"exit_status\"])==(4,2,2,0,1), s; "
      "r={x[\"ip\"]:x for x in d[\"results\"]}; "
      "assert r[\"192.0.2.11\"][\"checks\"][\"ptr_present\"] is False; "
      "assert r[\"192.0.2.22\"][\"ptr\"][\"hostnames\"]==[\"\\\\\\\"bad\\\\032name\\\\\\\".example.test\"], "
      "r[\"192.0.2.22\"][\"ptr\"]; "
      "assert r[\"2001:db8::25\"][\"verdict\"]==\"pass\"' '" +
      path + "'";
  EXPECT_EQ(std::system(validate.c_str()), 0) << json.out;
}

}  // namespace
}  // namespace rdns::checks
