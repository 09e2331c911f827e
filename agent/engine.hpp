// What runs checks: a resolver (with its query counters), the generic-name classifier, and a
// Checker over both. A reload that changes [resolver] or [generic] builds a new Engine; the
// old one is retired and destroyed once its in-flight checks have completed, so a reload never
// turns running checks into spurious timeouts.
//
// Thread-safety: start_check() from any thread; in_flight() from any thread. Destroy it on a
// thread that is not the resolver's own (its destructor joins the resolver's thread).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <utility>

#include <tl/expected.hpp>

#include "agent/query_counts.hpp"
#include "agent/query_rate_limiter.hpp"
#include "checks/checker.hpp"
#include "checks/generic_hostname.hpp"
#include "checks/resolver.hpp"
#include "checks/trust_anchor.hpp"
#include "checks/zone/server_querier.hpp"
#include "checks/zone/zone_surveyor.hpp"
#include "checks/tracing_resolver.hpp"
#include "config/model.hpp"

namespace rdns::agent {

// A resolver and how to read its counters. Destroying it cancels its pending queries (their
// callbacks run, as the Resolver contract says).
struct ResolverBundle {
  std::shared_ptr<checks::Resolver> resolver;  // held only here: dropping it destroys the resolver
  std::function<QueryCounts()> counts;         // may be empty; must not keep the resolver alive (weak)
  std::string description;                     // for the log: "recursive, unbound.conf=..."
  checks::TrustAnchorInfo trust_anchors;       // the DNSSEC anchors the resolver was created with
  std::chrono::steady_clock::time_point created = std::chrono::steady_clock::now();
};

using ResolverFactory =
    std::function<tl::expected<std::shared_ptr<ResolverBundle>, std::string>(const config::ResolverConfig&)>;

// Closes the door on new queries before a resolver is destroyed: after close(), resolve()
// completes at once (on the caller's thread) with LookupStatus::error, so a check that wants a
// follow-up query while the resolver shuts down never touches a dying resolver.
// Thread-safety: resolve() from any thread, close() from any thread (once, before destroying
// the inner resolver).
class GatedResolver final : public checks::Resolver {
public:
  explicit GatedResolver(checks::Resolver* inner) : m_inner(inner) {}
  void resolve(std::string name, checks::RrType type, Deadline deadline, Callback done) override;
  void close();

private:
  checks::Resolver* m_inner;
  std::shared_mutex m_mutex;  // guards m_closed: shared while a query enters, exclusive to close
  bool m_closed = false;
};

// [resolver] zone_servers / zone_server_port.
struct ZoneServerOptions {
  bool enabled = false;
  std::uint16_t port = 53;
};

class Engine {
public:
  // `limiter` (may be null) paces every query of this engine (the direct questions to the
  // reverse zones' servers are not resolver queries: they go around it, a few per zone).
  Engine(std::shared_ptr<ResolverBundle> resolver, std::shared_ptr<const checks::GenericClassifier> classifier,
         std::shared_ptr<QueryRateLimiter> limiter = nullptr, ZoneServerOptions zone_servers = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Shutdown only, in this order for every engine: close() (no new queries), then
  // release_resolver() (destroys it when last; pending queries complete as cancelled while the
  // classifier and checker are still alive).
  void close() { m_gate.close(); }
  void release_resolver();
  // Runs one check; `done` runs exactly once (usually on the resolver's thread).
  void start_check(checks::CheckRequest request, checks::Checker::Done done);
  // One query outside any check (the trust-anchor probe), through the same rate limit and gate;
  // counted in in_flight(), so a retired engine outlives it. `done` runs exactly once.
  void resolve(std::string name, checks::RrType type, checks::Resolver::Deadline deadline,
               checks::Resolver::Callback done);
  // The same, with every query of the check written to `trace` (/probe?debug=true).
  void start_traced_check(checks::CheckRequest request, std::shared_ptr<checks::LookupTrace> trace,
                          checks::Checker::Done done);
  // One lookup through this engine's resolver (rate limit and shutdown gate included), counted
  // as in flight like a check: /probe's A/AAAA of a host-name target. `trace` may be null.
  void resolve(std::string name, checks::RrType type, checks::Resolver::Deadline deadline,
               std::shared_ptr<checks::LookupTrace> trace, checks::Resolver::Callback done);
  int in_flight() const { return m_in_flight.load(); }
  const std::shared_ptr<ResolverBundle>& resolver() const { return m_resolver; }
  const std::shared_ptr<const checks::GenericClassifier>& classifier() const { return m_classifier; }

private:
  // Decrements m_in_flight when destroyed: last, after which the Engine may be destroyed.
  struct Settle {
    std::atomic<int>& in_flight;
    ~Settle() { --in_flight; }
  };

  std::shared_ptr<ResolverBundle> m_resolver;
  std::shared_ptr<const checks::GenericClassifier> m_classifier;
  RateLimitedResolver m_limited;
  GatedResolver m_gate;
  // Declared before the querier: the querier's destruction completes its open questions,
  // whose callbacks still use the surveyor.
  std::unique_ptr<checks::zone::ZoneSurveyor> m_surveyor;
  std::unique_ptr<checks::zone::ServerQuerier> m_querier;
  checks::Checker m_checker;
  std::atomic<int> m_in_flight{0};
};

// An engine for `resolver` and `generic`. `previous` (may be null) lends its resolver when
// `reuse_resolver` and its classifier when `reuse_classifier`, so a reload that changed only one
// of them keeps the other (and a resolver's cache and counters). Errors name the section.
[[nodiscard]] tl::expected<std::shared_ptr<Engine>, std::string> build_engine(
    const config::ResolverConfig& resolver, const config::GenericConfig& generic, const ResolverFactory& make_resolver,
    const Engine* previous, bool reuse_resolver, bool reuse_classifier,
    std::shared_ptr<QueryRateLimiter> limiter = nullptr);

}  // namespace rdns::agent
