#include "agent/schedule/schedule_wheel.hpp"

#include <algorithm>

#include "util/hash.hpp"

namespace rdns::agent {
namespace {
using namespace std::chrono;

std::uint64_t fnv1a(std::string_view text) {
  // FNV's low bits mix poorly for short, similar keys (IPs differ in the last bytes): finalise.
  return util::murmur3_fmix64(util::fnv1a64(text));
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

ScheduleWheel::Nanos ScheduleWheel::interval_ns() const {
  return duration_cast<nanoseconds>(m_options.interval).count();
}

void ScheduleWheel::set_targets(const std::vector<TargetId>& targets, const ScheduleOptions& options, Nanos now) {
  std::vector<Item> items;
  items.reserve(targets.size());
  const std::int64_t interval = duration_cast<nanoseconds>(options.interval).count();
  std::deque<std::uint64_t> first;
  for (const auto& target : targets) {
    Item item;
    auto old = m_index.find(target.id);
    if (old != m_index.end()) {
      item = m_items[old->second];
    } else {
      item.id = target.id;
      item.hash = static_cast<std::uint32_t>(fnv1a(target.ip) >> 32);
      item.first_pending = true;
    }
    if (item.first_pending) first.push_back(item.id);
    item.phase_ns = phase_from_hash(item.hash, interval);
    items.push_back(item);
  }
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return a.phase_ns < b.phase_ns || (a.phase_ns == b.phase_ns && a.id < b.id);
  });
  m_items = std::move(items);
  m_index.clear();
  m_index.reserve(m_items.size());
  for (std::uint32_t i = 0; i < m_items.size(); ++i) m_index.emplace(m_items[i].id, i);
  m_options = options;
  m_first = std::move(first);
  reposition(now);
}

void ScheduleWheel::reposition(Nanos now) {
  const Nanos interval = interval_ns();
  m_cursor_cycle = now / interval;
  const Nanos offset = now % interval;
  auto it = std::upper_bound(m_items.begin(), m_items.end(), offset,
                             [](Nanos value, const Item& item) { return value < item.phase_ns; });
  m_cursor_pos = static_cast<std::size_t>(it - m_items.begin());
  if (m_cursor_pos == m_items.size()) {
    m_cursor_pos = 0;
    ++m_cursor_cycle;
  }
}

ScheduleWheel::Nanos ScheduleWheel::slot_time() const {
  return m_cursor_cycle * interval_ns() + m_items[m_cursor_pos].phase_ns;
}

ScheduleWheel::Nanos ScheduleWheel::next_regular(const Item& item, Nanos after) const {
  const Nanos interval = interval_ns();
  Nanos slot = (after / interval) * interval + item.phase_ns;
  if (slot <= after) slot += interval;
  while (slot < item.settle_after_ns) slot += interval;  // skipped right after a first check
  return slot;
}

void ScheduleWheel::advance_cursor() {
  if (++m_cursor_pos == m_items.size()) {
    m_cursor_pos = 0;
    ++m_cursor_cycle;
  }
}

ScheduleWheel::Start ScheduleWheel::mark_started(std::uint64_t id, bool retry) {
  Item& item = m_items[m_index.at(id)];
  item.in_flight = true;
  item.retry_due_ns = 0;
  item.first_pending = false;
  ++m_stats.started;
  if (retry) ++m_stats.retries;
  ++m_stats.in_flight;
  m_stats.max_in_flight = std::max(m_stats.max_in_flight, m_stats.in_flight);
  return Start{id, retry};
}

std::optional<ScheduleWheel::Start> ScheduleWheel::next_first(Nanos now) {
  while (!m_first.empty()) {
    const std::uint64_t id = m_first.front();
    m_first.pop_front();
    auto it = m_index.find(id);
    if (it == m_index.end()) continue;  // removed by a reload
    Item& item = m_items[it->second];
    if (!item.first_pending || item.in_flight) continue;
    item.settle_after_ns = now + interval_ns() / 2;
    Start start = mark_started(id, false);
    start.first = true;
    return start;
  }
  return std::nullopt;
}

std::optional<ScheduleWheel::Start> ScheduleWheel::next_due(Nanos now) {
  if (at_capacity()) return std::nullopt;
  if (auto first = next_first(now)) return first;
  // Retries first: they are few, and they are late already.
  while (!m_retries.empty() && m_retries.top().due_ns <= now) {
    const Retry retry = m_retries.top();
    m_retries.pop();
    auto it = m_index.find(retry.id);
    if (it == m_index.end()) continue;  // target removed
    const Item& item = m_items[it->second];
    if (item.in_flight || item.retry_due_ns != retry.due_ns) continue;  // superseded
    return mark_started(retry.id, true);
  }
  while (!m_items.empty()) {
    // More than a cycle behind (suspended, or overloaded for long): skip to now.
    if (slot_time() < now - interval_ns()) reposition(now);
    if (slot_time() > now) return std::nullopt;
    const Item& item = m_items[m_cursor_pos];
    // Still running since its last slot, waiting for its first check, or just had it: skip.
    const bool skip = item.in_flight || item.first_pending || slot_time() < item.settle_after_ns;
    const std::uint64_t id = item.id;
    advance_cursor();
    if (!skip) return mark_started(id, false);
  }
  return std::nullopt;
}

ScheduleWheel::Nanos ScheduleWheel::next_wake(Nanos now) const {
  if (!m_first.empty()) return now;
  Nanos wake = now + interval_ns();
  if (!m_items.empty()) wake = std::min(wake, slot_time());
  if (!m_retries.empty()) wake = std::min(wake, m_retries.top().due_ns);
  return wake;
}

void ScheduleWheel::complete(std::uint64_t id, CheckOutcome outcome, Nanos now, bool schedule_retries) {
  if (m_stats.in_flight > 0) --m_stats.in_flight;
  auto it = m_index.find(id);
  if (it == m_index.end()) return;
  Item& item = m_items[it->second];
  item.in_flight = false;
  if (outcome == CheckOutcome::done) {
    item.attempts = 0;
    return;
  }
  if (!schedule_retries) return;
  if (item.attempts < 30) ++item.attempts;
  const Nanos due = now + duration_cast<nanoseconds>(backoff_delay(item.attempts, m_options)).count();
  if (due < next_regular(item, now)) {
    item.retry_due_ns = due;
    m_retries.push(Retry{due, id});
  }
}

}  // namespace rdns::agent
