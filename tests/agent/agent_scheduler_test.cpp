// The scheduler's rules (ScheduleWheel) on a fake clock: first checks at once, phases, backoff,
// concurrency, retries, reload; time is simulated, nothing sleeps. One test runs the real Scheduler thread.
#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <mutex>

#include <gtest/gtest.h>

#include "agent/schedule/scheduler.hpp"

namespace rdns::agent {
namespace {

using namespace std::chrono;
using Nanos = ScheduleWheel::Nanos;

constexpr Nanos ms(std::int64_t n) { return n * 1'000'000; }

// Drives a ScheduleWheel through simulated time: starts whatever is due, completes each check
// `check_duration` later with `outcome_for(id)`, and jumps straight to the next event.
struct Simulation {
  ScheduleWheel wheel;
  Nanos now = 0;
  Nanos check_duration = ms(1);
  std::function<CheckOutcome(std::uint64_t)> outcome_for = [](std::uint64_t) { return CheckOutcome::done; };
  std::map<std::uint64_t, std::vector<Nanos>> starts;
  std::multimap<Nanos, std::uint64_t> running;  // completion time -> id
  std::size_t max_running = 0;

  void set_targets(const std::vector<TargetId>& targets, const ScheduleOptions& options) {
    wheel.set_targets(targets, options, now);
  }
  void run_until(Nanos end) {
    for (;;) {
      while (auto start = wheel.next_due(now)) {
        starts[start->id].push_back(now);
        running.emplace(now + check_duration, start->id);
        max_running = std::max(max_running, running.size());
      }
      Nanos next = wheel.at_capacity() ? std::numeric_limits<Nanos>::max() : wheel.next_wake(now);
      if (!running.empty()) next = std::min(next, running.begin()->first);
      if (next > end) {
        now = end;
        return;
      }
      now = std::max(next, now);
      while (!running.empty() && running.begin()->first <= now) {
        const auto id = running.begin()->second;
        running.erase(running.begin());
        wheel.complete(id, outcome_for(id), now);
      }
    }
  }
  std::size_t total_starts() const {
    std::size_t total = 0;
    for (const auto& [id, times] : starts) total += times.size();
    return total;
  }
};

std::vector<TargetId> make_targets(int count, std::uint64_t first_id = 1) {
  std::vector<TargetId> targets;
  for (int i = 0; i < count; ++i) {
    targets.push_back(TargetId{first_id + static_cast<std::uint64_t>(i),
                               "198.51.100." + std::to_string(i % 256) + (i >= 256 ? "x" + std::to_string(i) : "")});
  }
  return targets;
}

TEST(AgentSchedulerPhase, StableAndSpreadEvenly) {
  const nanoseconds interval = minutes(5);
  EXPECT_EQ(phase_of("192.0.2.10", interval), phase_of("192.0.2.10", interval));
  EXPECT_NE(phase_of("192.0.2.10", interval), phase_of("192.0.2.11", interval));
  std::array<int, 10> buckets{};
  const int n = 65536;
  for (int i = 0; i < n; ++i) {
    const std::string ip =
        "10." + std::to_string(i / 65536) + "." + std::to_string((i / 256) % 256) + "." + std::to_string(i % 256);
    const auto phase = phase_of(ip, interval);
    ASSERT_GE(phase.count(), 0);
    ASSERT_LT(phase, interval);
    ++buckets[static_cast<std::size_t>(phase * 10 / interval)];
  }
  for (int count : buckets) {
    EXPECT_GT(count, n / 10 * 0.95);
    EXPECT_LT(count, n / 10 * 1.05);
  }
}

TEST(AgentSchedulerBackoff, DoublesAndIsBounded) {
  ScheduleOptions options;
  options.backoff_base = seconds(5);
  options.backoff_max = seconds(60);
  EXPECT_EQ(backoff_delay(1, options), seconds(5));
  EXPECT_EQ(backoff_delay(2, options), seconds(10));
  EXPECT_EQ(backoff_delay(3, options), seconds(20));
  EXPECT_EQ(backoff_delay(4, options), seconds(40));
  EXPECT_EQ(backoff_delay(5, options), seconds(60));
  EXPECT_EQ(backoff_delay(30, options), seconds(60));

  const auto for_5m = schedule_options_for(minutes(5), 256);
  EXPECT_EQ(for_5m.backoff_base, seconds(5));
  EXPECT_EQ(for_5m.backoff_max, seconds(150));
  const auto for_2s = schedule_options_for(seconds(2), 0);
  EXPECT_EQ(for_2s.backoff_base, seconds(1));
  EXPECT_EQ(for_2s.concurrency, 1u) << "zero concurrency would never check anything";
}

TEST(AgentScheduler, FirstChecksAtOnceThenOncePerIntervalAtItsPhase) {
  Simulation sim;
  const auto targets = make_targets(40);
  const Nanos interval = ms(400);
  sim.set_targets(targets, schedule_options_for(milliseconds(400), 100));
  sim.run_until(ms(1700));
  std::vector<Nanos> seconds_starts;
  for (const auto& target : targets) {
    const auto& starts = sim.starts[target.id];
    ASSERT_GE(starts.size(), 4u) << target.ip;
    EXPECT_EQ(starts[0], 0) << "first check at once, not at its phase";
    const Nanos phase = phase_of(target.ip, milliseconds(400)).count();
    EXPECT_EQ(starts[1] % interval, phase) << "then at its phase";
    EXPECT_GE(starts[1] - starts[0], interval / 2) << "no second check right after the first";
    EXPECT_LE(starts[1] - starts[0], interval + interval / 2);
    for (std::size_t i = 2; i < starts.size(); ++i) EXPECT_EQ(starts[i] - starts[i - 1], interval) << target.ip;
    seconds_starts.push_back(starts[1] % interval);
  }
  // Spread: after the first round the checks span most of the interval.
  std::sort(seconds_starts.begin(), seconds_starts.end());
  EXPECT_GT(seconds_starts.back() - seconds_starts.front(), ms(250));
}

TEST(AgentScheduler, AThousandTargetsAreAllCheckedBeforeAnyRegularSlot) {
  Simulation sim;
  sim.check_duration = ms(20);
  const auto targets = make_targets(1000);
  sim.set_targets(targets, schedule_options_for(hours(1), 64));
  sim.run_until(ms(400));
  // 1000 checks of 20 ms, 64 at a time: about 16 rounds, ~320 ms, not an hour.
  for (const auto& target : targets) ASSERT_EQ(sim.starts[target.id].size(), 1u) << target.ip;
  EXPECT_EQ(sim.max_running, 64u);
}

TEST(AgentScheduler, TargetsAddedByAReloadAreCheckedAtOnce) {
  Simulation sim;
  auto targets = make_targets(5);
  const auto options = schedule_options_for(minutes(10), 8);
  sim.set_targets(targets, options);
  sim.run_until(ms(1000));
  targets.push_back(TargetId{50, "192.0.2.50"});
  sim.set_targets(targets, options);
  sim.run_until(ms(1100));
  ASSERT_EQ(sim.starts[50].size(), 1u);
  EXPECT_EQ(sim.starts[50][0], ms(1000));
  for (std::uint64_t id = 1; id <= 5; ++id) EXPECT_EQ(sim.starts[id].size(), 1u) << "kept targets are not re-checked";
}

TEST(AgentScheduler, NeverMoreThanConcurrencyInFlight) {
  Simulation sim;
  sim.check_duration = ms(40);
  sim.set_targets(make_targets(60), schedule_options_for(milliseconds(200), 3));
  sim.run_until(ms(700));
  EXPECT_EQ(sim.max_running, 3u) << "the limit is used, and never exceeded";
  EXPECT_EQ(sim.wheel.stats().max_in_flight, 3u);
  EXPECT_GT(sim.total_starts(), 20u);

  // At capacity nothing is handed out, however late it is; one completion frees one slot.
  ScheduleWheel wheel;
  wheel.set_targets(make_targets(5), schedule_options_for(milliseconds(10), 2), 0);
  std::vector<std::uint64_t> started;
  while (auto start = wheel.next_due(ms(10) - 1)) started.push_back(start->id);
  ASSERT_EQ(started.size(), 2u);
  EXPECT_TRUE(wheel.at_capacity());
  wheel.complete(started[0], CheckOutcome::done, ms(10) - 1);
  EXPECT_TRUE(wheel.next_due(ms(10) - 1));
  EXPECT_FALSE(wheel.next_due(ms(10) - 1));
}

// An IP whose phase in `interval` falls in the first `within` of it.
std::string ip_with_early_phase(nanoseconds interval, nanoseconds within) {
  for (int i = 0; i < 100000; ++i) {
    std::string ip = "203.0.113." + std::to_string(i % 256) + "#" + std::to_string(i);
    if (phase_of(ip, interval) < within) return ip;
  }
  return "";
}

TEST(AgentScheduler, TransientFailuresAreRetriedSoonerWithBackoff) {
  Simulation sim;
  int failures_left = 3;
  sim.outcome_for = [&](std::uint64_t) {
    return failures_left-- > 0 ? CheckOutcome::transient_failure : CheckOutcome::done;
  };
  ScheduleOptions options;
  options.interval = seconds(20);
  options.concurrency = 4;
  options.backoff_base = milliseconds(100);
  options.backoff_max = milliseconds(300);
  const std::string ip = ip_with_early_phase(options.interval, milliseconds(50));
  ASSERT_FALSE(ip.empty());
  sim.set_targets({TargetId{7, ip}}, options);
  sim.run_until(ms(1200));
  const auto& starts = sim.starts[7];
  // First check, then retries 100, 200, 300 ms after each failure completed (3 failures), then
  // nothing until the next interval.
  ASSERT_EQ(starts.size(), 4u);
  EXPECT_EQ(starts[1] - starts[0], ms(1) + ms(100));
  EXPECT_EQ(starts[2] - starts[1], ms(1) + ms(200));
  EXPECT_EQ(starts[3] - starts[2], ms(1) + ms(300));
  EXPECT_EQ(sim.wheel.stats().retries, 3u);
}

TEST(AgentScheduler, RetryNeverLaterThanTheNextRegularCheck) {
  Simulation sim;
  sim.outcome_for = [](std::uint64_t) { return CheckOutcome::transient_failure; };
  ScheduleOptions options;
  options.interval = milliseconds(300);
  options.concurrency = 4;
  options.backoff_base = milliseconds(1000);  // longer than the interval: never scheduled
  options.backoff_max = milliseconds(1000);
  sim.set_targets({TargetId{1, "192.0.2.1"}}, options);
  sim.run_until(ms(1000));
  const auto& starts = sim.starts[1];
  ASSERT_GE(starts.size(), 3u);
  for (std::size_t i = 2; i < starts.size(); ++i) EXPECT_EQ(starts[i] - starts[i - 1], ms(300));
  EXPECT_EQ(sim.wheel.stats().retries, 0u);
}

TEST(AgentScheduler, ReloadKeepsPhaseOfKeptTargetsAndForgetsRemovedOnes) {
  Simulation sim;
  const auto options = schedule_options_for(milliseconds(400), 50);
  auto targets = make_targets(10);
  sim.set_targets(targets, options);
  sim.run_until(ms(500));
  // Reload: drop id 1, keep the rest, add id 100; several times in a row (a reload storm).
  std::vector<TargetId> reloaded(targets.begin() + 1, targets.end());
  reloaded.push_back(TargetId{100, "192.0.2.200"});
  const auto removed_before = sim.starts[1].size();
  for (int i = 0; i < 20; ++i) sim.set_targets(reloaded, options);
  sim.run_until(ms(1400));
  EXPECT_EQ(sim.starts[1].size(), removed_before) << "removed target no longer checked";
  ASSERT_GE(sim.starts[100].size(), 2u) << "new target checked";
  EXPECT_EQ(sim.starts[100][0], ms(500)) << "at once";
  for (std::uint64_t id = 2; id <= 10; ++id) {
    const auto& starts = sim.starts[id];
    ASSERT_GE(starts.size(), 3u);
    for (std::size_t i = 2; i < starts.size(); ++i) {
      EXPECT_EQ(starts[i] - starts[i - 1], ms(400)) << "id " << id << ": the reload storm did not move its phase";
    }
  }
}

TEST(AgentScheduler, ASuspendedSchedulerSkipsToNowInsteadOfCatchingUp) {
  Simulation sim;
  const auto targets = make_targets(20);
  sim.set_targets(targets, schedule_options_for(milliseconds(100), 50));
  sim.run_until(ms(150));
  const auto before = sim.total_starts();
  // Ten intervals without a look (a suspended VM): one round, not ten.
  sim.now = ms(1150);
  sim.run_until(ms(1250));
  EXPECT_LE(sim.total_starts() - before, targets.size() + 1);
}

// The thread around the wheel: it starts due checks, and stop() returns at once with the
// thread joined (no check can start after it).
TEST(AgentScheduler, ThreadStartsChecksAndStopsPromptly) {
  std::mutex mutex;
  std::condition_variable cv;
  std::size_t started = 0;
  Scheduler scheduler([&](std::uint64_t, Scheduler::Complete done) {
    {
      std::lock_guard lock(mutex);
      ++started;
    }
    cv.notify_all();
    done(Scheduler::Outcome::done);
  });
  scheduler.set_targets(make_targets(20), schedule_options_for(milliseconds(50), 10));
  scheduler.start();
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(cv.wait_for(lock, seconds(10), [&] { return started >= 20; }));
  }
  const auto begin = steady_clock::now();
  scheduler.stop();
  EXPECT_LT(steady_clock::now() - begin, seconds(1));
  std::lock_guard lock(mutex);
  const auto after_stop = started;
  EXPECT_EQ(scheduler.stats().started, after_stop);
}

}  // namespace
}  // namespace rdns::agent
