// When each target is checked. Every target is checked once per `interval`, at a phase inside
// the interval derived from a hash of its IP: checks are spread over the interval (no burst at
// start or after a reload) and a target keeps its phase across reloads. At most `concurrency`
// checks are in flight. A transient failure (SERVFAIL, timeout) is retried sooner, with an
// exponential backoff bounded by `backoff_max`, and never later than the next regular check.
//
// State per target is ~40 bytes (no per-target thread, timer or allocation): the targets sit in
// a wheel sorted by phase that one thread walks; retries wait in a small heap.
//
// Thread-safety: all public methods may be called from any thread. `StartCheck` is called on
// the scheduler's thread without its lock held; the `Complete` it is given may be called from
// any thread (also synchronously, inside StartCheck), exactly once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <queue>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "agent/result_store.hpp"

namespace rdns::agent {

struct ScheduleOptions {
  std::chrono::milliseconds interval = std::chrono::minutes(5);
  std::size_t concurrency = 256;
  std::chrono::milliseconds backoff_base = std::chrono::seconds(5);
  std::chrono::milliseconds backoff_max = std::chrono::minutes(2);
};

// Backoff for an interval: a base of interval/60 (1 s..30 s), at most half the interval.
ScheduleOptions schedule_options_for(std::chrono::milliseconds interval, std::size_t concurrency);

// Offset of `ip`'s check inside each interval: stable for a given IP and interval.
std::chrono::nanoseconds phase_of(std::string_view ip, std::chrono::nanoseconds interval);

// Delay before retry number `attempt` (1 = first retry): base * 2^(attempt-1), at most max.
std::chrono::milliseconds backoff_delay(unsigned attempt, const ScheduleOptions& options);

class Scheduler {
public:
  enum class Outcome { done, transient_failure };
  using Complete = std::function<void(Outcome)>;
  using StartCheck = std::function<void(std::uint64_t id, Complete complete)>;

  struct Stats {
    std::uint64_t started = 0;
    std::uint64_t retries = 0;
    std::size_t in_flight = 0;
    std::size_t max_in_flight = 0;
  };

  explicit Scheduler(StartCheck start_check);
  ~Scheduler();  // stop()
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Replaces the targets (ids from ResultStore::set_targets) and options. Targets that stay
  // keep their phase, retry state and in-flight check.
  void set_targets(const std::vector<TargetId>& targets, const ScheduleOptions& options);
  void start();  // starts the scheduling thread
  void stop();   // no new checks after this returns; completions of running ones are still accepted
  Stats stats() const;

private:
  struct Item {
    std::uint64_t id = 0;
    std::int64_t phase_ns = 0;
    std::int64_t retry_due_ns = 0;  // 0: no retry pending
    std::uint32_t hash = 0;          // kept to recompute the phase when the interval changes
    std::uint8_t attempts = 0;
    bool in_flight = false;
  };
  struct Retry {
    std::int64_t due_ns;
    std::uint64_t id;
    bool operator>(const Retry& other) const { return due_ns > other.due_ns; }
  };

  void run();
  void complete(std::uint64_t id, Outcome outcome);
  void reposition_locked(std::int64_t now_ns);
  std::int64_t slot_time_locked() const;
  std::int64_t now_ns() const;
  std::int64_t next_regular_locked(const Item& item, std::int64_t after_ns) const;

  StartCheck m_start_check;
  const std::chrono::steady_clock::time_point m_epoch = std::chrono::steady_clock::now();

  mutable std::mutex m_mutex;
  std::condition_variable m_wake;
  ScheduleOptions m_options;
  std::vector<Item> m_items;  // sorted by phase
  std::unordered_map<std::uint64_t, std::uint32_t> m_index;
  std::priority_queue<Retry, std::vector<Retry>, std::greater<>> m_retries;
  std::int64_t m_cursor_cycle = 0;
  std::size_t m_cursor_pos = 0;
  Stats m_stats;
  bool m_stopping = false;
  std::thread m_thread;
};

}  // namespace rdns::agent
