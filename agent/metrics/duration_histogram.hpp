// rdns_check_duration_seconds: a fixed-bucket histogram that checks update without a lock
// (one observation per completed check, from resolver threads) and a scrape reads at any time.
//
// Thread-safety: observe() and read() from any thread. A read() concurrent with observe() may
// see a bucket and the count differ by the observations in flight; the next scrape is exact.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <vector>

#include "agent/metrics/exposition_writer.hpp"

namespace rdns::agent::metrics {

class DurationHistogram {
public:
  static constexpr std::array<double, 12> k_bounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

  void observe(double seconds);

  // A consistent-enough copy for one exposition; `data` points into the returned object.
  struct Reading {
    std::array<std::uint64_t, k_bounds.size()> cumulative{};
    double sum = 0;
    std::uint64_t count = 0;
    HistogramData data() const { return {k_bounds, cumulative, sum, count}; }
  };
  Reading read() const;

private:
  std::array<std::atomic<std::uint64_t>, k_bounds.size()> m_buckets{};  // not cumulative
  std::atomic<std::uint64_t> m_count{0};
  std::atomic<double> m_sum{0};
};

}  // namespace rdns::agent::metrics
