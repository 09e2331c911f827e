// Every authoritative server of a reverse zone, asked directly, against the real DNS world:
// Knot, the tiny servers beside it (a stale secondary, a lame one, one only on ::1, the two
// disagreeing servers of an RFC 2317 child), and an address where nothing listens. Every
// scenario must read as documented (consistency, which servers are down), the existing ones
// consistent, and no record verdict may change with the survey on.
#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "checks/checker.hpp"
#include "checks/remediation.hpp"
#include "checks/unbound/unbound_resolver.hpp"
#include "checks/zone/server_querier.hpp"
#include "checks/zone/zone_surveyor.hpp"
#include "tests/integration/dns_world_fixture.hpp"

namespace rdns::checks {
namespace {

using rdns::testing::DnsWorldTest;

std::vector<CheckResult> check_all(const Checker& checker, const std::vector<std::string>& ips) {
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<CheckResult> results(ips.size());
  std::size_t left = ips.size();
  for (std::size_t i = 0; i < ips.size(); ++i) {
    CheckRequest request;
    request.ip = ips[i];
    request.timeout = std::chrono::seconds(2);  // the dead delegation (198.51.100.66) waits for it
    checker.start(request, [&, i](CheckResult result) {
      std::lock_guard lock(mutex);
      results[i] = std::move(result);
      if (--left == 0) cv.notify_all();
    });
  }
  std::unique_lock lock(mutex);
  cv.wait(lock, [&] { return left == 0; });
  return results;
}

std::string consistency_text(const CheckResult& r) {
  return r.ptr_consistency ? std::string(to_string(r.ptr_consistency->state)) : std::string("none");
}

class ZoneServersIntegrationTest : public DnsWorldTest {
protected:
  void SetUp() override {
    DnsWorldTest::SetUp();
    if (HasFatalFailure()) return;
    auto resolver = UnboundResolver::create(world().recursive_settings());
    ASSERT_TRUE(resolver) << resolver.error();
    m_resolver = std::move(*resolver);
    m_querier = zone::make_socket_querier();
    m_surveyor = std::make_unique<zone::ZoneSurveyor>(*m_resolver, *m_querier,
                                                      static_cast<std::uint16_t>(world().zone_server_port));
  }
  void TearDown() override {
    m_querier.reset();
    m_surveyor.reset();
    m_resolver.reset();
  }

  std::vector<std::string> all_ips() const {
    std::vector<std::string> ips;
    for (const auto& s : world().scenarios) ips.push_back(s.ip);
    return ips;
  }

  std::unique_ptr<UnboundResolver> m_resolver;
  std::unique_ptr<zone::ServerQuerier> m_querier;
  std::unique_ptr<zone::ZoneSurveyor> m_surveyor;
};

TEST_F(ZoneServersIntegrationTest, EveryScenarioReadsAsDocumentedAndNoVerdictChanges) {
  const auto ips = all_ips();
  Checker plain(*m_resolver, ClassifyFn{});
  const auto before = check_all(plain, ips);
  Checker surveyed(*m_resolver, ClassifyFn{});
  surveyed.set_zone_surveyor(m_surveyor.get());
  const auto after = check_all(surveyed, ips);
  ASSERT_EQ(after.size(), world().scenarios.size());
  for (std::size_t i = 0; i < ips.size(); ++i) {
    const auto& s = world().scenarios[i];
    const CheckResult& r = after[i];
    SCOPED_TRACE(s.ip + ": " + s.description);
    EXPECT_EQ(r.ptr_status, before[i].ptr_status);
    EXPECT_EQ(r.ptr_present, before[i].ptr_present);
    EXPECT_EQ(r.fcrdns_pass, before[i].fcrdns_pass);
    EXPECT_EQ(r.success, before[i].success);
    EXPECT_EQ(consistency_text(r), s.consistency) << (r.ptr_consistency ? r.ptr_consistency->reason : "");
    if (!r.ptr_consistency) continue;
    for (const auto& zone : r.ptr_consistency->zones) {
      for (const ZoneServer& server : zone->servers) {
        const bool expected_down =
            std::find(s.servers_down.begin(), s.servers_down.end(), server.nameserver) != s.servers_down.end();
        EXPECT_EQ(server.state != ServerState::answering, expected_down)
            << zone->zone << " " << server.nameserver << " " << server.address << " " << server.reason;
      }
    }
  }
}

TEST_F(ZoneServersIntegrationTest, StaleSecondaryIsNamedWithBothSerials) {
  Checker checker(*m_resolver, ClassifyFn{});
  checker.set_zone_surveyor(m_surveyor.get());
  const auto r = check_all(checker, {"198.19.1.10"}).front();
  ASSERT_TRUE(r.ptr_consistency);
  EXPECT_EQ(r.ptr_consistency->state, Consistency::inconsistent);
  const auto& reason = r.ptr_consistency->reason;
  EXPECT_NE(reason.find("ns-stale.example.test"), std::string::npos) << reason;
  EXPECT_NE(reason.find("old-mail.example.test"), std::string::npos) << reason;
  EXPECT_NE(reason.find("(serial 0)"), std::string::npos) << reason;
  const auto hints = remediation_hints(r);
  const bool named = std::any_of(hints.begin(), hints.end(), [](const std::string& h) {
    return h.find("ns-stale.example.test") != std::string::npos &&
           h.find("still serves the old") != std::string::npos &&
           h.find("hostmaster@example.test") != std::string::npos;
  });
  EXPECT_TRUE(named) << ::testing::PrintToString(hints);
}

TEST_F(ZoneServersIntegrationTest, ClasslessDelegationSurveysParentAndChild) {
  Checker checker(*m_resolver, ClassifyFn{});
  checker.set_zone_surveyor(m_surveyor.get());
  const auto r = check_all(checker, {"198.19.5.10"}).front();
  ASSERT_TRUE(r.ptr_consistency);
  ASSERT_EQ(r.ptr_consistency->zones.size(), 2u);
  EXPECT_EQ(r.ptr_consistency->zones[0]->zone, "5.19.198.in-addr.arpa");
  EXPECT_EQ(r.ptr_consistency->zones[1]->zone, "0-63.5.19.198.in-addr.arpa");
  EXPECT_EQ(r.ptr_consistency->zones[1]->servers.size(), 2u);
  EXPECT_NE(r.ptr_consistency->reason.find("child-old.example.test"), std::string::npos) << r.ptr_consistency->reason;
}

TEST_F(ZoneServersIntegrationTest, IPv6OnlyServerAnswersOverIPv6) {
  Checker checker(*m_resolver, ClassifyFn{});
  checker.set_zone_surveyor(m_surveyor.get());
  const auto r = check_all(checker, {"198.19.4.10"}).front();
  ASSERT_TRUE(r.ptr_consistency);
  const auto& servers = r.ptr_consistency->zones.at(0)->servers;
  const auto v6 = std::find_if(servers.begin(), servers.end(), [](const ZoneServer& s) { return s.address == "::1"; });
  ASSERT_NE(v6, servers.end());
  EXPECT_EQ(v6->nameserver, "ns-v6.example.test");
  EXPECT_EQ(v6->state, ServerState::answering);
}

TEST_F(ZoneServersIntegrationTest, OneSurveyPerZoneAndCutsSharedWithinTheInterval) {
  // Two checks of the same zone: the second finds the zone cut and the survey ready, so the
  // same survey object backs both results (and the exposition shows it once).
  Checker checker(*m_resolver, ClassifyFn{});
  checker.set_zone_surveyor(m_surveyor.get());
  const auto first = check_all(checker, {"198.19.2.10"}).front();
  const auto second = check_all(checker, {"198.19.2.10"}).front();
  ASSERT_TRUE(first.ptr_consistency && second.ptr_consistency);
  EXPECT_EQ(first.ptr_consistency->zones.at(0).get(), second.ptr_consistency->zones.at(0).get());
}

}  // namespace
}  // namespace rdns::checks
