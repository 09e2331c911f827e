// Engine: its in-flight count settles whatever a check's `done` does.
#include "agent/engine/engine.hpp"

#include <memory>
#include <stdexcept>

#include <gtest/gtest.h>

#include "tests/agent/resolver_stack_test_support.hpp"
#include "tests/checks/fakes/fake_resolver.hpp"

namespace rdns::agent {
namespace {

using checks::testing::FakeResolver;

TEST(AgentEngine, AThrowingDoneStillLeavesTheInFlightCount) {
  auto resolver = std::make_shared<FakeResolver>(FakeResolver::Mode::manual);
  resolver->script("10.2.0.192.in-addr.arpa.", checks::RrType::PTR,
                   checks::testing::answer_status(checks::LookupStatus::servfail));
  Engine engine(testing::stack_over(resolver), std::make_shared<const checks::GenericClassifier>());
  int calls = 0;
  checks::CheckRequest request;
  request.ip = "192.0.2.10";
  engine.start_check(request, [&](checks::CheckResult) {
    ++calls;
    throw std::runtime_error("result store broke");
  });
  EXPECT_EQ(engine.in_flight(), 1);
  resolver->deliver(FakeResolver::Order::fifo);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(resolver->callback_exceptions(), 1u);  // reported by the resolver, not swallowed here
  // It used to stay at 1 for ever: a retired engine waiting for it was never freed.
  EXPECT_EQ(engine.in_flight(), 0);
}

}  // namespace
}  // namespace rdns::agent
