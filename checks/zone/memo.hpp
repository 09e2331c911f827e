// A keyed value computed once and shared for a while: the first asker computes it, askers that
// come meanwhile wait for the same computation, later askers get it until it expires.
//
// Thread-safety: every method from any thread; waiters are returned, never called under the lock.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace rdns::checks::zone {

template <typename Value>
class Memo {
public:
  using Clock = std::chrono::steady_clock;
  using Waiter = std::function<void(const Value&)>;
  enum class Ask { ready, wait, compute };

  // ready: `out` holds the value. wait: `waiter` will be called. compute: the caller must
  // compute and put() it (`waiter` is called then too).
  Ask ask(const std::string& key, Clock::time_point now, Waiter waiter, Value& out) {
    std::lock_guard lock(m_mutex);
    Entry& entry = m_entries[key];
    if (entry.value && entry.expires > now) {
      out = *entry.value;
      return Ask::ready;
    }
    entry.waiters.push_back(std::move(waiter));
    if (entry.computing) return Ask::wait;
    entry.computing = true;
    return Ask::compute;
  }

  std::optional<Value> peek(const std::string& key, Clock::time_point now) const {
    std::lock_guard lock(m_mutex);
    auto it = m_entries.find(key);
    if (it == m_entries.end() || !it->second.value || it->second.expires <= now) return std::nullopt;
    return it->second.value;
  }

  // Stores the value until `expires` (now or earlier: not kept) and calls every waiter.
  void put(const std::string& key, const Value& value, Clock::time_point expires) {
    std::vector<Waiter> waiters;
    {
      std::lock_guard lock(m_mutex);
      Entry& entry = m_entries[key];
      entry.computing = false;
      entry.value = value;
      entry.expires = expires;
      waiters = std::move(entry.waiters);
      entry.waiters.clear();
      if (++m_puts % 1024 == 0) prune(Clock::now());
    }
    for (Waiter& waiter : waiters) waiter(value);
  }

private:
  struct Entry {
    std::optional<Value> value;
    Clock::time_point expires{};
    bool computing = false;
    std::vector<Waiter> waiters;
  };

  void prune(Clock::time_point now) {
    for (auto it = m_entries.begin(); it != m_entries.end();) {
      const bool stale = !it->second.computing && it->second.waiters.empty() && it->second.expires <= now;
      it = stale ? m_entries.erase(it) : std::next(it);
    }
  }

  mutable std::mutex m_mutex;
  std::unordered_map<std::string, Entry> m_entries;
  std::uint64_t m_puts = 0;
};

}  // namespace rdns::checks::zone
