// /probe?target=IP: one blackbox-style check of one IP, answered with its own small exposition
// (probe_success, probe_duration_seconds and the per-IP families). Bounded: at most
// `max_concurrent` probes wait at once, the rest get 503; IPs outside [probe] allow_cidrs get
// 403 and are never looked up.
//
// Thread-safety: handle() from many HTTP worker threads at once; set_policy() and stop() from
// any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>

#include "agent/engine_set.hpp"
#include "agent/http/web_server.hpp"
#include "agent/probe_allow_list.hpp"

namespace rdns::agent {

class ProbeHandler {
public:
  ProbeHandler(EngineSet& engines, std::size_t max_concurrent) : m_engines(engines), m_max(max_concurrent) {}

  // From the configuration in force (start and every reload).
  void set_policy(ProbeAllowList allow, std::chrono::milliseconds timeout);
  // Waiting probes return 503 at once, new ones too.
  void stop() { m_stopping = true; }

  ProbeResponse handle(const std::string& target);

private:
  EngineSet& m_engines;
  const std::size_t m_max;
  std::atomic<std::size_t> m_in_flight{0};
  std::atomic<bool> m_stopping{false};
  mutable std::mutex m_mutex;  // guards the policy
  ProbeAllowList m_allow;
  std::chrono::milliseconds m_timeout{10000};
};

}  // namespace rdns::agent
