// The DNS query rate cap: the token bucket's arithmetic on a fake clock, and the limiter's
// order, pass-through and shutdown behaviour (no timing assertions).
#include "agent/engine/query_rate_limiter.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <vector>

namespace rdns::agent {
namespace {

constexpr TokenBucket::Nanos k_ms = 1'000'000;

TEST(TokenBucket, BurstThenOneTokenPerPeriod) {
  TokenBucket bucket(10, 10, 0);  // 10/s, saved up to 10
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(bucket.try_take(0)) << i;
  EXPECT_FALSE(bucket.try_take(0));
  EXPECT_EQ(bucket.wait_for_token(0), 100 * k_ms);
  EXPECT_FALSE(bucket.try_take(99 * k_ms));
  EXPECT_TRUE(bucket.try_take(100 * k_ms));
  EXPECT_FALSE(bucket.try_take(100 * k_ms));
  // A long pause saves up no more than the burst.
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(bucket.try_take(60'000 * k_ms)) << i;
  EXPECT_FALSE(bucket.try_take(60'000 * k_ms));
}

TEST(TokenBucket, FractionalRates) {
  TokenBucket bucket(0.5, 1, 0);  // one query every 2 s
  EXPECT_TRUE(bucket.try_take(0));
  EXPECT_EQ(bucket.wait_for_token(0), 2000 * k_ms);
  EXPECT_TRUE(bucket.try_take(2000 * k_ms));
}

TEST(QueryRateLimiter, NoCapPassesStraightThrough) {
  QueryRateLimiter limiter(0);
  int sent = 0;
  for (int i = 0; i < 1000; ++i) limiter.submit([&] { ++sent; }, [] { FAIL() << "cancelled"; });
  EXPECT_EQ(sent, 1000);
  EXPECT_FALSE(limiter.start_delay());
}

TEST(QueryRateLimiter, BeyondTheBurstQueriesWaitAndCloseCancelsThem) {
  QueryRateLimiter limiter(20);  // burst of 20
  std::atomic<int> sent{0};
  std::atomic<int> cancelled{0};
  for (int i = 0; i < 60; ++i) limiter.submit([&] { ++sent; }, [&] { ++cancelled; });
  EXPECT_GE(sent.load(), 20) << "the burst goes at once, on the caller's thread";
  EXPECT_LT(sent.load(), 60) << "the rest waits for tokens";
  EXPECT_TRUE(limiter.start_delay()) << "the scheduler is told to hold new checks";
  limiter.close();
  EXPECT_EQ(sent.load() + cancelled.load(), 60) << "every query is sent or cancelled, none lost";
  bool late_cancelled = false;
  limiter.submit([] { FAIL() << "sent after close"; }, [&] { late_cancelled = true; });
  EXPECT_TRUE(late_cancelled);
}

TEST(QueryRateLimiter, QueuedQueriesDrainInOrder) {
  QueryRateLimiter limiter(2000);
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<int> order;
  const int total = 2300;
  for (int i = 0; i < total; ++i) {
    limiter.submit(
        [&, i] {
          std::lock_guard lock(mutex);
          order.push_back(i);
          cv.notify_all();
        },
        [] {});
  }
  std::unique_lock lock(mutex);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(20), [&] { return order.size() == total; }));
  for (int i = 0; i < total; ++i) ASSERT_EQ(order[static_cast<std::size_t>(i)], i);
}

TEST(QueryRateLimiter, RemovingTheCapReleasesTheQueue) {
  QueryRateLimiter limiter(1);
  std::atomic<int> sent{0};
  for (int i = 0; i < 5; ++i) limiter.submit([&] { ++sent; }, [] {});
  EXPECT_EQ(sent.load(), 1);
  limiter.set_rate(0);
  EXPECT_EQ(sent.load(), 5);
}

}  // namespace
}  // namespace rdns::agent
