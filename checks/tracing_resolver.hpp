// A Resolver decorator that writes down every lookup and its answer, for explaining one check
// afterwards (/probe?debug=true). The trace is shared: the decorator may go away before the
// last answer comes, and the reader may look at it while lookups are still running.
//
// Thread-safety: resolve() from any thread; the trace's add() and lookups() from any thread.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "checks/resolver.hpp"

namespace rdns::checks {

struct TracedLookup {
  std::string name;  // as asked, absolute with the trailing dot
  RrType type = RrType::A;
  std::chrono::duration<double> sent_after{0};        // since the trace began
  std::optional<std::chrono::duration<double>> took;  // nullopt while unanswered
  DnsAnswer answer;                                   // meaningful once `took` is set
};

class LookupTrace {
public:
  LookupTrace() : m_origin(std::chrono::steady_clock::now()) {}
  // Returns the index of the new entry, for answered().
  std::size_t sent(std::string name, RrType type);
  void answered(std::size_t index, DnsAnswer answer);
  // Every lookup so far, in the order sent (unanswered ones have no `took`).
  std::vector<TracedLookup> lookups() const;

private:
  const std::chrono::steady_clock::time_point m_origin;
  mutable std::mutex m_mutex;
  std::vector<TracedLookup> m_lookups;
};

class TracingResolver final : public Resolver {
public:
  TracingResolver(Resolver& inner, std::shared_ptr<LookupTrace> trace) : m_inner(inner), m_trace(std::move(trace)) {}
  void resolve(std::string name, RrType type, Deadline deadline, Callback done) override;

private:
  Resolver& m_inner;
  const std::shared_ptr<LookupTrace> m_trace;
};

}  // namespace rdns::checks
