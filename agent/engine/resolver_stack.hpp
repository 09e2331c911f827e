// The resolver stack: every layer a query of the agent passes on its way down to libunbound, in
// one object with one shutdown sequence. This header is where the shutdown protocol is written.
//
//   check, /probe, trust-anchor probe
//     -> gate          (shut by close(): a query then completes at once as LookupStatus::error)
//     -> rate limit    ([schedule] max_queries_per_second; one QueryRateLimiter per agent)
//     -> counting      (rdns_dns_queries_total{type,result})
//     -> base resolver (an UnboundResolver, or a ShardedResolver over [resolver] contexts of them)
//
// make_resolver_stack() (resolver_factory.hpp) builds the production stack; tests build one over
// a scripted base resolver with the same constructor, so every layer above the base is the code
// that runs in production.
//
// Shutdown of a running agent, in this order (Service::shutdown, then EngineSet::shutdown for
// every engine):
//   1. QueryRateLimiter::close(): queries waiting for a token complete as cancelled, while every
//      engine, classifier and checker is still alive.
//   2. close() on every stack: the gate shuts, so a check that wants a follow-up query while the
//      resolver goes away gets an error at once and never touches a dying resolver.
//   3. release() on every stack: the base resolver is destroyed; its pending queries complete as
//      cancelled (their callbacks run, the checks above them finish) and its threads are joined.
//   4. drain: EngineSet waits (bounded) until no check is in flight in any engine. An engine a
//      late callback could still reach is kept until the process exits rather than freed.
//   5. destroy: the engines, and with the last one each stack, are dropped.
// Service's own callback gate (service.hpp) then ignores any completion that arrives after the
// Service is gone.
//
// A reload keeps a stack when [resolver] did not change (its cache and counters stay); a
// replaced stack is destroyed by EngineSet::reap() once its engines have no check in flight.
//
// Thread-safety: resolve(), close() and counts() from any thread. release() and the destructor
// on a thread that is not the base resolver's own (destroying it joins that thread).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <shared_mutex>
#include <string>

#include <tl/expected.hpp>

#include "agent/engine/query_rate_limiter.hpp"
#include "agent/metrics/query_counts.hpp"
#include "checks/counting_resolver.hpp"
#include "checks/resolver.hpp"
#include "checks/trust_anchor.hpp"
#include "config/model.hpp"

namespace rdns::agent {

// What a stack is built with besides its base resolver.
struct ResolverStackOptions {
  std::shared_ptr<QueryRateLimiter> limiter;  // null: no rate limit
  std::string description;                    // for the log: "recursive contexts=2 ..."
  checks::TrustAnchorInfo trust_anchors;      // the DNSSEC anchors the base was created with
};

class ResolverStack final : public checks::Resolver {
public:
  // `base` is held here only in production; a test may keep its own reference to a scripted
  // base, which then outlives release() and may deliver a little later.
  ResolverStack(std::shared_ptr<checks::Resolver> base, ResolverStackOptions options);
  ~ResolverStack() override { release(); }
  ResolverStack(const ResolverStack&) = delete;
  ResolverStack& operator=(const ResolverStack&) = delete;

  // A query through every layer; `done` runs exactly once (after close(): at once, as an error).
  void resolve(std::string name, checks::RrType type, Deadline deadline, Callback done) override;

  // Shutdown step 2: no new query reaches the layers below. Idempotent.
  void close();
  // Shutdown step 3: destroys the base resolver (pending queries complete as cancelled). Closes
  // first when that was not done. Idempotent.
  void release();

  // Queries answered so far, by (type, result); kept after release().
  QueryCounts counts() const;
  const std::string& description() const { return m_options.description; }
  const checks::TrustAnchorInfo& trust_anchors() const { return m_options.trust_anchors; }
  std::chrono::steady_clock::time_point created() const { return m_created; }

private:
  ResolverStackOptions m_options;
  std::chrono::steady_clock::time_point m_created = std::chrono::steady_clock::now();
  // Owned here (and by nothing else), so release() is what destroys the base and the counter.
  std::shared_ptr<checks::CountingResolver> m_counting;
  // Holds the counter by pointer: a query the limiter queued must have been sent or cancelled
  // (shutdown step 1, or no check in flight on a reload) before release().
  RateLimitedResolver m_limited;
  // Guards m_counting being set, m_closed and m_released_counts: shared while a query enters.
  mutable std::shared_mutex m_mutex;
  bool m_closed = false;
  QueryCounts m_released_counts;  // the counter's last figures, once the base is gone
};

// Makes the stack for a [resolver] section, its rate limit from `limiter` (may be null). The
// agent's is make_resolver_stack() (resolver_factory.hpp); tests give one over a scripted base.
using ResolverFactory = std::function<tl::expected<std::shared_ptr<ResolverStack>, std::string>(
    const config::ResolverConfig&, std::shared_ptr<QueryRateLimiter>)>;

}  // namespace rdns::agent
