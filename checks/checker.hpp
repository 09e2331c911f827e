// Runs the check of one IP: PTR -> A/AAAA of every PTR name -> verdicts (+ SOA for remediation).
// Asynchronous, driven by the Resolver's callbacks, so hundreds run at once on one thread.
#pragma once

#include <functional>

#include "checks/check_result.hpp"
#include "checks/generic_hostname.hpp"
#include "checks/resolver.hpp"
#include "checks/verdict.hpp"

namespace rdns::checks::zone {
class ZoneSurveyor;
}

namespace rdns::checks {

// Thread-safety: start() may be called from any thread; `done` runs on the resolver's thread,
// exactly once (for a request whose ip is not an IP address, at once on the caller's thread,
// with ptr_status error). The Resolver and classifier must outlive every check started, until
// its `done` has run (a callback may start further lookups, e.g. the SOA stage, so destroy the
// resolver only once no check is in flight); the Checker itself need not (each check copies
// what it needs).
//
// An exception thrown while a check handles an answer (by the classifier, say) completes that
// check at once with ptr_status error and ptr_detail "internal error while checking: ..." (so
// nobody waits for it for ever), then propagates to the resolver that ran the callback, which
// reports it (UnboundResolver: ResolverSettings::on_callback_exception). An exception thrown by
// `done` itself propagates the same way; `done` is never called twice.
//
// One check: the PTR lookup and, when helo_hostname is set, the HELO name's A/AAAA lookup start
// together; when the PTR answer comes, the first k_max_forward_names PTR names are looked up
// forward in parallel (A for IPv4, AAAA for IPv6). When every lookup is in, evaluate()
// (verdict.hpp) decides; if some check definitively failed and request.want_soa, the SOAs of
// the reverse zone and of the first PTR name's zone are looked up (walking up the tree when the
// resolver gives no authority SOA). All lookups share one deadline: start + request.timeout.
//
// With a ZoneSurveyor (set_zone_surveyor), a definitive PTR answer also starts the survey of the
// reverse zone's servers (in parallel with the forward lookups; CheckResult::ptr_consistency),
// and the reverse zone's SOA for the remediation comes from the surveyor's shared zone cut.
class Checker {
public:
  using Done = std::function<void(CheckResult)>;
  Checker(Resolver& resolver, const GenericClassifier& classifier);
  // For tests and callers with their own classifier; `classify` may be empty (no generic verdict).
  Checker(Resolver& resolver, ClassifyFn classify);
  void start(CheckRequest request, Done done) const;
  // Not owned; must outlive every check started after this call. Call before the first check.
  void set_zone_surveyor(zone::ZoneSurveyor* surveyor) { m_surveyor = surveyor; }

private:
  Resolver& m_resolver;
  ClassifyFn m_classify;
  zone::ZoneSurveyor* m_surveyor = nullptr;
};

// Convenience for the CLI and tests: start and wait. Must not be called on the resolver's
// own thread (it would wait for callbacks that thread can never deliver).
CheckResult run_check(const Checker& checker, CheckRequest request);

}  // namespace rdns::checks
