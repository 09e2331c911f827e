// The scheduler's decisions without its thread: which check is due at time t, when to look
// again, and what a completed check means for the next one. Time is passed in (nanoseconds on
// any monotonic clock), so tests drive it with a fake clock and no sleeping.
//
// A target with no result yet (every target at start, and those a reload adds) is checked at
// once, as fast as `concurrency` allows, so the agent is ready in about the time its lookups take
// rather than an interval. After that every target is checked once per `interval`, at a phase
// inside the interval derived from a hash of its IP: checks are spread over the interval and a
// target keeps its phase across reloads (its first regular slot is skipped when it comes less
// than half an interval after the first check). At most `concurrency` checks are in flight. A transient failure (SERVFAIL, timeout)
// is retried sooner, with an exponential backoff bounded by `backoff_max`, and never later than
// the next regular check. State per target is ~40 bytes: the targets sit in a vector sorted by
// phase that a cursor walks; retries wait in a small heap.
//
// Thread-safety: none; the Scheduler guards it with its mutex.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <queue>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "agent/store/target_types.hpp"

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

enum class CheckOutcome { done, transient_failure };

struct SchedulerStats {
  std::uint64_t started = 0;
  std::uint64_t retries = 0;
  std::size_t in_flight = 0;
  std::size_t max_in_flight = 0;
};

class ScheduleWheel {
public:
  using Nanos = std::int64_t;

  // Replaces the targets and options. Targets that stay keep their phase, retry state and
  // in-flight check.
  void set_targets(const std::vector<TargetId>& targets, const ScheduleOptions& options, Nanos now);

  // The next check to start at `now`, marked in flight; nullopt when nothing is due or
  // `concurrency` checks are already running. First checks come first, then retries, then the
  // regular slots.
  struct Start {
    std::uint64_t id;
    bool retry;
    bool first = false;
  };
  std::optional<Start> next_due(Nanos now);

  // When next_due() may next return something (absolute); meaningless while at capacity.
  Nanos next_wake(Nanos now) const;
  bool at_capacity() const { return m_stats.in_flight >= m_options.concurrency; }

  // A started check finished. With `schedule_retries` false (stopping) no retry is planned.
  void complete(std::uint64_t id, CheckOutcome outcome, Nanos now, bool schedule_retries = true);

  const SchedulerStats& stats() const { return m_stats; }

private:
  struct Item {
    std::uint64_t id = 0;
    std::int64_t phase_ns = 0;
    std::int64_t retry_due_ns = 0;     // 0: no retry pending
    std::int64_t settle_after_ns = 0;  // regular slots before this are skipped (just had its first check)
    std::uint32_t hash = 0;            // kept to recompute the phase when the interval changes
    std::uint8_t attempts = 0;
    bool in_flight = false;
    bool first_pending = false;  // waits in m_first for its first check
  };
  struct Retry {
    std::int64_t due_ns;
    std::uint64_t id;
    bool operator>(const Retry& other) const { return due_ns > other.due_ns; }
  };

  Nanos interval_ns() const;
  void reposition(Nanos now);
  Nanos slot_time() const;
  Nanos next_regular(const Item& item, Nanos after) const;
  void advance_cursor();
  Start mark_started(std::uint64_t id, bool retry);
  std::optional<Start> next_first(Nanos now);

  ScheduleOptions m_options;
  std::vector<Item> m_items;  // sorted by phase
  std::unordered_map<std::uint64_t, std::uint32_t> m_index;
  std::priority_queue<Retry, std::vector<Retry>, std::greater<>> m_retries;
  std::deque<std::uint64_t> m_first;  // targets without a first check, in config order
  std::int64_t m_cursor_cycle = 0;
  std::size_t m_cursor_pos = 0;
  SchedulerStats m_stats;
};

}  // namespace rdns::agent
