// Service: the agent without HTTP and signals, over the real Checker and a scripted resolver.
// Readiness, exposition end to end, reload (targets, resolver rebuild, broken config), /probe
// and shutdown.
#include <atomic>
#include <cstdio>
#include <fstream>
#include <future>
#include <map>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "agent/service/service.hpp"
#include "agent/web_handlers.hpp"
#include "tests/agent/exposition_parse.hpp"
#include "tests/agent/service_test_support.hpp"
#include "tests/agent/resolver_stack_test_support.hpp"
#include "tests/checks/fakes/fake_resolver.hpp"

namespace rdns::agent {
namespace {

using namespace std::chrono;
using checks::LookupStatus;
using checks::RrType;
using checks::testing::answer_ok;
using checks::testing::answer_status;
using checks::testing::FakeResolver;
using testing::parse_exposition;
using testing::wait_until;

config::Target target(std::string ip) {
  config::Target t;
  t.ip = std::move(ip);
  return t;
}

config::Config base_config() {
  config::Config config;
  config.schedule.interval = milliseconds(300);
  config.schedule.timeout = milliseconds(200);
  config.schedule.concurrency = 8;
  config.targets = {target("192.0.2.10"), target("192.0.2.11"), target("192.0.2.66")};
  return config;
}

void script_world(FakeResolver& resolver) {
  resolver.script("10.2.0.192.in-addr.arpa.", RrType::PTR, answer_ok({"mail.example.test."}));
  resolver.script("mail.example.test.", RrType::A, answer_ok({"192.0.2.10"}));
  resolver.script("11.2.0.192.in-addr.arpa.", RrType::PTR, answer_status(LookupStatus::nxdomain));
  resolver.script("66.2.0.192.in-addr.arpa.", RrType::PTR, answer_status(LookupStatus::servfail, "lame"));
  resolver.script("12.2.0.192.in-addr.arpa.", RrType::PTR, answer_ok({"mail.example.test."}));
}

// A factory that hands out scripted threaded fakes and counts how often it was asked.
struct FakeFactory {
  std::atomic<int> made{0};
  std::atomic<bool> fail{false};
  FakeResolver::Mode mode = FakeResolver::Mode::threaded;
  bool keep = false;  // the test keeps every resolver made, so it may outlive the service
  std::vector<std::shared_ptr<FakeResolver>> kept;
  ResolverFactory factory() {
    return [this](const config::ResolverConfig&,
                  std::shared_ptr<QueryRateLimiter> limiter) -> tl::expected<std::shared_ptr<ResolverStack>, std::string> {
      if (fail) return tl::make_unexpected(std::string("cannot open unbound.conf"));
      ++made;
      auto resolver = std::make_shared<FakeResolver>(mode);
      script_world(*resolver);
      if (keep) kept.push_back(resolver);
      return testing::stack_over(resolver, {}, std::move(limiter));
    };
  }
};

std::unique_ptr<Service> make_service(FakeFactory& fakes, config::Config config = base_config(),
                                      std::size_t max_probes = 4) {
  ServiceOptions options;
  options.make_resolver = fakes.factory();
  options.unbound_version = "1.17.1";
  options.max_concurrent_probes = max_probes;
  return testing::make_service(std::move(config), std::move(options));
}

TEST(AgentService, ReadyAfterFirstCycleAndExportsTheContract) {
  FakeFactory fakes;
  auto service = make_service(fakes);
  EXPECT_FALSE(service->ready());
  EXPECT_TRUE(parse_exposition(service->metrics_text()).find("rdns_ptr_lookup_status").empty())
      << "no series before the first check";
  service->start();
  ASSERT_TRUE(wait_until([&] { return service->ready(); }));

  const auto parsed = parse_exposition(service->metrics_text());
  ASSERT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.value("rdns_check_success", {{"ip", "192.0.2.10"}}), 1.0);
  EXPECT_EQ(parsed.value("rdns_ptr_info", {{"ip", "192.0.2.10"}, {"hostname", "mail.example.test"}}), 1.0);
  EXPECT_EQ(parsed.value("rdns_ptr_present", {{"ip", "192.0.2.11"}}), 0.0);
  EXPECT_EQ(parsed.value("rdns_check_success", {{"ip", "192.0.2.11"}}), 0.0);
  EXPECT_EQ(parsed.value("rdns_ptr_lookup_status", {{"ip", "192.0.2.66"}, {"status", "servfail"}}), 1.0);
  EXPECT_TRUE(parsed.find("rdns_ptr_present", {{"ip", "192.0.2.66"}}).empty());
  EXPECT_TRUE(parsed.find("rdns_check_success", {{"ip", "192.0.2.66"}}).empty());
  EXPECT_EQ(parsed.value("rdns_targets"), 3.0);
  EXPECT_EQ(parsed.value("rdns_config_last_reload_successful"), 1.0);
  EXPECT_GT(*parsed.value("rdns_config_last_reload_success_timestamp_seconds"), 1.7e9);
  EXPECT_EQ(parsed.value("rdns_build_info", {{"unbound_version", "1.17.1"}}), 1.0);
  // Counted by the stack's own counting layer: 192.0.2.10's PTR at least (every check asks again).
  EXPECT_GE(parsed.value("rdns_dns_queries_total", {{"type", "PTR"}, {"result", "ok"}}).value_or(0), 1.0);
  EXPECT_GE(parsed.value("rdns_dns_queries_total", {{"type", "PTR"}, {"result", "servfail"}}).value_or(0), 1.0);
  EXPECT_EQ(parsed.value("rdns_dns_queries_total", {{"type", "AAAA"}, {"result", "timeout"}}), 0.0);
  EXPECT_GE(*parsed.value("rdns_check_duration_seconds_count"), 3.0);
  EXPECT_EQ(parsed.types.at("rdns_check_duration_seconds"), "histogram");
  EXPECT_EQ(parsed.types.at("rdns_dns_queries_total"), "counter");

  // The servfail target is retried sooner than the interval: more checks than the others.
  EXPECT_TRUE(wait_until([&] { return service->scheduler_stats().started > 9u; }, milliseconds(1300)))
      << service->scheduler_stats().started << " checks started";
  service->shutdown();
}

TEST(AgentService, ApplyKeepsResultsDropsRemovedAndRebuildsResolverOnlyWhenChanged) {
  FakeFactory fakes;
  auto service = make_service(fakes);
  service->start();
  ASSERT_TRUE(wait_until([&] { return service->ready(); }));
  ASSERT_EQ(fakes.made, 1);

  // Same resolver settings, one target removed, one added: no new resolver.
  auto config = base_config();
  config.targets = {target("192.0.2.10"), target("192.0.2.12")};
  ASSERT_TRUE(service->apply(config));
  EXPECT_EQ(fakes.made, 1);
  auto parsed = parse_exposition(service->metrics_text());
  ASSERT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.value("rdns_check_success", {{"ip", "192.0.2.10"}}), 1.0) << "kept its result at once";
  EXPECT_TRUE(parsed.find("rdns_ptr_lookup_status", {{"ip", "192.0.2.11"}}).empty()) << "removed: gone";
  EXPECT_TRUE(parsed.find("rdns_ptr_lookup_status", {{"ip", "192.0.2.66"}}).empty());
  EXPECT_EQ(parsed.value("rdns_targets"), 2.0);
  ASSERT_TRUE(wait_until([&] {
    return parse_exposition(service->metrics_text()).value("rdns_check_success", {{"ip", "192.0.2.12"}}) == 0.0;
  })) << "new target checked (its PTR does not confirm: mail.example.test is 192.0.2.10)";

  // Resolver settings changed: a new resolver; the old engine is retired and reaped.
  const double ptr_ok_before = parse_exposition(service->metrics_text())
                                   .value("rdns_dns_queries_total", {{"type", "PTR"}, {"result", "ok"}})
                                   .value_or(0);
  ASSERT_GE(ptr_ok_before, 1.0);
  config.resolver.mode = config::ResolverMode::forward;
  config.resolver.forwarders = {"127.0.0.1@5353"};
  ASSERT_TRUE(service->apply(config));
  EXPECT_EQ(fakes.made, 2);
  EXPECT_TRUE(wait_until([&] {
    service->reap_retired();
    return service->retired_engines() == 0;
  }));
  parsed = parse_exposition(service->metrics_text());
  EXPECT_GE(parsed.value("rdns_dns_queries_total", {{"type", "PTR"}, {"result", "ok"}}).value_or(0), ptr_ok_before)
      << "counts of the replaced resolver are kept (monotonic counter)";

  // A resolver that cannot be built: the reload fails, everything stays.
  fakes.fail = true;
  config.resolver.forwarders = {"127.0.0.1@5354"};
  config.targets = {target("192.0.2.10")};
  auto failed = service->apply(config);
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().find("cannot open unbound.conf"), std::string::npos);
  parsed = parse_exposition(service->metrics_text());
  EXPECT_EQ(parsed.value("rdns_config_last_reload_successful"), 0.0);
  EXPECT_EQ(parsed.value("rdns_targets"), 2.0);
  EXPECT_EQ(parsed.value("rdns_check_success", {{"ip", "192.0.2.12"}}), 0.0) << "old targets still served";
  service->shutdown();
}

TEST(AgentService, ReloadFromABrokenFileKeepsTheRunningConfig) {
  FakeFactory fakes;
  auto service = make_service(fakes);
  const std::string path = ::testing::TempDir() + "/agent_service_broken.toml";
  {
    std::ofstream out(path);
    out << "[schedule]\ninterval = \"five minutes\"\n[[targets]]\nip = \"192.0.2.99\"\n";
  }
  auto result = service->reload_from_file(path);
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().find(path), std::string::npos) << result.error();
  const auto parsed = parse_exposition(service->metrics_text());
  EXPECT_EQ(parsed.value("rdns_config_last_reload_successful"), 0.0);
  EXPECT_EQ(parsed.value("rdns_targets"), 3.0);

  {
    std::ofstream out(path);
    out << "[schedule]\ninterval = \"300ms\"\ntimeout = \"200ms\"\n[[targets]]\nip = \"192.0.2.10\"\n";
  }
  ASSERT_TRUE(service->reload_from_file(path));
  const auto reloaded = parse_exposition(service->metrics_text());
  EXPECT_EQ(reloaded.value("rdns_config_last_reload_successful"), 1.0);
  EXPECT_EQ(reloaded.value("rdns_targets"), 1.0);
  std::remove(path.c_str());
}

TEST(AgentService, ProbeChecksOneIpWithItsOwnMetrics) {
  FakeFactory fakes;
  auto service = make_service(fakes);
  auto bad = service->probe("under_score.example.test");  // neither an IP nor a valid host name
  EXPECT_EQ(bad.http_status, 400);
  EXPECT_EQ(service->probe("192.0.2.10/24").http_status, 400);

  auto good = service->probe("192.0.2.10");
  ASSERT_EQ(good.http_status, 200) << good.body;
  EXPECT_NE(good.content_type.find("version=0.0.4"), std::string::npos);
  auto parsed = parse_exposition(good.body);
  ASSERT_EQ(parsed.error, "") << good.body;
  EXPECT_EQ(parsed.value("probe_success"), 1.0);
  EXPECT_TRUE(parsed.value("probe_duration_seconds"));
  EXPECT_EQ(parsed.value("rdns_ptr_present", {{"ip", "192.0.2.10"}}), 1.0);
  EXPECT_TRUE(parsed.find("rdns_targets").empty()) << "its own registry: no agent metrics";

  auto missing = parse_exposition(service->probe("192.0.2.11").body);
  EXPECT_EQ(missing.value("probe_success"), 0.0);
  EXPECT_EQ(missing.value("rdns_ptr_present"), 0.0);

  // Canonical IPv6 text in the labels.
  auto v6 = parse_exposition(service->probe("2001:DB8:0:0::1").body);
  EXPECT_EQ(v6.find("rdns_ptr_lookup_status", {{"ip", "2001:db8::1"}}).size(), 8u);
  EXPECT_TRUE(service->ready() == false) << "probes do not count as scheduled checks";
}

TEST(AgentService, ProbesBeyondTheLimitGet503AndShutdownReleasesWaitingProbes) {
  FakeFactory fakes;
  fakes.mode = FakeResolver::Mode::manual;  // never answers: probes wait
  auto config = base_config();
  config.schedule.timeout = seconds(30);
  auto service = make_service(fakes, config, 1);
  auto first = std::async(std::launch::async, [&] { return service->probe("192.0.2.10"); });
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_EQ(service->probe("192.0.2.11").http_status, 503) << "one probe at a time";
  const auto begin = steady_clock::now();
  service->begin_shutdown();
  EXPECT_EQ(first.get().http_status, 503);
  EXPECT_LT(steady_clock::now() - begin, milliseconds(500));
  service->shutdown();
}

TEST(AgentService, ShutdownWithChecksInFlightIsQuickAndDropsTheirResults) {
  FakeFactory fakes;
  auto service = make_service(fakes);
  service->start();
  ASSERT_TRUE(wait_until([&] { return service->ready(); }));
  const auto begin = steady_clock::now();
  service->shutdown();
  EXPECT_LT(steady_clock::now() - begin, milliseconds(1000));
  EXPECT_EQ(service->probe("192.0.2.10").http_status, 503);
  // Still serves a valid exposition of the last results (no use of the destroyed resolver).
  EXPECT_EQ(parse_exposition(service->metrics_text()).error, "");
}

}  // namespace
}  // namespace rdns::agent

namespace rdns::agent {
namespace {

TEST(AgentService, ProbeAllowListAndCanonicalTargets) {
  FakeFactory fakes;
  auto config = base_config();
  config.probe.allow_cidrs = {"192.0.2.0/28", "2001:db8::/64"};
  auto service = make_service(fakes, config);
  EXPECT_EQ(service->probe("192.0.2.10").http_status, 200);
  EXPECT_EQ(service->probe("192.0.2.200").http_status, 403);
  EXPECT_EQ(service->probe("198.51.100.1").http_status, 403);
  EXPECT_EQ(service->probe("2001:db8::1").http_status, 200);
  EXPECT_EQ(service->probe("2001:db8:0:1::1").http_status, 403);
  // An IPv4-mapped IPv6 literal is the IPv4 address (as in the config).
  auto mapped = service->probe("::ffff:192.0.2.10");
  ASSERT_EQ(mapped.http_status, 200) << mapped.body;
  EXPECT_EQ(parse_exposition(mapped.body).find("rdns_ptr_info", {{"ip", "192.0.2.10"}}).size(), 1u);

  // Reload replaces the list; a bad CIDR fails the reload and keeps the old one.
  config.probe.allow_cidrs = {"198.51.100.0/24"};
  ASSERT_TRUE(service->apply(config));
  EXPECT_EQ(service->probe("192.0.2.10").http_status, 403);
  EXPECT_EQ(service->probe("198.51.100.1").http_status, 200);
  config.probe.allow_cidrs = {"198.51.100.1/24"};
  EXPECT_FALSE(service->apply(config));
  EXPECT_EQ(service->probe("198.51.100.1").http_status, 200);
  config.probe.allow_cidrs.clear();
  ASSERT_TRUE(service->apply(config));
  EXPECT_EQ(service->probe("192.0.2.10").http_status, 200) << "empty list: any IP";
  service->shutdown();
}

}  // namespace
}  // namespace rdns::agent

namespace rdns::agent {
namespace {

// The status page as the web server gets it: rendered from the store's rows, failing first,
// with the real remediation hints, filtered by the query parameters.
TEST(AgentService, StatusPageFromTheStoreFailingFirstWithRemediation) {
  FakeFactory fakes;
  auto service = make_service(fakes);
  service->start();
  ASSERT_TRUE(wait_until([&] { return service->ready(); }));
  const auto handlers = make_web_handlers(*service, {"", "/custom-metrics"});
  std::map<std::string, std::string> params;
  const QueryParam param = [&](const std::string& name) { return params.count(name) ? params[name] : ""; };

  std::string page = handlers.status_page(param);
  EXPECT_NE(page.find("mail.example.test"), std::string::npos);
  const auto failing = page.find(">192.0.2.11<");
  ASSERT_NE(failing, std::string::npos);
  EXPECT_LT(failing, page.find(">192.0.2.10<")) << "failing first";
  EXPECT_NE(page.find("11.2.0.192.in-addr.arpa. IN PTR"), std::string::npos) << "the exact record to add";
  EXPECT_NE(page.find("Why undecided"), std::string::npos) << "servfail target explained";
  EXPECT_NE(page.find("href=\"/custom-metrics\""), std::string::npos);

  params["filter"] = "passing";
  page = handlers.status_page(param);
  EXPECT_EQ(page.find(">192.0.2.11<"), std::string::npos);
  EXPECT_NE(page.find(">192.0.2.10<"), std::string::npos);
  service->shutdown();
}

}  // namespace
}  // namespace rdns::agent

namespace rdns::agent {
namespace {

// A resolver that outlives the service (here: the test holds it) delivers its answers after
// the service is destroyed: the completions must find a closed gate, not a dangling Service.
// Under ASan a use after free here fails the test.
TEST(AgentService, CompletionsAfterTheServiceIsGoneAreDropped) {
  FakeFactory fakes;
  fakes.mode = FakeResolver::Mode::manual;
  fakes.keep = true;
  auto service = make_service(fakes);
  service->start();
  ASSERT_TRUE(wait_until([&] { return !fakes.kept.empty() && fakes.kept[0]->queued() >= 3; }));
  service.reset();  // the checks are still pending in the fake: their engine is kept, not freed
  const int delivered = fakes.kept[0]->deliver(FakeResolver::Order::fifo);
  EXPECT_GE(delivered, 3);
}

}  // namespace
}  // namespace rdns::agent

namespace rdns::agent {
namespace {

TEST(AgentService, ResolverRenewedOnceAsOldAsTheAnswerAgeCap) {
  FakeFactory fakes;
  auto config = base_config();
  config.resolver.max_answer_age = seconds(30);
  auto service = make_service(fakes, config);
  service->start();
  ASSERT_TRUE(wait_until([&] { return service->ready(); }));
  ASSERT_EQ(fakes.made, 1);
  const auto now = steady_clock::now();
  EXPECT_FALSE(service->renew_resolver_if_old(now + seconds(29)));
  EXPECT_EQ(fakes.made, 1);
  EXPECT_TRUE(service->renew_resolver_if_old(now + seconds(31)));
  EXPECT_EQ(fakes.made, 2) << "a fresh resolver: no cached answer older than the cap";
  EXPECT_FALSE(service->renew_resolver_if_old(steady_clock::now() + seconds(29))) << "the new one is young";
  const auto parsed = parse_exposition(service->metrics_text());
  EXPECT_EQ(parsed.value("rdns_check_success", {{"ip", "192.0.2.10"}}), 1.0) << "results stay";
  // Without the setting, the cap is the interval (300 ms here).
  config.resolver.max_answer_age = milliseconds(0);
  ASSERT_TRUE(service->apply(config));
  const int made = fakes.made;
  EXPECT_TRUE(service->renew_resolver_if_old(steady_clock::now() + milliseconds(400)));
  EXPECT_EQ(fakes.made, made + 1);
  service->shutdown();
}

TEST(AgentService, AnchorsThatCannotValidateTheRootAreOneResolverSignal) {
  auto resolver = std::make_shared<FakeResolver>(FakeResolver::Mode::threaded);
  script_world(*resolver);
  resolver->script(".", RrType::DNSKEY, answer_status(LookupStatus::bogus, "no SEP matching the DS found for ."));
  ServiceOptions options;
  options.make_resolver = testing::factory_over(resolver, {"system", "/usr/share/dns/root.key", {20326}, {}, {}});
  auto service = Service::create(base_config(), std::move(options));
  ASSERT_TRUE(service) << service.error();
  EXPECT_TRUE(parse_exposition((*service)->metrics_text()).find("rdns_resolver_trust_anchor_valid").empty())
      << "unknown before the first probe";
  (*service)->tick();  // the main loop's, once a second
  ASSERT_TRUE(wait_until([&] { return (*service)->trust_anchor_status().valid == false; }));
  const auto parsed = parse_exposition((*service)->metrics_text());
  EXPECT_EQ(parsed.value("rdns_resolver_trust_anchor_info", {{"source", "system"}, {"key_tags", "20326"}}), 1.0);
  EXPECT_EQ(parsed.value("rdns_resolver_trust_anchor_valid"), 0.0);
  EXPECT_NE((*service)->trust_anchor_status().detail.find("no SEP"), std::string::npos);

  (*service)->shutdown();
}

TEST(AgentService, ProbeOfAHostNameChecksItsAddressesUpToTheCap) {
  FakeFactory fakes;
  fakes.keep = true;
  config::Config config = base_config();
  config.probe.allow_cidrs = {"192.0.2.96/28", "2001:db8::/32"};  // .96 to .111
  auto service = make_service(fakes, config);
  ASSERT_EQ(fakes.kept.size(), 1u);
  std::vector<std::string> many;
  for (int i = 119; i >= 100; --i) many.push_back("192.0.2." + std::to_string(i));  // 20, out of order
  fakes.kept[0]->script("many.example.test.", RrType::A, answer_ok(many));
  fakes.kept[0]->script("many.example.test.", RrType::AAAA, answer_ok({"2001:db8::1"}));
  fakes.kept[0]->script("outside.example.test.", RrType::A, answer_ok({"198.51.100.1"}));
  fakes.kept[0]->script("outside.example.test.", RrType::AAAA, answer_status(LookupStatus::nodata));

  const auto response = service->probe("many.example.test");
  ASSERT_EQ(response.http_status, 200) << response.body;
  auto parsed = parse_exposition(response.body);
  ASSERT_EQ(parsed.error, "") << response.body;
  // 21 addresses, IPv4 first in address order: .100 to .115 kept, the rest (IPv6 too) dropped;
  // of those kept, .112 to .115 are outside allow_cidrs.
  EXPECT_EQ(parsed.value("probe_host_addresses", {{"result", "checked"}}), 12.0);
  EXPECT_EQ(parsed.value("probe_host_addresses", {{"result", "refused"}}), 4.0);
  EXPECT_EQ(parsed.value("probe_host_addresses", {{"result", "dropped"}}), 5.0);
  EXPECT_EQ(parsed.value("probe_success"), 0.0) << "not every address was checked";
  EXPECT_EQ(parsed.find("rdns_ptr_lookup_status", {{"ip", "192.0.2.100"}}).size(), 8u);
  EXPECT_EQ(parsed.find("rdns_ptr_lookup_status", {{"ip", "192.0.2.111"}}).size(), 8u);
  EXPECT_TRUE(parsed.find("rdns_ptr_lookup_status", {{"ip", "192.0.2.112"}}).empty()) << "refused: not checked";
  EXPECT_TRUE(parsed.find("rdns_ptr_lookup_status", {{"ip", "192.0.2.119"}}).empty()) << "beyond the cap";
  EXPECT_TRUE(parsed.find("rdns_ptr_lookup_status", {{"ip", "2001:db8::1"}}).empty()) << "beyond the cap";

  const auto outside = service->probe("outside.example.test");
  EXPECT_EQ(outside.http_status, 403) << outside.body;
}

}  // namespace
}  // namespace rdns::agent
