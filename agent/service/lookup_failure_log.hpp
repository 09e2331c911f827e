// Logs checks whose lookups failed (SERVFAIL, timeout, bogus, ...) without flooding the log: each
// failure at debug level, and at most one warning a minute summarising how many checks failed
// and one example. A resolver outage at a /16 is then one line a minute, not 65,536.
//
// Thread-safety: note() from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

#include "checks/check_result.hpp"

namespace rdns::agent {

// True when a lookup of the result was not definitive (the result carries no verdict for it).
bool had_lookup_failure(const checks::CheckResult& result);

class LookupFailureLog {
public:
  using Clock = std::chrono::steady_clock;
  explicit LookupFailureLog(std::chrono::seconds window = std::chrono::minutes(1)) : m_window(window) {}

  void note(const checks::CheckResult& result, Clock::time_point now = Clock::now());

private:
  const std::chrono::seconds m_window;
  std::mutex m_mutex;  // guards the window, the count and the example
  Clock::time_point m_window_start = Clock::now();
  std::uint64_t m_failures = 0;
  std::string m_example;
};

}  // namespace rdns::agent
