// Whether the resolver's DNSSEC anchors still validate the root: one query for the root's
// DNSKEY set now and then, through the current engine. When they do not (a stale anchor after
// a root KSK roll, a clock far off), every answer is bogus: that is one resolver problem,
// reported once (rdns_resolver_trust_anchor_valid, the status page, one log line naming the
// anchors), never a DNSSEC finding about each IP's zone.
//
// Thread-safety: every method from any thread. The probe's callback runs on the resolver's
// thread and only touches the shared state (it may outlive the monitor).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "agent/engine/engine.hpp"
#include "agent/metrics/exposition_writer.hpp"
#include "checks/trust_anchor.hpp"

namespace rdns::agent {

class TrustAnchorMonitor {
public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::seconds k_probe_interval{60};

  struct Status {
    checks::TrustAnchorInfo anchors;  // of the current engine's resolver
    std::optional<bool> valid;        // unknown until a probe says secure or bogus
    std::string detail;               // why the last probe was bogus
  };

  TrustAnchorMonitor();
  // Probes when due: at once for a new resolver (start, reload, renewal), then every
  // k_probe_interval. Nothing with DNSSEC off or without a root anchor.
  void tick(Clock::time_point now, Engine& engine, std::chrono::milliseconds timeout);
  // A check got a bogus answer: probe at the next tick (at most every k_min_probe_gap), so
  // anchors that stopped validating are known within seconds, not at the next regular probe.
  void probe_soon();
  static constexpr std::chrono::seconds k_min_probe_gap{5};
  Status status() const;
  // rdns_resolver_trust_anchor_info and rdns_resolver_trust_anchor_valid.
  void emit_metrics(metrics::SampleSink& sink) const;

  struct State;

private:
  std::shared_ptr<State> m_state;
};

}  // namespace rdns::agent
