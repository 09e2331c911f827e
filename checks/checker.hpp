// Runs the check of one IP: PTR -> A/AAAA of every PTR name -> verdicts (+ SOA for remediation).
// Asynchronous, driven by the Resolver's callbacks, so hundreds run at once on one thread.
#pragma once

#include <functional>

#include "checks/check_result.hpp"
#include "checks/generic_hostname.hpp"
#include "checks/resolver.hpp"

namespace rdns::checks {

// Thread-safety: start() may be called from any thread; `done` runs on the resolver's thread,
// exactly once. The Resolver and classifier must outlive every check started.
class Checker {
public:
  using Done = std::function<void(CheckResult)>;
  Checker(Resolver& resolver, const GenericClassifier& classifier);
  void start(CheckRequest request, Done done) const;

private:
  Resolver& m_resolver;
  const GenericClassifier& m_classifier;
};

// Convenience for the CLI and tests: start and wait.
CheckResult run_check(const Checker& checker, CheckRequest request);

}  // namespace rdns::checks
