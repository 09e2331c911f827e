// A scripted Resolver for unit tests: answers per (name, type), case-insensitive on the name.
// Three delivery modes exercise the Checker's robustness:
//  - immediate: the callback runs inside resolve() (re-entrant, the hardest case);
//  - manual:    callbacks queue up until deliver(); tests choose FIFO or LIFO (out of order);
//  - threaded:  a background thread delivers queued callbacks newest-first (like a real
//               resolver thread, out of order), so run_check() can block on it.
// Unscripted queries complete with LookupStatus::error and detail "unscripted", so a test that
// forgets a record sees an undecidable verdict rather than a silent pass.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "checks/resolver.hpp"
#include "tests/checks/fakes/answers.hpp"

namespace rdns::checks::testing {

class FakeResolver final : public Resolver {
public:
  enum class Mode { immediate, manual, threaded };
  enum class Order { fifo, lifo };

  struct Query {
    std::string name;
    RrType type;
    Deadline deadline;
  };

  explicit FakeResolver(Mode mode = Mode::immediate) : m_mode(mode) {
    if (m_mode == Mode::threaded) m_thread = std::thread([this] { run(); });
  }
  ~FakeResolver() override {
    {
      std::lock_guard lock(m_mutex);
      m_stop = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable()) m_thread.join();
  }
  FakeResolver(const FakeResolver&) = delete;
  FakeResolver& operator=(const FakeResolver&) = delete;

  void script(const std::string& name, RrType type, DnsAnswer answer) {
    std::lock_guard lock(m_mutex);
    m_answers[{lower(name), type}] = std::move(answer);
  }

  void resolve(std::string name, RrType type, Deadline deadline, Callback done) override {
    DnsAnswer answer;
    {
      std::lock_guard lock(m_mutex);
      m_queries.push_back(Query{name, type, deadline});
      auto it = m_answers.find({lower(name), type});
      if (it != m_answers.end()) {
        answer = it->second;
      } else {
        answer.status = LookupStatus::error;
        answer.detail = "unscripted";
      }
      if (m_mode != Mode::immediate) {
        m_queue.emplace_back(std::move(done), std::move(answer));
        m_wake.notify_all();
        return;
      }
    }
    done(std::move(answer));
  }

  // Manual mode: delivers queued answers (and those queued meanwhile) until none is left.
  // Returns how many were delivered.
  int deliver(Order order) {
    int delivered = 0;
    for (;;) {
      std::pair<Callback, DnsAnswer> next;
      {
        std::lock_guard lock(m_mutex);
        if (m_queue.empty()) return delivered;
        if (order == Order::fifo) {
          next = std::move(m_queue.front());
          m_queue.pop_front();
        } else {
          next = std::move(m_queue.back());
          m_queue.pop_back();
        }
      }
      next.first(std::move(next.second));
      ++delivered;
    }
  }

  std::vector<Query> queries() const {
    std::lock_guard lock(m_mutex);
    return m_queries;
  }
  bool was_asked(const std::string& name, RrType type) const {
    std::lock_guard lock(m_mutex);
    return std::any_of(m_queries.begin(), m_queries.end(),
                       [&](const Query& q) { return lower(q.name) == lower(name) && q.type == type; });
  }

private:
  static std::string lower(std::string text) {
    for (char& c : text) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return text;
  }

  void run() {
    std::unique_lock lock(m_mutex);
    for (;;) {
      m_wake.wait(lock, [this] { return m_stop || !m_queue.empty(); });
      if (m_stop && m_queue.empty()) return;
      // Let a burst of queries queue up, then answer newest first: out of order on purpose.
      lock.unlock();
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      lock.lock();
      auto next = std::move(m_queue.back());
      m_queue.pop_back();
      lock.unlock();
      next.first(std::move(next.second));
      lock.lock();
    }
  }

  const Mode m_mode;
  mutable std::mutex m_mutex;
  std::condition_variable m_wake;
  std::map<std::pair<std::string, RrType>, DnsAnswer> m_answers;
  std::vector<Query> m_queries;
  std::deque<std::pair<Callback, DnsAnswer>> m_queue;
  bool m_stop = false;
  std::thread m_thread;
};

}  // namespace rdns::checks::testing
