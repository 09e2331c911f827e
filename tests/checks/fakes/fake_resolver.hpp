// A scripted Resolver for unit tests: answers per (name, type), case-insensitive on the name.
// Three delivery modes exercise the Checker's robustness:
//  - immediate: the callback runs inside resolve() (re-entrant, the hardest case);
//  - manual:    callbacks queue up until deliver(); tests choose FIFO or LIFO (out of order);
//  - threaded:  a background thread delivers queued callbacks newest-first (like a real
//               resolver thread, out of order), so run_check() can block on it.
// Unscripted queries complete with LookupStatus::error and detail "unscripted", so a test that
// forgets a record sees an undecidable verdict rather than a silent pass.
// Like UnboundResolver, every resolve() completes exactly once, whatever happens:
//  - deadlines count: a query whose deadline has passed when it is answered completes as
//    LookupStatus::timeout instead of its scripted answer ("deadline passed before sending"
//    when it already had at resolve(), "no answer before the deadline" after); expire() (manual
//    mode) completes the queued queries that are past their deadline; the threaded mode does
//    that on its own, also for hold()-ed queries;
//  - destroying the fake completes every query still queued with LookupStatus::error
//    "resolver shutting down" (manual mode: on the destroying thread; threaded: on its thread);
//  - a callback that throws is caught and counted (callback_exceptions()), not propagated.
// hold(name, type) makes queries for that name wait (never answered) until their deadline or
// the fake's destruction, as a server that does not answer would.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>
#include <set>
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
    if (m_thread.joinable()) m_thread.join();  // the thread completes what is queued, then ends
    complete_all_as_shutdown();                // manual mode (and anything queued meanwhile)
  }
  FakeResolver(const FakeResolver&) = delete;
  FakeResolver& operator=(const FakeResolver&) = delete;

  void script(const std::string& name, RrType type, DnsAnswer answer) {
    std::lock_guard lock(m_mutex);
    m_answers[{lower(name), type}] = std::move(answer);
  }

  // Queries for this name and type are never answered: they complete at their deadline (as
  // timeout) or when the fake is destroyed. For queries made after this call.
  void hold(const std::string& name, RrType type) {
    std::lock_guard lock(m_mutex);
    m_held.insert({lower(name), type});
  }

  void resolve(std::string name, RrType type, Deadline deadline, Callback done) override {
    Pending pending{std::move(done), DnsAnswer{}, deadline, false};
    {
      std::lock_guard lock(m_mutex);
      m_queries.push_back(Query{name, type, deadline});
      auto it = m_answers.find({lower(name), type});
      if (it != m_answers.end()) {
        pending.answer = it->second;
      } else {
        pending.answer.status = LookupStatus::error;
        pending.answer.detail = "unscripted";
      }
      pending.held = m_held.contains({lower(name), type});
      if (m_stop) {
        pending.answer = shutdown_answer();
      } else if (Clock::now() >= deadline) {
        pending.answer = timeout_answer("deadline passed before sending");
      } else if (m_mode != Mode::immediate || pending.held) {
        m_queue.push_back(std::move(pending));
        ++m_queued_total;
        m_wake.notify_all();
        return;
      }
    }
    call(pending.done, std::move(pending.answer));
  }

  // Manual mode: completes the queued queries past their deadline as timeout (as the real
  // resolver does at the deadline), in queue order. Returns how many.
  int expire() {
    int expired = 0;
    while (auto next = take_expired()) {
      call(next->done, std::move(next->answer));
      ++expired;
    }
    return expired;
  }

  std::uint64_t callback_exceptions() const { return m_callback_exceptions.load(); }
  std::size_t queued() const {
    std::lock_guard lock(m_mutex);
    return m_queue.size();
  }

  // Manual mode: delivers queued answers (and those queued meanwhile) until none is left but
  // held ones (those past their deadline complete as timeout). Returns how many completed.
  int deliver(Order order) {
    int delivered = 0;
    for (;;) {
      Pending next;
      {
        std::lock_guard lock(m_mutex);
        const auto answerable = [](const Pending& p) { return !p.held || Clock::now() >= p.deadline; };
        std::deque<Pending>::iterator it;
        if (order == Order::fifo) {
          it = std::find_if(m_queue.begin(), m_queue.end(), answerable);
        } else {
          auto rit = std::find_if(m_queue.rbegin(), m_queue.rend(), answerable);
          it = rit == m_queue.rend() ? m_queue.end() : std::prev(rit.base());
        }
        if (it == m_queue.end()) return delivered;
        next = std::move(*it);
        m_queue.erase(it);
      }
      if (Clock::now() >= next.deadline) next.answer = timeout_answer("no answer before the deadline");
      call(next.done, std::move(next.answer));
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

  using Clock = std::chrono::steady_clock;

  struct Pending {
    Callback done;
    DnsAnswer answer;
    Deadline deadline;
    bool held = false;
  };

  static DnsAnswer timeout_answer(std::string detail) {
    DnsAnswer answer;
    answer.status = LookupStatus::timeout;
    answer.detail = std::move(detail);
    return answer;
  }
  static DnsAnswer shutdown_answer() {
    DnsAnswer answer;
    answer.status = LookupStatus::error;
    answer.detail = "resolver shutting down";
    return answer;
  }

  // As UnboundResolver: a throwing callback is counted, never propagated.
  void call(Callback& done, DnsAnswer answer) {
    Callback callback = std::move(done);
    try {
      callback(std::move(answer));
    } catch (...) {
      ++m_callback_exceptions;
    }
  }

  std::optional<Pending> take_expired() {
    std::lock_guard lock(m_mutex);
    auto it = std::find_if(m_queue.begin(), m_queue.end(), [](const Pending& p) { return Clock::now() >= p.deadline; });
    if (it == m_queue.end()) return std::nullopt;
    Pending next = std::move(*it);
    m_queue.erase(it);
    next.answer = timeout_answer("no answer before the deadline");
    return next;
  }

  void complete_all_as_shutdown() {
    for (;;) {
      Pending next;
      {
        std::lock_guard lock(m_mutex);
        if (m_queue.empty()) return;
        next = std::move(m_queue.front());
        m_queue.pop_front();
      }
      call(next.done, shutdown_answer());
    }
  }

  void run() {
    std::unique_lock lock(m_mutex);
    for (;;) {
      const auto has_answerable = [this] {
        return std::any_of(m_queue.begin(), m_queue.end(), [](const Pending& p) { return !p.held; });
      };
      const auto earliest_held = [this] {
        Deadline earliest = Deadline::max();
        for (const Pending& p : m_queue) {
          if (p.held) earliest = std::min(earliest, p.deadline);
        }
        return earliest;
      };
      const std::uint64_t seen = m_queued_total;  // a new query may bring an earlier deadline
      const auto wake_up = [&] { return m_stop || has_answerable() || m_queued_total != seen; };
      if (const Deadline until = earliest_held(); until == Deadline::max()) {
        m_wake.wait(lock, wake_up);
      } else {
        m_wake.wait_until(lock, until, wake_up);
      }
      if (m_stop) break;
      lock.unlock();
      expire();  // held (or late) queries past their deadline
      // Let a burst of queries queue up, then answer newest first: out of order on purpose.
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      lock.lock();
      auto rit = std::find_if(m_queue.rbegin(), m_queue.rend(), [](const Pending& p) { return !p.held; });
      if (rit == m_queue.rend()) continue;
      auto it = std::prev(rit.base());
      Pending next = std::move(*it);
      m_queue.erase(it);
      lock.unlock();
      if (Clock::now() >= next.deadline) next.answer = timeout_answer("no answer before the deadline");
      call(next.done, std::move(next.answer));
      lock.lock();
    }
    lock.unlock();
    complete_all_as_shutdown();  // on this thread, as UnboundResolver does on its loop thread
  }

  const Mode m_mode;
  mutable std::mutex m_mutex;
  std::condition_variable m_wake;
  std::map<std::pair<std::string, RrType>, DnsAnswer> m_answers;
  std::vector<Query> m_queries;
  std::set<std::pair<std::string, RrType>> m_held;
  std::deque<Pending> m_queue;
  std::atomic<std::uint64_t> m_callback_exceptions{0};
  std::uint64_t m_queued_total = 0;
  bool m_stop = false;
  std::thread m_thread;
};

}  // namespace rdns::checks::testing
