// When each target is checked: a thread that asks the ScheduleWheel (schedule_wheel.hpp, where
// the rules live) what is due, starts it, and sleeps until the next slot or a completion.
//
// Thread-safety: all public methods may be called from any thread. `StartCheck` is called on
// the scheduler's thread without its lock held; the `Complete` it is given may be called from
// any thread (also synchronously, inside StartCheck), exactly once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "agent/schedule/schedule_wheel.hpp"
#include "agent/store/target_types.hpp"

namespace rdns::agent {

class Scheduler {
public:
  using Outcome = CheckOutcome;
  using Complete = std::function<void(Outcome)>;
  using StartCheck = std::function<void(std::uint64_t id, Complete complete)>;
  using Stats = SchedulerStats;

  // Before starting a check, asks `start_delay` (may be empty) whether to wait first (a rate
  // cap on DNS queries); nullopt means go.
  using StartDelay = std::function<std::optional<std::chrono::nanoseconds>()>;
  explicit Scheduler(StartCheck start_check, StartDelay start_delay = {})
      : m_start_check(std::move(start_check)), m_start_delay(std::move(start_delay)) {}
  ~Scheduler() { stop(); }
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Replaces the targets (ids from ResultStore::set_targets) and options. Targets that stay
  // keep their phase, retry state and in-flight check.
  void set_targets(const std::vector<TargetId>& targets, const ScheduleOptions& options);
  void start();  // starts the scheduling thread
  void stop();   // no new checks after this returns; completions of running ones are still accepted
  Stats stats() const;

private:
  void run();
  void complete(std::uint64_t id, Outcome outcome);
  ScheduleWheel::Nanos now_ns() const;

  StartCheck m_start_check;
  StartDelay m_start_delay;
  const std::chrono::steady_clock::time_point m_epoch = std::chrono::steady_clock::now();

  mutable std::mutex m_mutex;  // guards m_wheel and m_stopping; never held while a check starts
  std::condition_variable m_wake;
  ScheduleWheel m_wheel;
  bool m_stopping = false;
  std::thread m_thread;
};

}  // namespace rdns::agent
