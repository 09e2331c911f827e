// The test fake keeps the Resolver contract the way UnboundResolver does: deadlines complete
// queries as timeout, destruction completes what is queued as "resolver shutting down", and a
// throwing callback is counted, not propagated.
#include "tests/checks/fakes/fake_resolver.hpp"

#include <chrono>
#include <future>
#include <optional>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

namespace rdns::checks {
namespace {

using namespace std::chrono_literals;
using testing::answer_ok;
using testing::FakeResolver;
using Clock = std::chrono::steady_clock;

constexpr const char* k_name = "mail.example.com.";

TEST(FakeResolver, APassedDeadlineIsATimeoutInEveryMode) {
  for (const auto mode : {FakeResolver::Mode::immediate, FakeResolver::Mode::manual, FakeResolver::Mode::threaded}) {
    FakeResolver resolver(mode);
    resolver.script(k_name, RrType::A, answer_ok({"192.0.2.10"}));
    std::promise<DnsAnswer> promise;
    resolver.resolve(k_name, RrType::A, Clock::now() - 1ms, [&](DnsAnswer a) { promise.set_value(std::move(a)); });
    auto future = promise.get_future();
    ASSERT_EQ(future.wait_for(5s), std::future_status::ready);
    const DnsAnswer answer = future.get();
    EXPECT_EQ(answer.status, LookupStatus::timeout);
    EXPECT_EQ(answer.detail, "deadline passed before sending");
  }
}

TEST(FakeResolver, AnAnswerDeliveredAfterTheDeadlineIsATimeout) {
  FakeResolver resolver(FakeResolver::Mode::manual);
  resolver.script(k_name, RrType::A, answer_ok({"192.0.2.10"}));
  std::vector<DnsAnswer> answers;
  resolver.resolve(k_name, RrType::A, Clock::now() + 20ms, [&](DnsAnswer a) { answers.push_back(std::move(a)); });
  resolver.resolve(k_name, RrType::A, Clock::now() + 60s, [&](DnsAnswer a) { answers.push_back(std::move(a)); });
  std::this_thread::sleep_for(30ms);
  EXPECT_EQ(resolver.expire(), 1);
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].status, LookupStatus::timeout);
  EXPECT_EQ(answers[0].detail, "no answer before the deadline");
  EXPECT_EQ(resolver.deliver(FakeResolver::Order::fifo), 1);
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers[1].status, LookupStatus::ok);
}

TEST(FakeResolver, AHeldQueryCompletesAtItsDeadlineOnTheResolverThread) {
  FakeResolver resolver(FakeResolver::Mode::threaded);
  resolver.hold(k_name, RrType::A);
  std::promise<DnsAnswer> promise;
  const auto started = Clock::now();
  resolver.resolve(k_name, RrType::A, started + 100ms, [&](DnsAnswer a) { promise.set_value(std::move(a)); });
  auto future = promise.get_future();
  ASSERT_EQ(future.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(future.get().status, LookupStatus::timeout);
  EXPECT_GE(Clock::now() - started, 100ms);
}

TEST(FakeResolver, DestructionCompletesQueuedQueriesAsShuttingDown) {
  for (const auto mode : {FakeResolver::Mode::manual, FakeResolver::Mode::threaded}) {
    std::vector<DnsAnswer> answers;
    std::mutex mutex;
    {
      FakeResolver resolver(mode);
      resolver.hold(k_name, RrType::A);
      for (int i = 0; i < 3; ++i) {
        resolver.resolve(k_name, RrType::A, Clock::now() + 60s, [&](DnsAnswer a) {
          std::lock_guard lock(mutex);
          answers.push_back(std::move(a));
        });
      }
    }
    ASSERT_EQ(answers.size(), 3u);  // none dropped
    for (const auto& a : answers) {
      EXPECT_EQ(a.status, LookupStatus::error);
      EXPECT_EQ(a.detail, "resolver shutting down");
    }
  }
}

TEST(FakeResolver, AThrowingCallbackIsCountedNotPropagated) {
  FakeResolver resolver(FakeResolver::Mode::immediate);
  EXPECT_NO_THROW(
      resolver.resolve(k_name, RrType::A, Clock::now() + 1s, [](DnsAnswer) { throw std::runtime_error("boom"); }));
  EXPECT_EQ(resolver.callback_exceptions(), 1u);
}

}  // namespace
}  // namespace rdns::checks
