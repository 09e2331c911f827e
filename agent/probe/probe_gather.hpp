// Waiting for several asynchronous answers with a deadline: /probe starts lookups or checks,
// then blocks its HTTP worker until every answer is in, the deadline passes or the agent stops.
// Answers that come after the wait gave up land in the shared state and are dropped with it.
//
// Thread-safety: put() from any thread (the resolver's); wait() from one thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

namespace rdns::agent {

template <class T>
class Gather {
public:
  explicit Gather(std::size_t count) : m_results(count) {}

  void put(std::size_t index, T value) {
    std::lock_guard lock(m_mutex);
    if (!m_results.at(index)) ++m_done;
    m_results[index] = std::move(value);
    m_cv.notify_all();
  }

  // The answers in by `until` (nullopt for the others). `stopping` is polled every 50 ms.
  std::vector<std::optional<T>> wait(std::chrono::steady_clock::time_point until,
                                     const std::function<bool()>& stopping) {
    std::unique_lock lock(m_mutex);
    while (m_done < m_results.size() && !stopping() && std::chrono::steady_clock::now() < until) {
      m_cv.wait_until(lock, std::min(until, std::chrono::steady_clock::now() + std::chrono::milliseconds(50)));
    }
    return m_results;
  }

private:
  std::mutex m_mutex;
  std::condition_variable m_cv;
  std::vector<std::optional<T>> m_results;
  std::size_t m_done = 0;
};

}  // namespace rdns::agent
