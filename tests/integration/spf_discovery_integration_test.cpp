// SPF expansion and egress lookup against the real DNS world: libunbound resolving the spf.test.
// zone served by Knot (every SPF_EXPECTED row of dns_world.py, recursive and forward mode), a
// record changed between two expansions, and the egress echo server behind its fake NAT.
#include <algorithm>
#include <chrono>
#include <future>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "checks/discovery/egress_lookup.hpp"
#include "checks/discovery/spf_expander.hpp"
#include "checks/unbound/unbound_resolver.hpp"
#include "tests/integration/dns_world_fixture.hpp"

namespace rdns::testing {
namespace {

using checks::discovery::AddressFamily;
using checks::discovery::EgressMethod;
using checks::discovery::EgressQuery;
using checks::discovery::EgressResult;
using checks::discovery::SpfExpansion;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::unique_ptr<checks::UnboundResolver> make(const checks::ResolverSettings& settings) {
  auto resolver = checks::UnboundResolver::create(settings);
  if (!resolver) {
    ADD_FAILURE() << resolver.error();
    return nullptr;
  }
  return std::move(*resolver);
}

SpfExpansion expand(checks::Resolver& resolver, const std::string& domain, std::chrono::milliseconds timeout = 5s) {
  std::promise<SpfExpansion> promise;
  auto future = promise.get_future();
  checks::discovery::expand_spf(resolver, domain, {}, Clock::now() + timeout,
                                [&promise](SpfExpansion e) { promise.set_value(std::move(e)); });
  return future.get();
}

EgressResult egress(checks::Resolver& resolver, const EgressQuery& query) {
  std::promise<EgressResult> promise;
  auto future = promise.get_future();
  checks::discovery::lookup_egress_address(resolver, query, Clock::now() + 3s,
                                           [&promise](EgressResult r) { promise.set_value(std::move(r)); });
  return future.get();
}

// Expands until `wanted` says the result is the new one or 5 s have passed: libunbound's cache,
// capped at 1 s, may keep the old answer up to 2 s (TTLs count in whole seconds).
template <typename Wanted>
SpfExpansion expand_until(checks::Resolver& resolver, const std::string& domain, Wanted wanted) {
  const auto give_up = Clock::now() + 5s;
  for (;;) {
    SpfExpansion e = expand(resolver, domain);
    if (wanted(e) || Clock::now() > give_up) return e;
    std::this_thread::sleep_for(200ms);
  }
}

// A world whose libunbound caches for 1 s at most, so a changed record is seen by the next cycle.
class SpfWorld : public DnsWorldTest {
protected:
  static void SetUpTestSuite() {
    s_start_error.clear();
    try {
      s_world = DnsWorld::start("--cache-max-ttl 1");
    } catch (const std::exception& e) {
      s_start_error = e.what();
    }
  }
};

void expect_row(const SpfExpectation& row, const SpfExpansion& e) {
  SCOPED_TRACE(row.domain);
  EXPECT_EQ(checks::discovery::to_string(e.outcome), row.outcome) << e.error;
  if (row.outcome == "ok") {
    EXPECT_EQ(e.networks, row.networks);
    EXPECT_EQ(e.not_expandable.size(), static_cast<std::size_t>(row.not_expandable));
  } else {
    EXPECT_NE(e.error.find(row.error), std::string::npos) << e.error;
  }
}

TEST_F(SpfWorld, EveryScenarioRecursive) {
  ASSERT_FALSE(world().spf.empty());
  auto resolver = make(world().recursive_settings());
  ASSERT_TRUE(resolver);
  std::vector<double> cold_ms;
  for (const auto& row : world().spf) {
    const auto started = Clock::now();
    const SpfExpansion e = expand(*resolver, row.domain);
    cold_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - started).count());
    expect_row(row, e);
  }
  std::sort(cold_ms.begin(), cold_ms.end());
  std::cout << "SPF expansions (recursive, each name the first time): " << cold_ms.size() << ", median "
            << cold_ms[cold_ms.size() / 2] << " ms, max " << cold_ms.back() << " ms\n";
}

TEST_F(SpfWorld, EveryScenarioForwardAllAtOnce) {
  auto resolver = make(world().forward_settings());
  ASSERT_TRUE(resolver);
  // Every expansion concurrently on one resolver: the answers interleave on its thread.
  std::vector<std::promise<SpfExpansion>> promises(world().spf.size());
  for (std::size_t i = 0; i < world().spf.size(); ++i) {
    checks::discovery::expand_spf(*resolver, world().spf[i].domain, {}, Clock::now() + 5s,
                                  [&promises, i](SpfExpansion e) { promises[i].set_value(std::move(e)); });
  }
  for (std::size_t i = 0; i < world().spf.size(); ++i) expect_row(world().spf[i], promises[i].get_future().get());
}

TEST_F(SpfWorld, ARecordChangedBetweenCycles) {
  auto resolver = make(world().recursive_settings());
  ASSERT_TRUE(resolver);
  SpfExpansion e = expand(*resolver, "change.spf.test");
  ASSERT_EQ(e.outcome, checks::discovery::SpfOutcome::ok) << e.error;
  EXPECT_EQ(e.networks, (std::vector<std::string>{"192.0.2.60/32"}));
  const std::vector<std::string> changed = {"192.0.2.61/32", "2001:db8:61::/64"};
  world().set_txt("change.spf.test", {"v=spf1 ip4:192.0.2.61 ip6:2001:db8:61::/64 -all", "unrelated text"});
  e = expand_until(*resolver, "change.spf.test", [&](const SpfExpansion& x) { return x.networks == changed; });
  ASSERT_EQ(e.outcome, checks::discovery::SpfOutcome::ok) << e.error;
  EXPECT_EQ(e.networks, changed);
  world().set_txt("change.spf.test", {"v=spf1 -all", "v=spf1 ip4:192.0.2.62 -all"});
  e = expand_until(*resolver, "change.spf.test",
                   [](const SpfExpansion& x) { return x.outcome != checks::discovery::SpfOutcome::ok; });
  EXPECT_EQ(e.outcome, checks::discovery::SpfOutcome::permerror);
  EXPECT_EQ(e.error, "2 SPF records at change.spf.test");
  world().set_txt("change.spf.test", {});
  e = expand_until(*resolver, "change.spf.test",
                   [](const SpfExpansion& x) { return x.outcome != checks::discovery::SpfOutcome::permerror; });
  EXPECT_EQ(e.outcome, checks::discovery::SpfOutcome::none) << e.error;
  world().set_txt("change.spf.test", {"v=spf1 ip4:192.0.2.60 -all"});  // as the world started
}

TEST_F(SpfWorld, DeadServerIsATemperror) {
  checks::ResolverSettings settings = world().forward_settings();
  settings.forwarders = {world().dead_ns + "@53"};
  auto resolver = make(settings);
  ASSERT_TRUE(resolver);
  const auto started = Clock::now();
  const SpfExpansion e = expand(*resolver, "nested.spf.test", 500ms);
  EXPECT_EQ(e.outcome, checks::discovery::SpfOutcome::temperror) << e.error;
  EXPECT_LT(Clock::now() - started, 3s);
}

TEST_F(SpfWorld, EgressEcho) {
  checks::ResolverSettings settings;
  settings.mode = checks::ResolverSettings::Mode::forward;
  settings.forwarders = {world().host + "@" + std::to_string(world().echo_port)};
  settings.unbound_config_file = world().unbound_forward_config_file;
  settings.dnssec = false;
  auto resolver = make(settings);
  ASSERT_TRUE(resolver);
  const EgressQuery google_v4{EgressMethod::txt_echo, "o-o.myaddr.l.google.com.", AddressFamily::ipv4};
  const EgressQuery google_v6{EgressMethod::txt_echo, "o-o.myaddr.l.google.com.", AddressFamily::ipv6};
  const EgressQuery opendns_v4{EgressMethod::address_echo, "myip.opendns.com.", AddressFamily::ipv4};
  const EgressQuery opendns_v6{EgressMethod::address_echo, "myip.opendns.com.", AddressFamily::ipv6};

  EgressResult r = egress(*resolver, google_v4);
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(*r, "198.51.100.7");  // the world's default

  world().set_egress({"edns0-client-subnet 192.0.2.0/24", "2001:DB8::7", "203.0.113.9"});
  r = egress(*resolver, google_v4);
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(*r, "203.0.113.9");
  r = egress(*resolver, google_v6);
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(*r, "2001:db8::7");
  r = egress(*resolver, opendns_v4);
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(*r, "203.0.113.9");
  r = egress(*resolver, opendns_v6);
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(*r, "2001:db8::7");

  world().set_egress({"not an address"});
  r = egress(*resolver, google_v4);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), "TXT o-o.myaddr.l.google.com.: no IPv4 address in the answer: \"not an address\"");
  r = egress(*resolver, opendns_v4);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), "A myip.opendns.com.: nodata");

  world().set_egress({"!servfail"});
  r = egress(*resolver, google_v4);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().find("servfail"), std::string::npos) << r.error();
  world().set_egress({"198.51.100.7"});
}

}  // namespace
}  // namespace rdns::testing
