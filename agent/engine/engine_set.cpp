#include "agent/engine/engine_set.hpp"

#include <set>
#include <thread>

#include <spdlog/spdlog.h>

namespace rdns::agent {

std::shared_ptr<Engine> EngineSet::current() const {
  std::lock_guard lock(m_mutex);
  return m_current;
}

void EngineSet::replace(std::shared_ptr<Engine> next) {
  std::lock_guard lock(m_mutex);
  if (m_shut_down) return;
  if (m_current) m_retired.push_back(std::move(m_current));
  m_current = std::move(next);
}

std::size_t EngineSet::retired() const {
  std::lock_guard lock(m_mutex);
  return m_retired.size();
}

void EngineSet::reap() {
  std::vector<std::shared_ptr<Engine>> done;
  {
    std::lock_guard lock(m_mutex);
    for (auto it = m_retired.begin(); it != m_retired.end();) {
      // use_count 1: nobody can start a check on it any more (copies are only handed out, under
      // this mutex, of the current engine).
      if ((*it)->in_flight() == 0 && it->use_count() == 1) {
        done.push_back(std::move(*it));
        it = m_retired.erase(it);
      } else {
        ++it;
      }
    }
    // A resolver is destroyed with the last engine that holds it. Count it once: several
    // engines reaped together may share one (a reload that changed only [generic]).
    std::set<const ResolverStack*> still_used;
    if (m_current) still_used.insert(m_current->resolver().get());
    for (const auto& engine : m_retired) still_used.insert(engine->resolver().get());
    std::set<const ResolverStack*> carried;
    for (const auto& engine : done) {
      const auto& stack = engine->resolver();
      if (still_used.contains(stack.get())) continue;
      if (!carried.insert(stack.get()).second) continue;
      for (const auto& [key, count] : stack->counts()) m_destroyed_counts[key] += count;
    }
  }
  done.clear();  // outside the lock: joins resolver threads
}

QueryCounts EngineSet::query_counts() const {
  std::lock_guard lock(m_mutex);
  QueryCounts total = m_destroyed_counts;
  std::set<const ResolverStack*> seen;
  auto add = [&](const std::shared_ptr<Engine>& engine) {
    if (!engine || !seen.insert(engine->resolver().get()).second) return;
    for (const auto& [key, count] : engine->resolver()->counts()) total[key] += count;
  };
  add(m_current);
  for (const auto& engine : m_retired) add(engine);
  return total;
}

void EngineSet::shutdown(std::chrono::milliseconds drain) {
  using namespace std::chrono;
  std::vector<std::shared_ptr<Engine>> engines;
  {
    std::lock_guard lock(m_mutex);
    if (m_shut_down) return;
    m_shut_down = true;
    if (m_current) engines.push_back(m_current);
    for (auto& engine : m_retired) engines.push_back(engine);
  }
  // Steps 2 to 5 of the shutdown in resolver_stack.hpp. Resolvers first, while every Engine
  // (classifier, checker) is still alive: their pending queries complete as cancelled.
  for (auto& engine : engines) engine->close();
  for (auto& engine : engines) engine->release_resolver();
  // A resolver completes its pending queries when destroyed; one still referenced elsewhere
  // (tests) may deliver a little later. Checks in flight use their Engine: wait for them
  // (bounded), and never free an Engine a callback may still reach.
  const auto give_up = steady_clock::now() + drain;
  auto busy = [&] {
    for (auto& engine : engines) {
      if (engine->in_flight() > 0) return true;
    }
    return false;
  };
  while (busy() && steady_clock::now() < give_up) std::this_thread::sleep_for(milliseconds(5));
  if (busy()) {
    spdlog::warn("shutdown: checks still in flight after their resolver was closed; not freeing them");
    static auto* leaked = new std::vector<std::shared_ptr<Engine>>();
    for (auto& engine : engines) leaked->push_back(engine);
  }
  {
    std::lock_guard lock(m_mutex);
    m_current.reset();
    m_retired.clear();
  }
}

}  // namespace rdns::agent
