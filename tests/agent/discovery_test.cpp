// Target discovery in the agent over a scripted DiscoveryBackend: the runner (addresses added and
// dropped, kept on permerror/temperror, networks over the cap, an egress change counted once,
// sources deduplicated) and the Service around it (static targets win, new addresses checked at
// once, dropped ones lose their series, --shard, reload, metrics).
#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include <gtest/gtest.h>

#include "agent/discovery/discovery_runner.hpp"
#include "agent/service/service.hpp"
#include "tests/agent/exposition_parse.hpp"
#include "tests/agent/service_test_support.hpp"
#include "tests/agent/resolver_stack_test_support.hpp"
#include "tests/checks/fakes/fake_resolver.hpp"

namespace rdns::agent {
namespace {

using namespace std::chrono;
using checks::RrType;
using checks::discovery::SpfExpansion;
using checks::discovery::SpfOutcome;
using config::DiscoveryEntry;
using discovery::DiscoveryRunner;
using discovery::EgressOutcome;
using testing::parse_exposition;
using testing::wait_until;

// Answers what the test scripted last; counts the calls.
class FakeBackend final : public discovery::DiscoveryBackend {
public:
  void spf(const std::string& domain, SpfExpansion expansion) {
    std::lock_guard lock(m_mutex);
    m_spf[domain] = std::move(expansion);
  }
  void egress(DiscoveryEntry::Family family, EgressOutcome outcome) {
    std::lock_guard lock(m_mutex);
    m_egress[family] = std::move(outcome);
  }
  // Waits until the backend was called at least `n` times in all (true), or `limit` passed.
  bool wait_calls(int n, std::chrono::milliseconds limit = std::chrono::seconds(3)) {
    std::unique_lock lock(m_mutex);
    return m_called.wait_for(lock, limit, [&] { return calls >= n; });
  }
  SpfExpansion expand_spf(const config::ResolverConfig&, const std::string& domain, discovery::Deadline) override {
    std::lock_guard lock(m_mutex);
    ++calls;
    m_called.notify_all();
    auto it = m_spf.find(domain);
    if (it == m_spf.end()) return SpfExpansion{SpfOutcome::temperror, {}, {}, "unscripted", 0};
    return it->second;
  }
  EgressOutcome lookup_egress(const config::ResolverConfig&, const DiscoveryEntry&, DiscoveryEntry::Family family,
                              discovery::Deadline) override {
    std::lock_guard lock(m_mutex);
    ++calls;
    m_called.notify_all();
    auto it = m_egress.find(family);
    if (it == m_egress.end()) return {EgressOutcome::Kind::temperror, "", "unscripted"};
    return it->second;
  }
  std::atomic<int> calls{0};

private:
  std::mutex m_mutex;  // guards the scripts below; m_called waits on it
  std::condition_variable m_called;
  std::map<std::string, SpfExpansion> m_spf;
  std::map<DiscoveryEntry::Family, EgressOutcome> m_egress;
};

SpfExpansion spf_ok(std::vector<std::string> networks, std::vector<std::string> not_expandable = {}) {
  return SpfExpansion{SpfOutcome::ok, std::move(networks), std::move(not_expandable), "", 1};
}
SpfExpansion spf_failed(SpfOutcome outcome, std::string error) {
  return SpfExpansion{outcome, {}, {}, std::move(error), 0};
}
EgressOutcome egress_ok(std::string ip) { return {EgressOutcome::Kind::ok, std::move(ip), ""}; }

DiscoveryEntry spf_entry(std::string domain, config::Labels labels = {}) {
  DiscoveryEntry e;
  e.kind = DiscoveryEntry::Kind::spf;
  e.spf_domain = std::move(domain);
  e.labels = std::move(labels);
  return e;
}
DiscoveryEntry egress_entry(std::vector<DiscoveryEntry::Family> families = {DiscoveryEntry::Family::ipv4}) {
  DiscoveryEntry e;
  e.kind = DiscoveryEntry::Kind::egress;
  e.egress_name = "o-o.myaddr.example.test.";
  e.egress_servers = {"127.0.0.1@5353", "::1@5353"};
  e.egress_families = std::move(families);
  return e;
}

std::vector<std::string> ips(const std::vector<config::Target>& targets) {
  std::vector<std::string> out;
  for (const auto& t : targets) out.push_back(t.ip);
  return out;
}

// A copy: the stats are a temporary.
std::optional<metrics::DiscoverySourceStats> find_source(const metrics::DiscoveryStats& stats,
                                                         const std::string& source) {
  for (const auto& s : stats.sources)
    if (s.source == source) return s;
  return std::nullopt;
}

struct RunnerFixture {
  std::shared_ptr<FakeBackend> backend = std::make_shared<FakeBackend>();
  std::atomic<int> published{0};
  DiscoveryRunner runner{backend, [this] { ++published; }, [] { return 1.8e9; }};
  void configure(std::vector<DiscoveryEntry> entries, std::size_t max_cidr = 16) {
    discovery::DiscoverySettings settings;
    settings.entries = std::move(entries);
    settings.max_cidr_addresses = max_cidr;
    runner.configure(std::move(settings));
  }
};

TEST(DiscoveryRunner, SpfAddressesAppearAndDisappear) {
  RunnerFixture f;
  f.configure({spf_entry("example.test", {{"pool", "out"}})});
  EXPECT_TRUE(f.runner.targets().empty()) << "nothing before the first cycle";
  f.backend->spf("example.test", spf_ok({"192.0.2.8/31", "198.51.100.7/32"}));
  f.runner.run_cycle();
  EXPECT_EQ(f.published, 1);
  const auto targets = f.runner.targets();
  EXPECT_EQ(ips(targets), (std::vector<std::string>{"192.0.2.8", "192.0.2.9", "198.51.100.7"}));
  EXPECT_EQ(targets[0].entry, "spf:example.test");
  EXPECT_EQ(targets[0].labels, (config::Labels{{"pool", "out"}, {"source", "spf:example.test"}}));

  f.runner.run_cycle();
  EXPECT_EQ(f.published, 1) << "same set: nothing to publish";

  f.backend->spf("example.test", spf_ok({"192.0.2.9/32", "203.0.113.5/32"}));
  f.runner.run_cycle();
  EXPECT_EQ(f.published, 2);
  EXPECT_EQ(ips(f.runner.targets()), (std::vector<std::string>{"192.0.2.9", "203.0.113.5"}));
  const auto stats = f.runner.stats();
  const auto s = find_source(stats, "spf:example.test");
  ASSERT_TRUE(s.has_value());
  EXPECT_TRUE(s->spf && s->attempted && s->success);
  EXPECT_EQ(s->addresses, 2u);
  EXPECT_EQ(s->last_success_unix, 1.8e9);
  EXPECT_EQ(s->permerrors + s->temperrors, 0u);
}

TEST(DiscoveryRunner, BrokenOrUnreachableRecordKeepsThePreviousSet) {
  RunnerFixture f;
  f.configure({spf_entry("example.test")});
  f.backend->spf("example.test", spf_ok({"192.0.2.1/32"}));
  f.runner.run_cycle();
  for (auto [outcome, kind] : {std::pair{SpfOutcome::permerror, "permerror"},
                               {SpfOutcome::temperror, "temperror"},
                               {SpfOutcome::none, "permerror"}}) {
    SCOPED_TRACE(kind);
    f.backend->spf("example.test", spf_failed(outcome, "include loop: example.test -> example.test"));
    f.runner.run_cycle();
    f.runner.run_cycle();
    EXPECT_EQ(ips(f.runner.targets()), (std::vector<std::string>{"192.0.2.1"}));
    const auto s = find_source(f.runner.stats(), "spf:example.test");
    ASSERT_TRUE(s.has_value());
    EXPECT_FALSE(s->success);
    EXPECT_EQ(s->addresses, 1u);
  }
  EXPECT_EQ(f.published, 1) << "failures change nothing";
  const auto stats = f.runner.stats();
  const auto s = find_source(stats, "spf:example.test");
  EXPECT_EQ(s->permerrors, 4u);  // two permerror cycles, two "no SPF record" cycles
  EXPECT_EQ(s->temperrors, 2u);

  f.backend->spf("example.test", spf_ok({"192.0.2.2/32"}));
  f.runner.run_cycle();
  EXPECT_EQ(ips(f.runner.targets()), (std::vector<std::string>{"192.0.2.2"}));
  EXPECT_TRUE(find_source(f.runner.stats(), "spf:example.test")->success);
}

TEST(DiscoveryRunner, NetworksOverTheCapAreReportedNotExpanded) {
  RunnerFixture f;
  f.configure({spf_entry("example.test")}, 16);
  f.backend->spf("example.test",
                 spf_ok({"192.0.2.0/28", "198.51.100.0/24", "2001:db8::/64"}, {"exists:%{i}._spf.example.test"}));
  f.runner.run_cycle();
  EXPECT_EQ(f.runner.targets().size(), 16u) << "the /28 only";
  const auto s = find_source(f.runner.stats(), "spf:example.test");
  EXPECT_EQ(s->not_expandable, 3u) << "the exists term, the /24 and the /64";
  EXPECT_TRUE(s->success);
}

TEST(DiscoveryRunner, EgressChangeIsCountedOnceAndNotOnTheFirstDiscovery) {
  RunnerFixture f;
  f.configure({egress_entry({DiscoveryEntry::Family::ipv4, DiscoveryEntry::Family::ipv6})});
  f.backend->egress(DiscoveryEntry::Family::ipv4, egress_ok("203.0.113.7"));
  f.backend->egress(DiscoveryEntry::Family::ipv6, egress_ok("2001:db8::7"));
  f.runner.run_cycle();
  auto changes = [&] { return f.runner.stats().egress_changes; };
  using Changes = std::vector<std::pair<std::string, std::uint64_t>>;
  EXPECT_EQ(changes(), (Changes{{"ipv4", 0}, {"ipv6", 0}}));
  EXPECT_EQ(ips(f.runner.targets()), (std::vector<std::string>{"2001:db8::7", "203.0.113.7"}));
  EXPECT_EQ(f.runner.targets()[0].entry, "egress");

  // A failure in between keeps the address and is no change.
  f.backend->egress(DiscoveryEntry::Family::ipv4, {EgressOutcome::Kind::temperror, "", "timeout"});
  f.runner.run_cycle();
  EXPECT_EQ(ips(f.runner.targets()), (std::vector<std::string>{"2001:db8::7", "203.0.113.7"}));
  EXPECT_FALSE(find_source(f.runner.stats(), "egress")->success);
  EXPECT_EQ(find_source(f.runner.stats(), "egress")->temperrors, 1u);

  f.backend->egress(DiscoveryEntry::Family::ipv4, egress_ok("198.51.100.99"));
  f.runner.run_cycle();
  f.runner.run_cycle();
  EXPECT_EQ(changes(), (Changes{{"ipv4", 1}, {"ipv6", 0}}));
  EXPECT_EQ(ips(f.runner.targets()), (std::vector<std::string>{"198.51.100.99", "2001:db8::7"}));
  EXPECT_TRUE(find_source(f.runner.stats(), "egress")->success);

  // A permerror (e.g. a private address) keeps the last good one.
  f.backend->egress(DiscoveryEntry::Family::ipv4, {EgressOutcome::Kind::permerror, "", "10.0.0.1 is not public"});
  f.runner.run_cycle();
  EXPECT_EQ(find_source(f.runner.stats(), "egress")->permerrors, 1u);
  EXPECT_EQ(changes(), (Changes{{"ipv4", 1}, {"ipv6", 0}}));
}

TEST(DiscoveryRunner, AChangeAcrossARestartIsCountedWithTheAddressesOfTheLastRun) {
  using Addresses = std::map<std::string, std::string>;
  using Changes = std::vector<std::pair<std::string, std::uint64_t>>;
  RunnerFixture f;
  f.configure({egress_entry({DiscoveryEntry::Family::ipv4, DiscoveryEntry::Family::ipv6})});
  f.runner.restore_egress({{"ipv4", "203.0.113.7"}, {"ipv6", "2001:db8::7"}});
  EXPECT_EQ(f.runner.egress_addresses(), (Addresses{{"ipv4", "203.0.113.7"}, {"ipv6", "2001:db8::7"}}))
      << "kept for the next write until found again";
  EXPECT_TRUE(f.runner.targets().empty()) << "not monitored before it is discovered again";

  f.backend->egress(DiscoveryEntry::Family::ipv4, egress_ok("198.51.100.99"));  // changed meanwhile
  f.backend->egress(DiscoveryEntry::Family::ipv6, {EgressOutcome::Kind::temperror, "", "timeout"});
  f.runner.run_cycle();
  EXPECT_EQ(f.runner.stats().egress_changes, (Changes{{"ipv4", 1}, {"ipv6", 0}}));
  EXPECT_EQ(f.runner.egress_addresses(), (Addresses{{"ipv4", "198.51.100.99"}, {"ipv6", "2001:db8::7"}}));

  f.backend->egress(DiscoveryEntry::Family::ipv6, egress_ok("2001:db8::7"));  // the same as before
  f.runner.run_cycle();
  f.runner.run_cycle();
  EXPECT_EQ(f.runner.stats().egress_changes, (Changes{{"ipv4", 1}, {"ipv6", 0}}));
}

TEST(DiscoveryRunner, AnAddressOfTwoSourcesBelongsToTheFirst) {
  RunnerFixture f;
  f.configure({spf_entry("a.example.test"), spf_entry("b.example.test")});
  f.backend->spf("a.example.test", spf_ok({"192.0.2.1/32"}));
  f.backend->spf("b.example.test", spf_ok({"192.0.2.1/32", "192.0.2.2/32"}));
  f.runner.run_cycle();
  const auto targets = f.runner.targets();
  ASSERT_EQ(ips(targets), (std::vector<std::string>{"192.0.2.1", "192.0.2.2"}));
  EXPECT_EQ(targets[0].entry, "spf:a.example.test");
  EXPECT_EQ(targets[1].entry, "spf:b.example.test");
  EXPECT_EQ(find_source(f.runner.stats(), "spf:b.example.test")->addresses, 2u) << "the source's own count";
}

TEST(DiscoveryRunner, ReconfigureDropsRemovedSourcesAndKeepsTheOthers) {
  RunnerFixture f;
  f.configure({spf_entry("a.example.test"), spf_entry("b.example.test")});
  f.backend->spf("a.example.test", spf_ok({"192.0.2.1/32"}));
  f.backend->spf("b.example.test", spf_ok({"192.0.2.2/32"}));
  f.runner.run_cycle();
  const int calls = f.backend->calls;
  f.configure({spf_entry("b.example.test", {{"pool", "new"}})});
  const auto targets = f.runner.targets();
  ASSERT_EQ(ips(targets), (std::vector<std::string>{"192.0.2.2"})) << "kept at once, without asking again";
  EXPECT_EQ(targets[0].labels, (config::Labels{{"pool", "new"}, {"source", "spf:b.example.test"}}));
  EXPECT_EQ(f.backend->calls, calls);
  EXPECT_EQ(f.runner.stats().sources.size(), 1u);
}

TEST(DiscoveryRunner, ThreadRunsAtOnceAndEveryInterval) {
  RunnerFixture f;
  discovery::DiscoverySettings settings;
  settings.entries = {spf_entry("example.test")};
  settings.interval = milliseconds(100);
  f.backend->spf("example.test", spf_ok({"192.0.2.1/32"}));
  f.runner.configure(settings);
  f.runner.start();
  f.backend->wait_calls(4);
  f.runner.stop();
  EXPECT_GE(f.backend->calls, 4);
  const int after_stop = f.backend->calls;
  std::this_thread::sleep_for(milliseconds(250));
  EXPECT_EQ(f.backend->calls, after_stop);
}

TEST(DiscoveryRunner, AShorterIntervalTakesEffectWithoutWaitingForTheLongOne) {
  RunnerFixture f;
  discovery::DiscoverySettings settings;
  settings.entries = {spf_entry("example.test")};
  settings.interval = hours(1);
  f.backend->spf("example.test", spf_ok({"192.0.2.1/32"}));
  f.runner.configure(settings);
  f.runner.start();
  auto wait_calls = [&](int n) { return f.backend->wait_calls(n); };
  ASSERT_TRUE(wait_calls(1));
  settings.interval = milliseconds(50);  // a reload
  f.runner.configure(settings);
  EXPECT_TRUE(wait_calls(3));
  f.runner.stop();
}

// --- the resolver backend over scripted resolvers -------------------------------------------------

using checks::testing::answer_ok;
using checks::testing::answer_status;
using checks::testing::FakeResolver;

// Every resolver made is scripted alike; the factory records what it was asked for.
struct ScriptedFactory {
  std::vector<config::ResolverConfig> asked;
  std::function<void(FakeResolver&)> script;
  ResolverFactory factory() {
    return [this](const config::ResolverConfig& config,
                  std::shared_ptr<QueryRateLimiter> limiter) -> tl::expected<std::shared_ptr<ResolverStack>, std::string> {
      asked.push_back(config);
      auto resolver = std::make_shared<FakeResolver>(FakeResolver::Mode::threaded);
      script(*resolver);
      return testing::stack_over(resolver, {}, std::move(limiter));
    };
  }
};

TEST(DiscoveryBackend, SpfThroughAResolverLikeTheConfiguredOne) {
  ScriptedFactory made;
  made.script = [](FakeResolver& r) {
    r.script("example.test.", RrType::TXT, answer_ok({"v=spf1 ip4:192.0.2.0/30 include:_spf.example.test -all"}));
    r.script("_spf.example.test.", RrType::TXT, answer_ok({"v=spf1 ip6:2001:db8::/126 ~all"}));
  };
  auto backend = discovery::make_resolver_backend(made.factory());
  config::ResolverConfig resolver;
  resolver.mode = config::ResolverMode::recursive;
  const auto expansion = backend->expand_spf(resolver, "example.test", steady_clock::now() + seconds(2));
  EXPECT_EQ(expansion.outcome, SpfOutcome::ok) << expansion.error;
  EXPECT_EQ(expansion.networks, (std::vector<std::string>{"192.0.2.0/30", "2001:db8::/126"}));
  ASSERT_EQ(made.asked.size(), 1u);
  EXPECT_EQ(made.asked[0].mode, config::ResolverMode::recursive);

  // A new resolver per call: nothing cached from the first.
  made.script = [](FakeResolver& r) {
    r.script("example.test.", RrType::TXT, answer_status(checks::LookupStatus::servfail));
  };
  EXPECT_EQ(backend->expand_spf(resolver, "example.test", steady_clock::now() + seconds(2)).outcome,
            SpfOutcome::temperror);
  EXPECT_EQ(made.asked.size(), 2u);
  EXPECT_EQ(backend->query_counts(), (QueryCounts{{{"TXT", "ok"}, 2}, {{"TXT", "servfail"}, 1}}))
      << "every query of both calls, counted after each call's resolver is gone";
}

TEST(DiscoveryBackend, EgressAsksTheServersOfTheFamilyWithoutDnssec) {
  ScriptedFactory made;
  made.script = [](FakeResolver& r) {
    r.script("o-o.myaddr.example.test.", RrType::TXT, answer_ok({"edns0-client-subnet 192.0.2.0/24", "203.0.113.7"}));
  };
  auto backend = discovery::make_resolver_backend(made.factory());
  config::ResolverConfig resolver;
  resolver.unbound_config_file = "tuning.conf";
  const auto deadline = steady_clock::now() + seconds(2);
  const auto ok = backend->lookup_egress(resolver, egress_entry(), DiscoveryEntry::Family::ipv4, deadline);
  EXPECT_EQ(ok.kind, EgressOutcome::Kind::ok) << ok.error;
  EXPECT_EQ(ok.address, "203.0.113.7");
  ASSERT_EQ(made.asked.size(), 1u);
  EXPECT_EQ(made.asked[0].mode, config::ResolverMode::forward);
  EXPECT_EQ(made.asked[0].forwarders, (std::vector<std::string>{"127.0.0.1@5353"})) << "IPv4 servers only";
  EXPECT_FALSE(made.asked[0].dnssec);
  EXPECT_EQ(made.asked[0].unbound_config_file, "tuning.conf");

  const auto v6 = backend->lookup_egress(resolver, egress_entry(), DiscoveryEntry::Family::ipv6, deadline);
  EXPECT_EQ(made.asked.back().forwarders, (std::vector<std::string>{"::1@5353"}));
  EXPECT_EQ(v6.kind, EgressOutcome::Kind::permerror) << "no IPv6 address in the answer";

  struct Case {
    std::function<void(FakeResolver&)> script;
    EgressOutcome::Kind kind;
  };
  const Case cases[] = {
      {[](FakeResolver& r) {
         r.script("o-o.myaddr.example.test.", RrType::TXT, answer_status(checks::LookupStatus::servfail));
       },
       EgressOutcome::Kind::temperror},
      {[](FakeResolver& r) { r.hold("o-o.myaddr.example.test.", RrType::TXT); }, EgressOutcome::Kind::temperror},
      {[](FakeResolver& r) {
         r.script("o-o.myaddr.example.test.", RrType::TXT, answer_status(checks::LookupStatus::nxdomain));
       },
       EgressOutcome::Kind::permerror},
      {[](FakeResolver& r) { r.script("o-o.myaddr.example.test.", RrType::TXT, answer_ok({"10.1.2.3"})); },
       EgressOutcome::Kind::permerror},
  };
  for (const auto& c : cases) {
    made.script = c.script;
    const auto outcome = backend->lookup_egress(resolver, egress_entry(), DiscoveryEntry::Family::ipv4,
                                                steady_clock::now() + milliseconds(200));
    EXPECT_EQ(outcome.kind, c.kind) << outcome.error;
    EXPECT_FALSE(outcome.error.empty());
  }
}

TEST(DiscoveryBackend, OnlyPublicEgressAddressesAreUsable) {
  for (const char* ip : {"203.0.113.7", "198.51.100.7", "8.8.8.8", "2001:db8::7", "2620:119:35::35"}) {
    EXPECT_EQ(discovery::unusable_egress_address(ip), "") << ip;
  }
  for (const char* ip :
       {"0.0.0.0", "127.0.0.1", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", "100.64.0.1", "169.254.1.1",
        "224.0.0.1", "::", "::1", "fe80::1", "fd00::1", "ff02::1", "not-an-ip"}) {
    EXPECT_NE(discovery::unusable_egress_address(ip), "") << ip;
  }
  EXPECT_EQ(discovery::unusable_egress_address("172.32.0.1"), "");
  EXPECT_EQ(discovery::unusable_egress_address("100.128.0.1"), "");
}

// --- the Service around the runner --------------------------------------------------------------

ResolverFactory world_factory() {
  return [](const config::ResolverConfig&,
            std::shared_ptr<QueryRateLimiter> limiter) -> tl::expected<std::shared_ptr<ResolverStack>, std::string> {
    auto resolver = std::make_shared<FakeResolver>(FakeResolver::Mode::threaded);
    for (const char* ip : {"1", "2", "3", "4", "5", "6", "7", "8"}) {
      resolver->script(std::string(ip) + ".2.0.192.in-addr.arpa.", RrType::PTR, answer_ok({"mail.example.test."}));
    }
    resolver->script("mail.example.test.", RrType::A, answer_ok({"192.0.2.1"}));
    return testing::stack_over(resolver, {}, std::move(limiter));
  };
}

config::Target static_target(std::string ip) {
  config::Target t;
  t.ip = std::move(ip);
  t.entry = t.ip;
  t.labels = {{"pool", "static"}};
  return t;
}

config::Config discovery_config() {
  config::Config config;
  config.schedule.interval = seconds(30);  // the test runs the cycles itself
  config.schedule.timeout = milliseconds(500);
  config.targets = {static_target("192.0.2.1")};
  config.discovery = {spf_entry("example.test", {{"pool", "spf"}})};
  return config;
}

std::unique_ptr<Service> make_service(std::shared_ptr<FakeBackend> backend, config::Config config,
                                      std::optional<Shard> shard = std::nullopt) {
  ServiceOptions options;
  options.make_resolver = world_factory();
  options.discovery_backend = std::move(backend);
  options.shard = shard;
  return testing::make_service(std::move(config), std::move(options));
}

TEST(DiscoveryService, RefusedWithoutABackend) {
  ServiceOptions options;
  options.make_resolver = world_factory();
  auto service = Service::create(discovery_config(), std::move(options));
  ASSERT_FALSE(service);
  EXPECT_NE(service.error().find("spf_domain"), std::string::npos);
}

TEST(DiscoveryService, StaticWinsNewAddressesAreCheckedAtOnceDroppedOnesLoseTheirSeries) {
  auto backend = std::make_shared<FakeBackend>();
  backend->spf("example.test", spf_ok({"192.0.2.1/32", "192.0.2.2/31"}));
  auto service = make_service(backend, discovery_config());
  service->start();  // runs a first cycle at once on the runner's thread
  ASSERT_TRUE(wait_until([&] {
    const auto p = parse_exposition(service->metrics_text());
    return p.value("rdns_check_success", {{"ip", "192.0.2.2"}}) && p.value("rdns_check_success", {{"ip", "192.0.2.3"}});
  })) << "discovered addresses are checked at once, not at the next interval";

  auto p = parse_exposition(service->metrics_text());
  ASSERT_EQ(p.error, "");
  EXPECT_EQ(p.value("rdns_targets"), 3.0);
  // 192.0.2.1 is static and in the SPF record: monitored once, as the static target.
  EXPECT_EQ(p.value("rdns_target_info", {{"ip", "192.0.2.1"}, {"target", "192.0.2.1"}}), 1.0);
  EXPECT_EQ(p.find("rdns_target_info", {{"ip", "192.0.2.1"}}).size(), 1u);
  EXPECT_EQ(p.value("rdns_target_info", {{"ip", "192.0.2.2"}, {"target", "spf:example.test"}}), 1.0);
  EXPECT_EQ(p.value("rdns_check_success", {{"ip", "192.0.2.2"}, {"source", "spf:example.test"}, {"pool", "spf"}}),
            0.0);  // mail.example.test is 192.0.2.1: not forward-confirmed
  EXPECT_TRUE(p.find("rdns_ptr_present", {{"ip", "192.0.2.1"}, {"source", "spf:example.test"}}).empty());
  EXPECT_EQ(p.value("rdns_target_ips", {{"target", "spf:example.test"}, {"result", "fail"}}), 2.0);
  EXPECT_EQ(p.value("rdns_discovered_targets", {{"source", "spf:example.test"}}), 3.0) << "before dedup";
  EXPECT_EQ(p.value("rdns_discovery_success", {{"source", "spf:example.test"}}), 1.0);
  EXPECT_EQ(p.value("rdns_discovery_errors_total", {{"source", "spf:example.test"}, {"kind", "permerror"}}), 0.0);
  EXPECT_GT(*p.value("rdns_discovery_last_success_timestamp_seconds", {{"source", "spf:example.test"}}), 1.7e9);
  EXPECT_EQ(p.value("rdns_spf_not_expandable_terms", {{"source", "spf:example.test"}}), 0.0);
  EXPECT_TRUE(p.find("rdns_egress_ip_changes_total").empty()) << "no egress entry";

  // The record changes: .3 gone (its series with it), .4 added and checked at once.
  backend->spf("example.test", spf_ok({"192.0.2.2/32", "192.0.2.4/32"}));
  service->run_discovery_cycle();
  p = parse_exposition(service->metrics_text());
  EXPECT_TRUE(p.find("rdns_ptr_lookup_status", {{"ip", "192.0.2.3"}}).empty());
  EXPECT_TRUE(p.find("rdns_target_info", {{"ip", "192.0.2.3"}}).empty());
  EXPECT_EQ(p.value("rdns_check_success", {{"ip", "192.0.2.2"}}), 0.0) << "kept its result";
  EXPECT_TRUE(wait_until([&] {
    return parse_exposition(service->metrics_text()).value("rdns_check_success", {{"ip", "192.0.2.4"}}).has_value();
  }));

  // Broken record: everything stays, the metrics say so.
  backend->spf("example.test", spf_failed(SpfOutcome::permerror, "two SPF records"));
  service->run_discovery_cycle();
  p = parse_exposition(service->metrics_text());
  EXPECT_EQ(p.value("rdns_targets"), 3.0);
  EXPECT_EQ(p.value("rdns_discovery_success", {{"source", "spf:example.test"}}), 0.0);
  EXPECT_EQ(p.value("rdns_discovery_errors_total", {{"source", "spf:example.test"}, {"kind", "permerror"}}), 1.0);
  EXPECT_EQ(p.value("rdns_check_success", {{"ip", "192.0.2.4"}}).has_value(), true);
  service->shutdown();
}

TEST(DiscoveryService, ReloadWithoutTheEntryDropsItsTargets) {
  auto backend = std::make_shared<FakeBackend>();
  backend->spf("example.test", spf_ok({"192.0.2.5/32"}));
  auto service = make_service(backend, discovery_config());
  service->run_discovery_cycle();
  EXPECT_EQ(parse_exposition(service->metrics_text()).value("rdns_targets"), 2.0);

  auto config = discovery_config();
  config.discovery.clear();
  ASSERT_TRUE(service->apply(config));
  auto p = parse_exposition(service->metrics_text());
  EXPECT_EQ(p.value("rdns_targets"), 1.0);
  EXPECT_TRUE(p.find("rdns_discovered_targets").empty());
  service->run_discovery_cycle();  // a late cycle adds nothing
  EXPECT_EQ(parse_exposition(service->metrics_text()).value("rdns_targets"), 1.0);

  // Back again, with an egress entry too: the known addresses come back with the next cycle.
  config = discovery_config();
  config.discovery.push_back(egress_entry());
  backend->egress(DiscoveryEntry::Family::ipv4, egress_ok("192.0.2.6"));
  ASSERT_TRUE(service->apply(config));
  service->run_discovery_cycle();
  p = parse_exposition(service->metrics_text());
  EXPECT_EQ(p.value("rdns_targets"), 3.0);
  EXPECT_EQ(p.value("rdns_target_info", {{"ip", "192.0.2.6"}, {"target", "egress"}}), 1.0);
  EXPECT_EQ(p.value("rdns_egress_ip_changes_total", {{"family", "ipv4"}}), 0.0);
  service->shutdown();
}

TEST(DiscoveryService, ShardKeepsOnlyTheDiscoveredAddressesItOwns) {
  auto backend = std::make_shared<FakeBackend>();
  backend->spf("example.test", spf_ok({"198.51.100.0/28"}));
  auto config = discovery_config();
  config.targets.clear();
  const Shard shard{1, 3};
  auto service = make_service(backend, config, shard);
  service->run_discovery_cycle();
  const auto p = parse_exposition(service->metrics_text());
  std::size_t owned = 0;
  for (int i = 0; i < 16; ++i) {
    const std::string ip = "198.51.100." + std::to_string(i);
    const bool mine = owns(ip, shard);
    owned += mine;
    EXPECT_EQ(p.find("rdns_target_info", {{"ip", ip}}).size(), mine ? 1u : 0u) << ip;
  }
  EXPECT_GT(owned, 0u);
  EXPECT_LT(owned, 16u);
  EXPECT_EQ(p.value("rdns_targets"), static_cast<double>(owned));
  EXPECT_EQ(p.value("rdns_discovered_targets", {{"source", "spf:example.test"}}), 16.0);
}

}  // namespace
}  // namespace rdns::agent
