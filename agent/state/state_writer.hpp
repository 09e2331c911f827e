// When to write the state file: at most once per `min_interval`, and only when the store
// changed since the last successful write; at shutdown whenever it changed, without waiting
// for the interval. Pure policy on injected time: the caller owns the clock, the store's
// change counter and the write itself.
//
// The generation is ResultStore::generation(), which moves with every change. Report the one
// taken with the snapshot that was written (Snapshot::generation), not a later one: a change
// that lands in between must stay dirty.
//
// A failed write counts against the interval (a full disk is not retried in a tight loop) and
// leaves the state dirty, so the next due() retries it.
//
// Thread-safety: none; one owner (the thread that writes the file).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace rdns::agent::state {

class StateWriter {
public:
  using Clock = std::chrono::steady_clock;

  // `initial_generation`: the store's generation after the state file was loaded (or, without
  // one, at start), which the file on disk already holds or which is not worth writing.
  explicit StateWriter(Clock::duration min_interval, std::uint64_t initial_generation = 0)
      : m_min_interval(min_interval), m_written(initial_generation) {}

  // A periodic write is due now.
  bool due(Clock::time_point now, std::uint64_t generation) const {
    if (generation == m_written) return false;
    return !m_last_attempt || now - *m_last_attempt >= m_min_interval;
  }
  // The write at shutdown is due: something changed since the last successful write.
  bool due_at_shutdown(std::uint64_t generation) const { return generation != m_written; }

  // Reports a write of the state as of `generation`, attempted at `now`.
  void wrote(Clock::time_point now, std::uint64_t generation, bool ok) {
    m_last_attempt = now;
    if (ok) m_written = generation;
  }

  // When due() can next become true (for a loop that sleeps until then); nullopt: at once.
  std::optional<Clock::time_point> next_allowed() const {
    if (!m_last_attempt) return std::nullopt;
    return *m_last_attempt + m_min_interval;
  }

private:
  Clock::duration m_min_interval;
  std::uint64_t m_written;
  std::optional<Clock::time_point> m_last_attempt;
};

}  // namespace rdns::agent::state
