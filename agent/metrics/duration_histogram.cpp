#include "agent/metrics/duration_histogram.hpp"

#include <algorithm>
#include <cmath>

namespace rdns::agent::metrics {

void DurationHistogram::observe(double seconds) {
  if (std::isnan(seconds)) return;
  const auto bucket = std::lower_bound(k_bounds.begin(), k_bounds.end(), seconds) - k_bounds.begin();
  if (bucket < static_cast<std::ptrdiff_t>(k_bounds.size())) {
    m_buckets[static_cast<std::size_t>(bucket)].fetch_add(1, std::memory_order_relaxed);
  }
  double sum = m_sum.load(std::memory_order_relaxed);
  while (!m_sum.compare_exchange_weak(sum, sum + seconds, std::memory_order_relaxed)) {}
  m_count.fetch_add(1, std::memory_order_relaxed);
}

DurationHistogram::Reading DurationHistogram::read() const {
  Reading reading;
  reading.count = m_count.load(std::memory_order_relaxed);
  reading.sum = m_sum.load(std::memory_order_relaxed);
  std::uint64_t running = 0;
  for (std::size_t i = 0; i < k_bounds.size(); ++i) {
    running += m_buckets[i].load(std::memory_order_relaxed);
    // Never above the +Inf bucket, whatever order concurrent updates landed in.
    reading.cumulative[i] = std::min(running, reading.count);
  }
  return reading;
}

}  // namespace rdns::agent::metrics
