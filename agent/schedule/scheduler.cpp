#include "agent/schedule/scheduler.hpp"

namespace rdns::agent {

using namespace std::chrono;

ScheduleWheel::Nanos Scheduler::now_ns() const {
  return duration_cast<nanoseconds>(steady_clock::now() - m_epoch).count();
}

void Scheduler::set_targets(const std::vector<TargetId>& targets, const ScheduleOptions& options) {
  {
    std::lock_guard lock(m_mutex);
    m_wheel.set_targets(targets, options, now_ns());
  }
  m_wake.notify_all();
}

void Scheduler::start() {
  std::lock_guard lock(m_mutex);
  if (m_thread.joinable() || m_stopping) return;
  m_thread = std::thread([this] { run(); });
}

void Scheduler::stop() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  m_wake.notify_all();
  if (m_thread.joinable() && m_thread.get_id() != std::this_thread::get_id()) m_thread.join();
}

Scheduler::Stats Scheduler::stats() const {
  std::lock_guard lock(m_mutex);
  return m_wheel.stats();
}

void Scheduler::run() {
  std::unique_lock lock(m_mutex);
  while (!m_stopping) {
    if (m_wheel.at_capacity()) {
      m_wake.wait(lock);
      continue;
    }
    const auto now = now_ns();
    if (m_start_delay) {
      if (const auto delay = m_start_delay()) {
        m_wake.wait_for(lock, *delay);  // the rate cap: until a token comes
        continue;
      }
    }
    const auto start = m_wheel.next_due(now);
    if (!start) {
      m_wake.wait_until(lock, m_epoch + nanoseconds(m_wheel.next_wake(now)));
      continue;
    }
    const std::uint64_t id = start->id;
    lock.unlock();
    m_start_check(id, [this, id](Outcome outcome) { complete(id, outcome); });
    lock.lock();
  }
}

void Scheduler::complete(std::uint64_t id, Outcome outcome) {
  {
    std::lock_guard lock(m_mutex);
    m_wheel.complete(id, outcome, now_ns(), !m_stopping);
  }
  m_wake.notify_all();
}

}  // namespace rdns::agent
