// UnboundResolver against the real DNS world: every scenario's PTR answer classified as
// world.toml says, forward lookups, DNSSEC secure/bogus, dead servers, deadlines, load, and
// shutdown with queries in flight.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <future>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include "checks/counting_resolver.hpp"
#include "checks/unbound/unbound_resolver.hpp"
#include "tests/integration/dns_world_fixture.hpp"
#include "tests/integration/resolve_sync.hpp"

namespace rdns::testing {
namespace {

using checks::DnsAnswer;
using checks::LookupStatus;
using checks::RrType;
using checks::UnboundResolver;
using namespace std::chrono_literals;

std::unique_ptr<UnboundResolver> make(const checks::ResolverSettings& settings) {
  auto resolver = UnboundResolver::create(settings);
  if (!resolver) {
    ADD_FAILURE() << resolver.error();
    return nullptr;
  }
  return std::move(*resolver);
}

bool is_ipv6(const std::string& ip) { return ip.find(':') != std::string::npos; }

void expect_ptr(const Scenario& s, const DnsAnswer& a, bool check_ttl) {
  SCOPED_TRACE(s.ip + ": " + s.description);
  const std::string got(checks::to_string(a.status));
  EXPECT_TRUE(std::find(s.ptr.statuses.begin(), s.ptr.statuses.end(), got) != s.ptr.statuses.end())
      << "status " << status_text(a) << ", expected " << s.ptr.status;
  if (a.status == LookupStatus::ok || s.ptr.status == "ok") {
    // RRset order is not significant (libunbound rotates it): compare as sets.
    auto got_records = a.records;
    auto want_records = s.ptr.records;
    std::sort(got_records.begin(), got_records.end());
    std::sort(want_records.begin(), want_records.end());
    EXPECT_EQ(got_records, want_records);
  } else {
    EXPECT_TRUE(a.records.empty());
  }
  if (check_ttl && s.ptr.status == "ok") {
    EXPECT_LE(a.ttl, s.ptr.ttl);
    EXPECT_GE(a.ttl + 10, s.ptr.ttl);  // a fresh cache: counted down a few seconds at most
  }
  EXPECT_EQ(a.secure, s.ptr.secure);
  EXPECT_EQ(a.canonical_name, s.ptr.canonical_name);
  if (!s.ptr.soa_zone.empty()) {
    ASSERT_TRUE(a.authority_soa.has_value());
    EXPECT_EQ(a.authority_soa->zone, s.ptr.soa_zone);
    EXPECT_EQ(a.authority_soa->primary_ns, "ns1.example.test");
    EXPECT_EQ(a.authority_soa->responsible, "hostmaster@example.test");
  }
  if (s.ptr.status == "bogus") {
    EXPECT_FALSE(a.detail.empty()) << "why_bogus belongs in detail";
  }
}

class UnboundResolverWorld : public DnsWorldTest {};

// All scenarios at once (also a concurrency test): each PTR answer exactly as world.toml says.
TEST_F(UnboundResolverWorld, EveryScenarioPtrRecursive) {
  auto resolver = make(world().recursive_settings());
  ASSERT_TRUE(resolver);
  std::vector<Query> queries;
  for (const auto& s : world().scenarios) {
    queries.push_back({s.reverse_name, RrType::PTR});
  }
  const auto started = std::chrono::steady_clock::now();
  const auto answers = resolve_all(*resolver, queries, 4s);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  for (std::size_t i = 0; i < answers.size(); ++i) {
    expect_ptr(world().scenarios[i], answers[i], true);
  }
}

TEST_F(UnboundResolverWorld, EveryScenarioPtrForwardMode) {
  auto resolver = make(world().forward_settings());
  ASSERT_TRUE(resolver);
  const std::vector<const Scenario*> used = world().forward_mode_scenarios();
  ASSERT_GE(used.size(), 20u);
  std::vector<Query> queries;
  for (const Scenario* s : used) queries.push_back({s->reverse_name, RrType::PTR});
  const auto answers = resolve_all(*resolver, queries, 4s);
  for (std::size_t i = 0; i < answers.size(); ++i) {
    expect_ptr(*used[i], answers[i], true);
  }
}

// The A (IPv4) / AAAA (IPv6) lookup of each PTR name, as world.toml says.
TEST_F(UnboundResolverWorld, ForwardLookupsOfPtrNames) {
  auto resolver = make(world().recursive_settings());
  ASSERT_TRUE(resolver);
  std::size_t checked = 0;
  for (const auto& s : world().scenarios) {
    for (const auto& f : s.forward) {
      SCOPED_TRACE(s.ip + " -> " + f.name);
      const auto a = resolve_sync(*resolver, f.name, is_ipv6(s.ip) ? RrType::AAAA : RrType::A);
      EXPECT_EQ(checks::to_string(a.status), f.status) << status_text(a);
      ++checked;
    }
  }
  EXPECT_GE(checked, 10u);
}

TEST_F(UnboundResolverWorld, CnameChainIsFollowedForA) {
  auto resolver = make(world().recursive_settings());
  ASSERT_TRUE(resolver);
  const auto a = resolve_sync(*resolver, "alias.example.test.", RrType::A);
  ASSERT_EQ(a.status, LookupStatus::ok) << status_text(a);
  EXPECT_EQ(a.records, std::vector<std::string>{"192.0.2.19"});
  EXPECT_EQ(a.canonical_name, "real.example.test.");
  EXPECT_EQ(a.ttl, world().ttl);
}

TEST_F(UnboundResolverWorld, AaaaAndSoaDecoding) {
  auto resolver = make(world().recursive_settings());
  ASSERT_TRUE(resolver);
  const auto six = resolve_sync(*resolver, "mail6.example.test.", RrType::AAAA);
  ASSERT_EQ(six.status, LookupStatus::ok) << status_text(six);
  EXPECT_EQ(six.records, std::vector<std::string>{"2001:db8::25"});
  const auto soa = resolve_sync(*resolver, "2.0.192.in-addr.arpa.", RrType::SOA);
  ASSERT_EQ(soa.status, LookupStatus::ok) << status_text(soa);
  ASSERT_EQ(soa.records.size(), 1u);
  EXPECT_EQ(soa.records[0].rfind("ns1.example.test. hostmaster.example.test. ", 0), 0u) << soa.records[0];
  EXPECT_TRUE(soa.records[0].ends_with(" 3600 600 86400 60")) << soa.records[0];
  const auto ns = resolve_sync(*resolver, "2.0.192.in-addr.arpa.", RrType::NS);
  ASSERT_EQ(ns.status, LookupStatus::ok) << status_text(ns);
  EXPECT_EQ(ns.records, std::vector<std::string>{"ns1.example.test."});
}

TEST_F(UnboundResolverWorld, TxtAndMxDecoding) {
  auto resolver = make(world().recursive_settings());
  ASSERT_TRUE(resolver);
  const auto txt = resolve_sync(*resolver, "nomail.example.test.", RrType::TXT);
  ASSERT_EQ(txt.status, LookupStatus::ok) << status_text(txt);
  EXPECT_EQ(txt.records, std::vector<std::string>{"a name with no address records"});
  const auto mx = resolve_sync(*resolver, "mail.example.test.", RrType::MX);
  ASSERT_EQ(mx.status, LookupStatus::ok) << status_text(mx);
  EXPECT_EQ(mx.records, std::vector<std::string>{"10 mail.example.test."});
}

// A reverse zone delegated to an address where nothing listens: never a definitive answer,
// and over within the deadline.
TEST_F(UnboundResolverWorld, DeadDelegationIsNeverDefinitive) {
  auto resolver = make(world().recursive_settings());
  ASSERT_TRUE(resolver);
  const auto started = std::chrono::steady_clock::now();
  const auto a = resolve_sync(*resolver, "66.100.51.198.in-addr.arpa.", RrType::PTR, 2s);
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_TRUE(a.status == LookupStatus::servfail || a.status == LookupStatus::timeout) << status_text(a);
  EXPECT_FALSE(checks::is_definitive(a.status));
  EXPECT_LT(took, 2500ms);
}

TEST_F(UnboundResolverWorld, ShortDeadlineEndsInTimeout) {
  auto resolver = make(world().recursive_settings());
  ASSERT_TRUE(resolver);
  // Outage: nothing answers, and libunbound never gives up on its own within 200 ms.
  world().server_stop();
  const auto started = std::chrono::steady_clock::now();
  const auto a = resolve_sync(*resolver, "10.2.0.192.in-addr.arpa.", RrType::PTR, 200ms);
  const auto took = std::chrono::steady_clock::now() - started;
  world().server_start();
  EXPECT_EQ(a.status, LookupStatus::timeout) << status_text(a);
  EXPECT_GE(took, 195ms);
  EXPECT_LT(took, 700ms);
}

TEST_F(UnboundResolverWorld, RecoversAfterServerOutage) {
  auto resolver = make(world().recursive_settings());
  ASSERT_TRUE(resolver);
  world().server_stop();
  const auto down = resolve_sync(*resolver, "10.2.0.192.in-addr.arpa.", RrType::PTR, 1500ms);
  EXPECT_FALSE(checks::is_definitive(down.status)) << status_text(down);
  world().server_start();
  DnsAnswer up;
  for (int attempt = 0; attempt < 20 && up.status != LookupStatus::ok; ++attempt) {
    up = resolve_sync(*resolver, "10.2.0.192.in-addr.arpa.", RrType::PTR, 2s);
  }
  EXPECT_EQ(up.status, LookupStatus::ok) << status_text(up);
  EXPECT_EQ(up.records, std::vector<std::string>{"mail.example.test."});
}

TEST_F(UnboundResolverWorld, SetPtrIsServed) {
  auto resolver = make(world().recursive_settings());
  ASSERT_TRUE(resolver);
  world().set_ptr("192.0.2.30", {"changed.example.test"});
  const auto a = resolve_sync(*resolver, "30.2.0.192.in-addr.arpa.", RrType::PTR);
  EXPECT_EQ(a.status, LookupStatus::ok) << status_text(a);
  EXPECT_EQ(a.records, std::vector<std::string>{"changed.example.test."});
  world().set_ptr("192.0.2.30", {});
}

TEST_F(UnboundResolverWorld, DnssecOffMeansNoValidation) {
  auto settings = world().recursive_settings();
  settings.dnssec = false;
  auto resolver = make(settings);
  ASSERT_TRUE(resolver);
  const auto bogus = resolve_sync(*resolver, "66.113.0.203.in-addr.arpa.", RrType::PTR);
  EXPECT_EQ(bogus.status, LookupStatus::ok) << status_text(bogus);
  EXPECT_EQ(bogus.records, std::vector<std::string>{"tampered.example.test."});
  EXPECT_FALSE(bogus.secure);
  const auto signed_ok = resolve_sync(*resolver, "10.113.0.203.in-addr.arpa.", RrType::PTR);
  EXPECT_EQ(signed_ok.status, LookupStatus::ok);
  EXPECT_FALSE(signed_ok.secure);
}

TEST_F(UnboundResolverWorld, ExplicitTrustAnchorFile) {
  auto settings = world().forward_settings();
  settings.trust_anchor_file = world().trust_anchor_file;
  auto resolver = make(settings);
  ASSERT_TRUE(resolver);
  const auto a = resolve_sync(*resolver, "10.113.0.203.in-addr.arpa.", RrType::PTR);
  EXPECT_EQ(a.status, LookupStatus::ok) << status_text(a);
  EXPECT_TRUE(a.secure);
}

// 600 queries in flight on one loop thread, all answered, none lost, counted.
TEST_F(UnboundResolverWorld, ManyConcurrentQueries) {
  auto inner = make(world().recursive_settings());
  ASSERT_TRUE(inner);
  auto counting = std::make_shared<checks::CountingResolver>(std::move(inner));
  std::vector<Query> queries;
  for (int round = 0; round < 3; ++round) {
    for (int host = 0; host < 200; ++host) {
      queries.push_back({std::to_string(host) + ".2.0.192.in-addr.arpa.", RrType::PTR});
    }
  }
  const auto started = std::chrono::steady_clock::now();
  const auto answers = resolve_all(*counting, queries, 10s);
  const auto took = std::chrono::steady_clock::now() - started;
  std::size_t ok = 0;
  for (std::size_t i = 0; i < answers.size(); ++i) {
    ASSERT_TRUE(checks::is_definitive(answers[i].status)) << queries[i].name << ": " << status_text(answers[i]);
    ok += answers[i].status == LookupStatus::ok;
  }
  // 10, 13-16, 19-25 have PTRs directly; 17 via CNAME; 21 in its own zone.
  EXPECT_EQ(ok, 3u * 13u);
  EXPECT_LT(took, 10s);
  std::uint64_t counted = 0;
  for (const auto& c : counting->snapshot()) {
    EXPECT_EQ(c.type, RrType::PTR);
    counted += c.count;
  }
  EXPECT_EQ(counted, queries.size());
}

// Destroying the resolver completes every outstanding query exactly once (ASan: no leak).
TEST_F(UnboundResolverWorld, DestroyWithQueriesInFlight) {
  auto resolver = make(world().recursive_settings());
  ASSERT_TRUE(resolver);
  auto calls = std::make_shared<std::atomic<int>>(0);
  constexpr int k_queries = 300;
  for (int i = 0; i < k_queries; ++i) {
    // The dead delegation keeps them pending for seconds; the others may or may not be done.
    const std::string name = i % 2 == 0 ? std::to_string(i) + ".66.100.51.198.in-addr.arpa."
                                        : std::to_string(i % 256) + ".2.0.192.in-addr.arpa.";
    resolver->resolve(name, RrType::PTR, std::chrono::steady_clock::now() + 30s,
                      [calls](DnsAnswer) { calls->fetch_add(1); });
  }
  std::this_thread::sleep_for(100ms);
  const auto started = std::chrono::steady_clock::now();
  resolver.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
  EXPECT_EQ(calls->load(), k_queries);
}

// A callback that submits again while the resolver shuts down gets its answer at once.
TEST_F(UnboundResolverWorld, ResubmitDuringShutdown) {
  auto resolver = make(world().recursive_settings());
  ASSERT_TRUE(resolver);
  auto first = std::make_shared<std::atomic<int>>(0);
  auto second = std::make_shared<std::atomic<int>>(0);
  auto* raw = resolver.get();
  for (int i = 0; i < 50; ++i) {
    raw->resolve(std::to_string(i) + ".66.100.51.198.in-addr.arpa.", RrType::PTR,
                 std::chrono::steady_clock::now() + 30s, [raw, first, second](DnsAnswer a) {
                   first->fetch_add(1);
                   EXPECT_EQ(a.status, LookupStatus::error);
                   raw->resolve("10.2.0.192.in-addr.arpa.", RrType::PTR, std::chrono::steady_clock::now() + 30s,
                                [second](DnsAnswer b) {
                                  EXPECT_EQ(b.status, LookupStatus::error);
                                  second->fetch_add(1);
                                });
                 });
  }
  std::this_thread::sleep_for(50ms);
  resolver.reset();
  EXPECT_EQ(first->load(), 50);
  EXPECT_EQ(second->load(), 50);
}

// A callback may submit the next query (the checker does: PTR, then A of each name).
TEST_F(UnboundResolverWorld, ResolveFromInsideACallback) {
  auto resolver = make(world().recursive_settings());
  ASSERT_TRUE(resolver);
  std::promise<DnsAnswer> done;
  auto* raw = resolver.get();
  raw->resolve("10.2.0.192.in-addr.arpa.", RrType::PTR, std::chrono::steady_clock::now() + 5s,
               [raw, &done](DnsAnswer ptr) {
                 if (ptr.records.size() != 1) {
                   done.set_value(std::move(ptr));
                   return;
                 }
                 raw->resolve(ptr.records[0], RrType::A, std::chrono::steady_clock::now() + 5s,
                              [&done](DnsAnswer a) { done.set_value(std::move(a)); });
               });
  const auto a = done.get_future().get();
  EXPECT_EQ(a.records, std::vector<std::string>{"192.0.2.10"});
}

// Errors a user can cause are values that name the setting and the file.
TEST(UnboundResolverSettings, MissingConfigFileIsNamed) {
  checks::ResolverSettings s;
  s.mode = checks::ResolverSettings::Mode::recursive;
  s.unbound_config_file = "/nonexistent/unbound.conf";
  const auto r = UnboundResolver::create(s);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("unbound_config_file"), std::string::npos) << r.error();
  EXPECT_NE(r.error().find("/nonexistent/unbound.conf"), std::string::npos) << r.error();
}

TEST(UnboundResolverSettings, SyntaxErrorInConfigFile) {
  const std::string path = ::testing::TempDir() + "/rdns-bad-unbound.conf";
  std::ofstream(path) << "server:\n    no-such-option-here: 1\n";
  checks::ResolverSettings s;
  s.mode = checks::ResolverSettings::Mode::recursive;
  s.unbound_config_file = path;
  const auto r = UnboundResolver::create(s);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find(path), std::string::npos) << r.error();
}

TEST(UnboundResolverSettings, BrokenTrustAnchorFileFailsAtCreate) {
  const std::string path = ::testing::TempDir() + "/rdns-bad-anchor.ds";
  std::ofstream(path) << "this is not a DS record\n";
  checks::ResolverSettings s;
  s.mode = checks::ResolverSettings::Mode::forward;
  s.forwarders = {"127.0.0.1@53"};
  s.trust_anchor_file = path;
  const auto r = UnboundResolver::create(s);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("trust_anchor_file"), std::string::npos) << r.error();
  s.trust_anchor_file = "/nonexistent/anchor";
  const auto missing = UnboundResolver::create(s);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("/nonexistent/anchor"), std::string::npos) << missing.error();
}

TEST(UnboundResolverSettings, ForwardNeedsValidForwarders) {
  checks::ResolverSettings s;
  s.mode = checks::ResolverSettings::Mode::forward;
  auto r = UnboundResolver::create(s);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("forwarders"), std::string::npos) << r.error();
  s.forwarders = {"not an address"};
  r = UnboundResolver::create(s);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("not an address"), std::string::npos) << r.error();
}

TEST(UnboundResolverSettings, MissingRootHints) {
  checks::ResolverSettings s;
  s.mode = checks::ResolverSettings::Mode::recursive;
  s.root_hints_file = "/nonexistent/root.hints";
  const auto r = UnboundResolver::create(s);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("root_hints_file"), std::string::npos) << r.error();
}

TEST(UnboundResolverSettings, VersionIsLibunbounds) {
  EXPECT_FALSE(UnboundResolver::version().empty());
  EXPECT_NE(UnboundResolver::version().find('.'), std::string::npos);
}

}  // namespace
}  // namespace rdns::testing
