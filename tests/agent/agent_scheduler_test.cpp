// Scheduler: phases, backoff, concurrency, retries, reload, stop. The checks are fakes that
// complete after a delay on a worker thread; time is real but short.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "agent/scheduler.hpp"

namespace rdns::agent {
namespace {

using namespace std::chrono;
using Clock = steady_clock;

// Records every start and completes each check after `delay` with `outcome_for(id)`.
class FakeChecks {
public:
  explicit FakeChecks(milliseconds delay) : m_delay(delay), m_thread([this] { run(); }) {}
  ~FakeChecks() {
    {
      std::lock_guard lock(m_mutex);
      m_stop = true;
    }
    m_wake.notify_all();
    m_thread.join();
  }
  std::function<Scheduler::Outcome(std::uint64_t)> outcome_for = [](std::uint64_t) { return Scheduler::Outcome::done; };

  void start(std::uint64_t id, Scheduler::Complete complete) {
    std::lock_guard lock(m_mutex);
    m_starts[id].push_back(Clock::now());
    ++m_running;
    m_max_running = std::max(m_max_running, m_running);
    m_queue.push_back({Clock::now() + m_delay, id, std::move(complete)});
    m_wake.notify_all();
  }
  std::vector<Clock::time_point> starts(std::uint64_t id) {
    std::lock_guard lock(m_mutex);
    return m_starts[id];
  }
  std::size_t total_starts() {
    std::lock_guard lock(m_mutex);
    std::size_t total = 0;
    for (auto& [id, times] : m_starts) total += times.size();
    return total;
  }
  int max_running() {
    std::lock_guard lock(m_mutex);
    return m_max_running;
  }

private:
  struct Pending {
    Clock::time_point due;
    std::uint64_t id;
    Scheduler::Complete complete;
  };
  void run() {
    std::unique_lock lock(m_mutex);
    while (!m_stop || !m_queue.empty()) {
      if (m_queue.empty()) {
        m_wake.wait(lock);
        continue;
      }
      auto next = std::min_element(m_queue.begin(), m_queue.end(),
                                   [](const Pending& a, const Pending& b) { return a.due < b.due; });
      if (next->due > Clock::now() && !m_stop) {
        m_wake.wait_until(lock, next->due);
        continue;
      }
      Pending pending = std::move(*next);
      m_queue.erase(next);
      --m_running;
      auto outcome = outcome_for(pending.id);
      lock.unlock();
      pending.complete(outcome);
      lock.lock();
    }
  }

  milliseconds m_delay;
  std::mutex m_mutex;
  std::condition_variable m_wake;
  std::deque<Pending> m_queue;
  std::map<std::uint64_t, std::vector<Clock::time_point>> m_starts;
  int m_running = 0;
  int m_max_running = 0;
  bool m_stop = false;
  std::thread m_thread;
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
    const std::string ip = "10." + std::to_string(i / 65536) + "." + std::to_string((i / 256) % 256) + "." +
                           std::to_string(i % 256);
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

TEST(AgentScheduler, ChecksEveryTargetOncePerIntervalSpreadOverIt) {
  FakeChecks checks(milliseconds(1));
  Scheduler scheduler([&](std::uint64_t id, Scheduler::Complete done) { checks.start(id, std::move(done)); });
  const auto targets = make_targets(40);
  ScheduleOptions options = schedule_options_for(milliseconds(400), 100);
  const auto begin = Clock::now();
  scheduler.set_targets(targets, options);
  scheduler.start();
  std::this_thread::sleep_for(milliseconds(1300));
  scheduler.stop();
  std::vector<Clock::time_point> firsts;
  for (const auto& target : targets) {
    const auto starts = checks.starts(target.id);
    ASSERT_GE(starts.size(), 3u) << target.ip;
    ASSERT_LE(starts.size(), 4u) << target.ip;
    EXPECT_LT(starts[0] - begin, milliseconds(450)) << "first check within the first interval";
    for (std::size_t i = 1; i < starts.size(); ++i) {
      EXPECT_NEAR(duration<double>(starts[i] - starts[i - 1]).count(), 0.4, 0.15) << "same phase every interval";
    }
    firsts.push_back(starts[0]);
  }
  // Spread: no burst at start; the first checks span most of the interval.
  std::sort(firsts.begin(), firsts.end());
  EXPECT_GT(firsts.back() - firsts.front(), milliseconds(250));
}

TEST(AgentScheduler, NeverMoreThanConcurrencyInFlight) {
  FakeChecks checks(milliseconds(40));
  Scheduler scheduler([&](std::uint64_t id, Scheduler::Complete done) { checks.start(id, std::move(done)); });
  scheduler.set_targets(make_targets(60), schedule_options_for(milliseconds(200), 3));
  scheduler.start();
  std::this_thread::sleep_for(milliseconds(700));
  scheduler.stop();
  EXPECT_LE(checks.max_running(), 3);
  EXPECT_EQ(checks.max_running(), 3) << "the limit is used, not just respected";
  EXPECT_LE(scheduler.stats().max_in_flight, 3u);
  EXPECT_GT(checks.total_starts(), 20u);
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
  FakeChecks checks(milliseconds(1));
  std::atomic<int> failures_left{3};
  checks.outcome_for = [&](std::uint64_t) {
    return failures_left-- > 0 ? Scheduler::Outcome::transient_failure : Scheduler::Outcome::done;
  };
  Scheduler scheduler([&](std::uint64_t id, Scheduler::Complete done) { checks.start(id, std::move(done)); });
  ScheduleOptions options;
  options.interval = seconds(20);
  options.concurrency = 4;
  options.backoff_base = milliseconds(100);
  options.backoff_max = milliseconds(300);
  const std::string ip = ip_with_early_phase(options.interval, milliseconds(50));
  ASSERT_FALSE(ip.empty());
  scheduler.set_targets({TargetId{7, ip}}, options);
  scheduler.start();
  std::this_thread::sleep_for(milliseconds(1200));
  scheduler.stop();
  const auto starts = checks.starts(7);
  // First check, then retries after ~100, ~200, ~300 ms (3 failures), then nothing until the
  // next interval.
  ASSERT_EQ(starts.size(), 4u);
  EXPECT_NEAR(duration<double>(starts[1] - starts[0]).count(), 0.1, 0.07);
  EXPECT_NEAR(duration<double>(starts[2] - starts[1]).count(), 0.2, 0.07);
  EXPECT_NEAR(duration<double>(starts[3] - starts[2]).count(), 0.3, 0.07);
  EXPECT_EQ(scheduler.stats().retries, 3u);
}

TEST(AgentScheduler, RetryNeverLaterThanTheNextRegularCheck) {
  FakeChecks checks(milliseconds(1));
  checks.outcome_for = [](std::uint64_t) { return Scheduler::Outcome::transient_failure; };
  Scheduler scheduler([&](std::uint64_t id, Scheduler::Complete done) { checks.start(id, std::move(done)); });
  ScheduleOptions options;
  options.interval = milliseconds(300);
  options.concurrency = 4;
  options.backoff_base = milliseconds(1000);  // longer than the interval: never scheduled
  options.backoff_max = milliseconds(1000);
  scheduler.set_targets({TargetId{1, "192.0.2.1"}}, options);
  scheduler.start();
  std::this_thread::sleep_for(milliseconds(1000));
  scheduler.stop();
  const auto starts = checks.starts(1);
  ASSERT_GE(starts.size(), 3u);
  for (std::size_t i = 1; i < starts.size(); ++i) {
    EXPECT_NEAR(duration<double>(starts[i] - starts[i - 1]).count(), 0.3, 0.12);
  }
  EXPECT_EQ(scheduler.stats().retries, 0u);
}

TEST(AgentScheduler, ReloadKeepsPhaseOfKeptTargetsAndForgetsRemovedOnes) {
  FakeChecks checks(milliseconds(1));
  Scheduler scheduler([&](std::uint64_t id, Scheduler::Complete done) { checks.start(id, std::move(done)); });
  const auto options = schedule_options_for(milliseconds(400), 50);
  auto targets = make_targets(10);
  scheduler.set_targets(targets, options);
  scheduler.start();
  std::this_thread::sleep_for(milliseconds(500));
  // Reload: drop id 1, keep the rest, add id 100; several times in a row (a reload storm).
  std::vector<TargetId> reloaded(targets.begin() + 1, targets.end());
  reloaded.push_back(TargetId{100, "192.0.2.200"});
  const auto removed_before = checks.starts(1).size();
  for (int i = 0; i < 20; ++i) scheduler.set_targets(reloaded, options);
  std::this_thread::sleep_for(milliseconds(900));
  scheduler.stop();
  EXPECT_LE(checks.starts(1).size(), removed_before + 1) << "removed target no longer checked";
  EXPECT_GE(checks.starts(100).size(), 2u) << "new target checked";
  for (std::uint64_t id = 2; id <= 10; ++id) {
    const auto starts = checks.starts(id);
    ASSERT_GE(starts.size(), 3u);
    for (std::size_t i = 1; i < starts.size(); ++i) {
      EXPECT_NEAR(duration<double>(starts[i] - starts[i - 1]).count(), 0.4, 0.15)
          << "id " << id << ": the reload storm did not move its phase or add checks";
    }
  }
}

TEST(AgentScheduler, StopEndsSchedulingPromptly) {
  FakeChecks checks(milliseconds(1));
  Scheduler scheduler([&](std::uint64_t id, Scheduler::Complete done) { checks.start(id, std::move(done)); });
  scheduler.set_targets(make_targets(20), schedule_options_for(milliseconds(100), 10));
  scheduler.start();
  std::this_thread::sleep_for(milliseconds(250));
  const auto begin = Clock::now();
  scheduler.stop();
  EXPECT_LT(Clock::now() - begin, milliseconds(100));
  const auto after_stop = checks.total_starts();
  std::this_thread::sleep_for(milliseconds(250));
  EXPECT_EQ(checks.total_starts(), after_stop);
}

}  // namespace
}  // namespace rdns::agent
