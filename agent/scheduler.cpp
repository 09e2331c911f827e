#include "agent/scheduler.hpp"

#include <algorithm>

namespace rdns::agent {
namespace {
using namespace std::chrono;

std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  // FNV's low bits mix poorly for short, similar keys (IPs differ in the last bytes): finalise.
  hash ^= hash >> 33;
  hash *= 0xff51afd7ed558ccdull;
  hash ^= hash >> 33;
  hash *= 0xc4ceb9fe1a85ec53ull;
  hash ^= hash >> 33;
  return hash;
}

std::int64_t phase_from_hash(std::uint32_t hash, std::int64_t interval_ns) {
  // Scale a 32-bit hash onto [0, interval): even spread, no modulo bias.
  const double fraction = static_cast<double>(hash) / 4294967296.0;
  return std::min(static_cast<std::int64_t>(fraction * static_cast<double>(interval_ns)), interval_ns - 1);
}
}  // namespace

ScheduleOptions schedule_options_for(milliseconds interval, std::size_t concurrency) {
  ScheduleOptions options;
  options.interval = std::max(interval, milliseconds(1));
  options.concurrency = std::max<std::size_t>(concurrency, 1);
  options.backoff_base = std::clamp(options.interval / 60, milliseconds(seconds(1)), milliseconds(seconds(30)));
  options.backoff_max = std::max(options.interval / 2, options.backoff_base);
  return options;
}

nanoseconds phase_of(std::string_view ip, nanoseconds interval) {
  return nanoseconds(phase_from_hash(static_cast<std::uint32_t>(fnv1a(ip) >> 32), interval.count()));
}

milliseconds backoff_delay(unsigned attempt, const ScheduleOptions& options) {
  if (attempt == 0) attempt = 1;
  milliseconds delay = options.backoff_base;
  for (unsigned i = 1; i < attempt && delay < options.backoff_max; ++i) delay *= 2;
  return std::min(delay, options.backoff_max);
}

Scheduler::Scheduler(StartCheck start_check) : m_start_check(std::move(start_check)) {}

Scheduler::~Scheduler() { stop(); }

std::int64_t Scheduler::now_ns() const {
  return duration_cast<nanoseconds>(steady_clock::now() - m_epoch).count();
}

void Scheduler::set_targets(const std::vector<TargetId>& targets, const ScheduleOptions& options) {
  std::vector<Item> items;
  items.reserve(targets.size());
  std::lock_guard lock(m_mutex);
  const std::int64_t interval_ns = duration_cast<nanoseconds>(options.interval).count();
  for (const auto& target : targets) {
    Item item;
    auto old = m_index.find(target.id);
    if (old != m_index.end()) {
      item = m_items[old->second];
    } else {
      item.id = target.id;
      item.hash = static_cast<std::uint32_t>(fnv1a(target.ip) >> 32);
    }
    item.phase_ns = phase_from_hash(item.hash, interval_ns);
    items.push_back(item);
  }
  std::sort(items.begin(), items.end(),
            [](const Item& a, const Item& b) { return a.phase_ns < b.phase_ns || (a.phase_ns == b.phase_ns && a.id < b.id); });
  m_items = std::move(items);
  m_index.clear();
  m_index.reserve(m_items.size());
  for (std::uint32_t i = 0; i < m_items.size(); ++i) m_index.emplace(m_items[i].id, i);
  m_options = options;
  reposition_locked(now_ns());
  m_wake.notify_all();
}

void Scheduler::reposition_locked(std::int64_t now) {
  const std::int64_t interval_ns = duration_cast<nanoseconds>(m_options.interval).count();
  m_cursor_cycle = now / interval_ns;
  const std::int64_t offset = now % interval_ns;
  auto it = std::upper_bound(m_items.begin(), m_items.end(), offset,
                             [](std::int64_t value, const Item& item) { return value < item.phase_ns; });
  m_cursor_pos = static_cast<std::size_t>(it - m_items.begin());
  if (m_cursor_pos == m_items.size()) {
    m_cursor_pos = 0;
    ++m_cursor_cycle;
  }
}

std::int64_t Scheduler::slot_time_locked() const {
  const std::int64_t interval_ns = duration_cast<nanoseconds>(m_options.interval).count();
  return m_cursor_cycle * interval_ns + m_items[m_cursor_pos].phase_ns;
}

std::int64_t Scheduler::next_regular_locked(const Item& item, std::int64_t after) const {
  const std::int64_t interval_ns = duration_cast<nanoseconds>(m_options.interval).count();
  std::int64_t slot = (after / interval_ns) * interval_ns + item.phase_ns;
  if (slot <= after) slot += interval_ns;
  return slot;
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
  return m_stats;
}

void Scheduler::run() {
  std::unique_lock lock(m_mutex);
  while (!m_stopping) {
    if (m_stats.in_flight >= m_options.concurrency) {
      m_wake.wait(lock);
      continue;
    }
    const std::int64_t now = now_ns();
    const std::int64_t interval_ns = duration_cast<nanoseconds>(m_options.interval).count();
    std::optional<std::uint64_t> to_start;
    bool is_retry = false;

    // Retries first: they are few, and they are late already.
    while (!m_retries.empty() && m_retries.top().due_ns <= now) {
      const Retry retry = m_retries.top();
      m_retries.pop();
      auto it = m_index.find(retry.id);
      if (it == m_index.end()) continue;
      Item& item = m_items[it->second];
      if (item.in_flight || item.retry_due_ns != retry.due_ns) continue;  // superseded
      to_start = retry.id;
      is_retry = true;
      break;
    }
    if (!to_start && !m_items.empty()) {
      // More than a cycle behind (suspended, or overloaded for long): skip to now.
      if (slot_time_locked() < now - interval_ns) reposition_locked(now);
      if (slot_time_locked() <= now) {
        Item& item = m_items[m_cursor_pos];
        if (!item.in_flight) to_start = item.id;
        if (++m_cursor_pos == m_items.size()) {
          m_cursor_pos = 0;
          ++m_cursor_cycle;
        }
        if (!to_start) continue;  // still running since its last slot: skip this one
      }
    }
    if (!to_start) {
      std::int64_t wake_at = now + interval_ns;
      if (!m_items.empty()) wake_at = std::min(wake_at, slot_time_locked());
      if (!m_retries.empty()) wake_at = std::min(wake_at, m_retries.top().due_ns);
      m_wake.wait_until(lock, m_epoch + nanoseconds(wake_at));
      continue;
    }

    Item& item = m_items[m_index.at(*to_start)];
    item.in_flight = true;
    item.retry_due_ns = 0;
    ++m_stats.started;
    if (is_retry) ++m_stats.retries;
    ++m_stats.in_flight;
    m_stats.max_in_flight = std::max(m_stats.max_in_flight, m_stats.in_flight);
    const std::uint64_t id = *to_start;
    lock.unlock();
    m_start_check(id, [this, id](Outcome outcome) { complete(id, outcome); });
    lock.lock();
  }
}

void Scheduler::complete(std::uint64_t id, Outcome outcome) {
  {
    std::lock_guard lock(m_mutex);
    if (m_stats.in_flight > 0) --m_stats.in_flight;
    auto it = m_index.find(id);
    if (it != m_index.end()) {
      Item& item = m_items[it->second];
      item.in_flight = false;
      if (outcome == Outcome::done) {
        item.attempts = 0;
      } else if (!m_stopping) {
        if (item.attempts < 30) ++item.attempts;
        const std::int64_t now = now_ns();
        const std::int64_t due = now + duration_cast<nanoseconds>(backoff_delay(item.attempts, m_options)).count();
        if (due < next_regular_locked(item, now)) {
          item.retry_due_ns = due;
          m_retries.push(Retry{due, id});
        }
      }
    }
  }
  m_wake.notify_all();
}

}  // namespace rdns::agent
