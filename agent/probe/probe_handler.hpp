// /probe?target=IP|HOSTNAME: one blackbox-style check, answered with its own small exposition
// (probe_success, probe_duration_seconds and the per-IP families, an `ip` label per address).
//
// - Deadline: X-Prometheus-Scrape-Timeout-Seconds minus --probe.timeout-offset, capped by
//   [schedule] timeout (probe_budget()); every lookup shares it. When it passes, the answer is
//   200 with probe_success 0 and whatever was decided by then, never a late answer that would
//   turn the scrape into up == 0.
// - A host name is looked up (A and AAAA together, within the deadline) and each of its first
//   k_max_probe_host_addresses addresses (sorted, IPv4 first) is checked in parallel.
// - [probe] allow_cidrs applies to addresses: an IP target outside it gets 403 and is never looked
//   up; a host name's addresses outside it are not checked (probe_success 0), and 403 when none
//   is inside.
// - debug=true answers text instead: every lookup, the verdicts with reasons, the exposition.
// - Bounded: at most `max_concurrent` probes at once, the rest get 503.
//
// Thread-safety: handle() from many HTTP worker threads at once; set_policy() and stop() from
// any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>

#include "agent/engine/engine_set.hpp"
#include "agent/http/web_server.hpp"
#include "agent/probe/probe_allow_list.hpp"
#include "agent/probe/probe_outcome.hpp"

namespace rdns::agent {

// The most addresses of one host name that a probe checks.
inline constexpr std::size_t k_max_probe_host_addresses = 16;
inline constexpr std::chrono::milliseconds k_default_probe_timeout_offset{500};

class ProbeHandler {
public:
  ProbeHandler(EngineSet& engines, std::size_t max_concurrent,
               std::chrono::milliseconds timeout_offset = k_default_probe_timeout_offset)
      : m_engines(engines), m_max(max_concurrent), m_offset(timeout_offset) {}

  // From the configuration in force (start and every reload).
  void set_policy(ProbeAllowList allow, std::chrono::milliseconds timeout);
  // Waiting probes return 503 at once, new ones too.
  void stop() { m_stopping = true; }

  ProbeResponse handle(const ProbeRequest& request);

private:
  struct Policy {
    ProbeAllowList allow;
    std::chrono::milliseconds timeout{10000};
  };
  Policy policy() const;
  // Fills outcome.host; false when the probe was cancelled.
  bool lookup_host(Engine& engine, const std::string& name, std::chrono::steady_clock::time_point deadline,
                   std::chrono::steady_clock::time_point give_up, const std::shared_ptr<checks::LookupTrace>& trace,
                   ProbeOutcome& outcome);
  // Checks `addresses` in parallel; false when the probe was cancelled.
  bool check_addresses(Engine& engine, const std::vector<std::string>& addresses,
                       std::chrono::steady_clock::time_point deadline, std::chrono::steady_clock::time_point give_up,
                       const std::shared_ptr<checks::LookupTrace>& trace, ProbeOutcome& outcome);

  EngineSet& m_engines;
  const std::size_t m_max;
  const std::chrono::milliseconds m_offset;
  std::atomic<std::size_t> m_in_flight{0};
  std::atomic<bool> m_stopping{false};
  mutable std::mutex m_mutex;  // guards m_policy
  Policy m_policy;
};

}  // namespace rdns::agent
