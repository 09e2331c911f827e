// What runs checks: a resolver stack (resolver_stack.hpp), the generic-name classifier, and a
// Checker over both. A reload that changes [resolver] or [generic] builds a new Engine; the
// old one is retired and destroyed once its in-flight checks have completed, so a reload never
// turns running checks into spurious timeouts. The shutdown order is in resolver_stack.hpp.
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

#include "agent/engine/query_rate_limiter.hpp"
#include "agent/engine/resolver_stack.hpp"
#include "checks/checker.hpp"
#include "checks/generic_hostname.hpp"
#include "checks/resolver.hpp"
#include "checks/trust_anchor.hpp"
#include "checks/zone/server_querier.hpp"
#include "checks/zone/zone_surveyor.hpp"
#include "checks/tracing_resolver.hpp"
#include "config/model.hpp"

namespace rdns::agent {

// [resolver] zone_servers / zone_server_port.
struct ZoneServerOptions {
  bool enabled = false;
  std::uint16_t port = 53;
};

class Engine {
public:
  // Every query of this engine goes through `resolver` (its rate limit included; the direct
  // questions to the reverse zones' servers are not resolver queries: they go around it, a few
  // per zone).
  Engine(std::shared_ptr<ResolverStack> resolver, std::shared_ptr<const checks::GenericClassifier> classifier,
         ZoneServerOptions zone_servers = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Shutdown steps 2 and 3 of resolver_stack.hpp: close() (no new queries), then
  // release_resolver() (pending queries complete as cancelled while the classifier and checker
  // are still alive).
  void close() { m_resolver->close(); }
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
  const std::shared_ptr<ResolverStack>& resolver() const { return m_resolver; }
  const std::shared_ptr<const checks::GenericClassifier>& classifier() const { return m_classifier; }

private:
  // Decrements m_in_flight when destroyed: last, after which the Engine may be destroyed.
  struct Settle {
    std::atomic<int>& in_flight;
    ~Settle() { --in_flight; }
  };

  std::shared_ptr<ResolverStack> m_resolver;  // never null
  std::shared_ptr<const checks::GenericClassifier> m_classifier;
  // Declared before the querier: the querier's destruction completes its open questions,
  // whose callbacks still use the surveyor.
  std::unique_ptr<checks::zone::ZoneSurveyor> m_surveyor;
  std::unique_ptr<checks::zone::ServerQuerier> m_querier;
  checks::Checker m_checker;
  std::atomic<int> m_in_flight{0};
};

// How build_engine() gets its parts. `previous` (may be null) lends its resolver stack when
// `reuse_resolver` and its classifier when `reuse_classifier`, so a reload that changed only one
// of [resolver] and [generic] keeps the other (and a resolver's cache and counters).
struct EngineBuild {
  ResolverFactory make_resolver;
  std::shared_ptr<QueryRateLimiter> limiter;  // for a new stack; null: no rate limit
  const Engine* previous = nullptr;
  bool reuse_resolver = false;
  bool reuse_classifier = false;
};

// An engine for `resolver` and `generic`. Errors name the section.
[[nodiscard]] tl::expected<std::shared_ptr<Engine>, std::string> build_engine(const config::ResolverConfig& resolver,
                                                                            const config::GenericConfig& generic,
                                                                            const EngineBuild& build);

}  // namespace rdns::agent
