// The engines of a running agent: the current one, which new checks use, and the retired ones
// that a reload replaced and that still finish their checks in flight. Owns their life cycle:
// retiring, reaping (with the query counts of a destroyed resolver carried over, so
// rdns_dns_queries_total never goes down) and the shutdown drain.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "agent/engine/engine.hpp"
#include "agent/metrics/query_counts.hpp"

namespace rdns::agent {

class EngineSet {
public:
  explicit EngineSet(std::shared_ptr<Engine> first) : m_current(std::move(first)) {}
  ~EngineSet() { shutdown(); }
  EngineSet(const EngineSet&) = delete;
  EngineSet& operator=(const EngineSet&) = delete;

  // The engine new checks use; null after shutdown().
  std::shared_ptr<Engine> current() const;
  // Makes `next` current; the previous one is retired and destroyed by a later reap() once its
  // checks have completed.
  void replace(std::shared_ptr<Engine> next);
  // Destroys retired engines with no check in flight (their resolver threads are joined here,
  // outside the lock). Call now and then.
  void reap();
  std::size_t retired() const;

  // Queries sent by every resolver this set ever had, each counted once even when several
  // engines share it.
  QueryCounts query_counts() const;

  // Closes every resolver (pending queries complete as cancelled while their engines are still
  // alive), waits up to `drain` for checks in flight, and drops the engines. An engine a
  // callback may still reach after that is never freed (it is kept until the process exits).
  void shutdown(std::chrono::milliseconds drain = std::chrono::seconds(2));

private:
  mutable std::mutex m_mutex;  // guards the members below; engines are destroyed outside it
  std::shared_ptr<Engine> m_current;
  std::vector<std::shared_ptr<Engine>> m_retired;
  QueryCounts m_destroyed_counts;  // of resolvers already destroyed
  bool m_shut_down = false;
};

}  // namespace rdns::agent
