// Target discovery at run time: every interval, each `[[targets]] spf_domain` / `discover`
// entry is asked again (through a DiscoveryBackend) for the addresses it stands for, and the
// Service is told when the set changed (it merges them with the static targets and installs
// the result through the usual path: store, scheduler). A source that fails keeps its previous
// addresses; its failure is logged once when it starts (or its message changes) and once when
// it recovers, and counted for the metrics.
//
// Thread-safety: every public method may be called from any thread. `publish` is called from
// the runner's thread (or the caller of run_cycle()) without any lock of the runner held, so it
// may call targets() and stats().
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "agent/discovery/discovery_backend.hpp"
#include "agent/metrics/discovery_metrics.hpp"
#include "config/model.hpp"

namespace rdns::agent::discovery {

// Addresses one source may yield at most (the config loader's cap on all targets together).
inline constexpr std::size_t k_max_addresses_per_source = std::size_t{1} << 20;

struct DiscoverySettings {
  std::vector<config::DiscoveryEntry> entries;
  config::ResolverConfig resolver;  // for SPF lookups ([resolver] in force)
  std::chrono::milliseconds interval = std::chrono::minutes(5);
  std::chrono::milliseconds timeout = std::chrono::seconds(10);  // per source and cycle
  std::size_t max_cidr_addresses = 65536;                        // per ip4:/ip6: network
};

class DiscoveryRunner {
public:
  using Publish = std::function<void()>;
  using Clock = std::function<double()>;  // Unix seconds, for the last-success time

  DiscoveryRunner(std::shared_ptr<DiscoveryBackend> backend, Publish publish, Clock clock = nullptr);
  ~DiscoveryRunner();
  DiscoveryRunner(const DiscoveryRunner&) = delete;
  DiscoveryRunner& operator=(const DiscoveryRunner&) = delete;

  // Start and reload. Sources no longer configured are forgotten at once (with their addresses:
  // targets() no longer has them); an entry whose names or labels changed keeps its addresses
  // under the new ones. When a source was added, the running thread starts a cycle at once.
  void configure(DiscoverySettings settings);

  // The thread: a cycle at once, then one every interval. Idempotent.
  void start();
  // Stops the thread: it finishes the source it is asking (at most `timeout`), then returns.
  void request_stop();
  void stop();

  // One cycle on the calling thread: every source, then `publish` when the addresses changed.
  void run_cycle();

  // The discovered targets, in entry order; an address yielded by two sources is kept once, for
  // the first. Each carries the entry's names and labels plus `source`, and `entry` = source.
  std::vector<config::Target> targets() const;

  metrics::DiscoveryStats stats() const;

  // Egress addresses by family ("ipv4" -> "203.0.113.7") for --storage.path: those found, and
  // those an earlier run found that were not discovered again yet.
  std::map<std::string, std::string> egress_addresses() const;
  // What an earlier run found: the first discovery of a family that differs counts as a change
  // (the address is not monitored until it is discovered again).
  void restore_egress(std::map<std::string, std::string> addresses);
  bool configured() const;  // any discovery entry in force

private:
  struct SourceState;
  struct Result;
  Result discover(const config::DiscoveryEntry& entry, const DiscoverySettings& settings);
  bool apply_result(const config::DiscoveryEntry& entry, Result result);  // under m_mutex; true: addresses changed
  void loop();

  std::shared_ptr<DiscoveryBackend> m_backend;
  Publish m_publish;
  Clock m_clock;

  mutable std::mutex m_mutex;  // guards the members below up to m_stop; never held during a backend call
  DiscoverySettings m_settings;
  std::map<std::string, std::unique_ptr<SourceState>> m_sources;  // by source()
  std::map<std::string, std::uint64_t> m_egress_changes;          // by family, since start
  std::map<std::string, std::string> m_restored_egress;           // by family, until found again
  std::mutex m_cycle_mutex;  // one cycle at a time; taken before m_mutex, never inside it

  std::condition_variable m_wake;
  bool m_run_now = false;
  bool m_stop = false;
  std::thread m_thread;
};

}  // namespace rdns::agent::discovery
