// The documented rdns_exporter.toml [resolver] sections for the DNS world (README of
// tests/dns_world), through config loading and agent::make_resolver, to real answers.
#include <gtest/gtest.h>

#include "agent/engine/resolver_factory.hpp"
#include "checks/sharded_resolver.hpp"
#include "config/load.hpp"
#include "tests/integration/dns_world_fixture.hpp"
#include "tests/integration/resolve_sync.hpp"

namespace rdns::testing {
namespace {

using checks::LookupStatus;
using checks::RrType;

class ResolverFactoryWorld : public DnsWorldTest {};

checks::DnsAnswer ptr_via_config(const std::string& toml) {
  auto loaded = config::load_config_string(toml, "test.toml", {.require_targets = false});
  if (!loaded) {
    ADD_FAILURE() << loaded.error().to_string();
    return {};
  }
  auto resolver = agent::make_resolver(loaded->config.resolver);
  if (!resolver) {
    ADD_FAILURE() << resolver.error();
    return {};
  }
  return resolve_sync(**resolver, "10.113.0.203.in-addr.arpa.", RrType::PTR);
}

TEST_F(ResolverFactoryWorld, RecursiveConfigFromTheReadme) {
  const auto a = ptr_via_config(world().resolver_toml());
  EXPECT_EQ(a.status, LookupStatus::ok) << a.detail;
  EXPECT_EQ(a.records, std::vector<std::string>{"secure.example.test."});
  EXPECT_TRUE(a.secure);
}

TEST_F(ResolverFactoryWorld, ForwardConfigFromTheReadme) {
  const auto a = ptr_via_config("[resolver]\nmode = \"forward\"\nforwarders = [\"" + world().host + "@" +
                                std::to_string(world().port) + "\"]\nunbound_config_file = \"" +
                                world().unbound_forward_config_file + "\"\n");
  EXPECT_EQ(a.status, LookupStatus::ok) << a.detail;
  EXPECT_TRUE(a.secure);
}

// [resolver] contexts = 3: three libunbound contexts behind one resolver, answering as one.
TEST_F(ResolverFactoryWorld, SeveralContexts) {
  auto loaded =
      config::load_config_string(world().resolver_toml() + "contexts = 3\n", "test.toml", {.require_targets = false});
  ASSERT_TRUE(loaded) << loaded.error().to_string();
  auto resolver = agent::make_resolver(loaded->config.resolver);
  ASSERT_TRUE(resolver) << resolver.error();
  const auto* sharded = dynamic_cast<const checks::ShardedResolver*>(resolver->get());
  ASSERT_NE(sharded, nullptr);
  EXPECT_EQ(sharded->size(), 3u);
  const auto a = resolve_sync(**resolver, "10.113.0.203.in-addr.arpa.", RrType::PTR);
  EXPECT_EQ(a.status, LookupStatus::ok) << a.detail;
  EXPECT_EQ(a.records, std::vector<std::string>{"secure.example.test."});
  EXPECT_TRUE(a.secure);
}

// The agent's resolver stack over real libunbound: answers, counts them, paces them, and goes
// through its shutdown sequence (close, then release) without losing a count.
TEST_F(ResolverFactoryWorld, TheAgentsStackAnswersCountsAndShutsDown) {
  auto loaded =
      config::load_config_string(world().resolver_toml() + "contexts = 2\n", "test.toml", {.require_targets = false});
  ASSERT_TRUE(loaded) << loaded.error().to_string();
  auto limiter = std::make_shared<agent::QueryRateLimiter>(1000);
  auto stack = agent::make_resolver_stack(loaded->config.resolver, limiter);
  ASSERT_TRUE(stack) << stack.error();
  EXPECT_EQ((*stack)->description().rfind("recursive contexts=2 unbound_config_file=", 0), 0u) << (*stack)->description();
  EXPECT_FALSE((*stack)->trust_anchors().source.empty()) << "DNSSEC is on: the anchors are named";

  for (int i = 0; i < 3; ++i) {
    const auto a = resolve_sync(**stack, "10.113.0.203.in-addr.arpa.", RrType::PTR);
    EXPECT_EQ(a.status, LookupStatus::ok) << a.detail;
    EXPECT_TRUE(a.secure);
  }
  const auto nx = resolve_sync(**stack, "250.113.0.203.in-addr.arpa.", RrType::PTR);
  EXPECT_EQ(nx.status, LookupStatus::nxdomain) << nx.detail;
  const agent::QueryCounts counted = {{{"PTR", "ok"}, 3}, {{"PTR", "nxdomain"}, 1}};
  EXPECT_EQ((*stack)->counts(), counted);

  (*stack)->close();
  const auto closed = resolve_sync(**stack, "10.113.0.203.in-addr.arpa.", RrType::PTR);
  EXPECT_EQ(closed.status, LookupStatus::error);
  EXPECT_EQ(closed.detail, "resolver shutting down");
  (*stack)->release();
  EXPECT_EQ((*stack)->counts(), counted) << "the counts outlive the released resolver";
}

TEST(ResolverFactory, ContextsDefaultToTheCoresClampedToFour) {
  config::ResolverConfig c;
  EXPECT_EQ(agent::effective_contexts(c, 0), 1u);  // unknown core count
  EXPECT_EQ(agent::effective_contexts(c, 1), 1u);
  EXPECT_EQ(agent::effective_contexts(c, 2), 2u);
  EXPECT_EQ(agent::effective_contexts(c, 64), 4u);
  c.contexts = 7;  // set explicitly: taken as is
  EXPECT_EQ(agent::effective_contexts(c, 2), 7u);
  c.contexts = 1;
  EXPECT_EQ(agent::effective_contexts(c, 64), 1u);
}

TEST(ResolverFactory, MapsEveryField) {
  config::ResolverConfig c;
  c.mode = config::ResolverMode::forward;
  c.forwarders = {"127.0.0.1@5353", "::1"};
  c.root_hints_file = "/r";
  c.trust_anchor_file = "/t";
  c.dnssec = false;
  c.unbound_config_file = "/u";
  const auto s = agent::to_resolver_settings(c);
  EXPECT_EQ(s.mode, checks::ResolverSettings::Mode::forward);
  EXPECT_EQ(s.forwarders, c.forwarders);
  EXPECT_EQ(s.root_hints_file, "/r");
  EXPECT_EQ(s.trust_anchor_file, "/t");
  EXPECT_FALSE(s.dnssec);
  EXPECT_EQ(s.unbound_config_file, "/u");
  c.mode = config::ResolverMode::recursive;
  EXPECT_EQ(agent::to_resolver_settings(c).mode, checks::ResolverSettings::Mode::recursive);
  c.mode = config::ResolverMode::system;
  EXPECT_EQ(agent::to_resolver_settings(c).mode, checks::ResolverSettings::Mode::system);
}

TEST(ResolverFactory, ErrorNamesTheSetting) {
  config::ResolverConfig c;
  c.mode = config::ResolverMode::recursive;
  c.trust_anchor_file = "/nonexistent/anchors.key";
  const auto r = agent::make_resolver(c);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("trust_anchor_file"), std::string::npos) << r.error();
  EXPECT_NE(r.error().find("/nonexistent/anchors.key"), std::string::npos) << r.error();
}

}  // namespace
}  // namespace rdns::testing
