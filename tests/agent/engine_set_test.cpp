// EngineSet: retiring and reaping engines, and rdns_dns_queries_total staying monotonic and
// counted once when engines that share a resolver are reaped together.
#include "agent/engine/engine_set.hpp"

#include <gtest/gtest.h>

#include "tests/agent/resolver_stack_test_support.hpp"
#include "tests/checks/fakes/fake_resolver.hpp"

namespace rdns::agent {
namespace {

using checks::testing::FakeResolver;

// A stack whose counting layer has seen `ptr_ok` PTR queries answered ok.
std::shared_ptr<ResolverStack> stack_counting(std::uint64_t ptr_ok) {
  auto fake = std::make_shared<FakeResolver>(FakeResolver::Mode::immediate);
  fake->script("10.2.0.192.in-addr.arpa.", checks::RrType::PTR, checks::testing::answer_ok({"mail.example.test."}));
  auto stack = testing::stack_over(fake);
  for (std::uint64_t i = 0; i < ptr_ok; ++i) {
    stack->resolve("10.2.0.192.in-addr.arpa.", checks::RrType::PTR,
                   std::chrono::steady_clock::now() + std::chrono::seconds(1), [](checks::DnsAnswer) {});
  }
  return stack;
}

std::shared_ptr<const checks::GenericClassifier> classifier() {
  auto made = checks::GenericClassifier::create({}, {});
  return std::make_shared<const checks::GenericClassifier>(std::move(*made));
}

std::uint64_t ptr_ok(const EngineSet& set) {
  const auto counts = set.query_counts();
  const auto it = counts.find({"PTR", "ok"});
  return it == counts.end() ? 0 : it->second;
}

TEST(EngineSet, SharedResolverOfEnginesReapedTogetherIsCountedOnce) {
  const auto shared = stack_counting(5);
  const auto classify = classifier();
  EngineSet set(std::make_shared<Engine>(shared, classify));
  set.replace(std::make_shared<Engine>(shared, classify));              // a reload that changed only [generic]
  set.replace(std::make_shared<Engine>(stack_counting(7), classify));  // then [resolver]
  EXPECT_EQ(set.retired(), 2u);
  EXPECT_EQ(ptr_ok(set), 12u) << "live: each resolver once";
  set.reap();
  EXPECT_EQ(set.retired(), 0u);
  EXPECT_EQ(ptr_ok(set), 12u) << "after reaping both sharers at once: still each resolver once";
}

TEST(EngineSet, ARetiredEngineWithChecksInFlightIsKept) {
  auto fake = std::make_shared<FakeResolver>(FakeResolver::Mode::manual);
  EngineSet set(std::make_shared<Engine>(testing::stack_over(fake), classifier()));
  checks::CheckRequest request;
  request.ip = "192.0.2.1";
  request.timeout = std::chrono::seconds(5);
  bool done = false;
  set.current()->start_check(request, [&](checks::CheckResult) { done = true; });
  set.replace(std::make_shared<Engine>(stack_counting(1), classifier()));
  set.reap();
  EXPECT_EQ(set.retired(), 1u) << "its check is still running";
  fake->deliver(FakeResolver::Order::fifo);
  EXPECT_TRUE(done);
  set.reap();
  EXPECT_EQ(set.retired(), 0u);
}

}  // namespace
}  // namespace rdns::agent
