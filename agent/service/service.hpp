// The agent without its process plumbing: the targets and their results, the engines that
// check them, the scheduler, reload, and the /metrics exposition. app.cpp adds the web server
// and signals around it (web_handlers.cpp maps routes onto this); tests drive it directly with
// a fake resolver.
//
// Thread-safety: every public method may be called from any thread (HTTP workers, the main
// thread, the scheduler). Reloads are serialised internally.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "agent/discovery/discovery_runner.hpp"
#include "agent/engine/engine_set.hpp"
#include "agent/service/lookup_failure_log.hpp"
#include "agent/metrics/duration_histogram.hpp"
#include "agent/metrics/exposition_writer.hpp"
#include "agent/metrics/target_families.hpp"
#include "agent/probe/probe_handler.hpp"
#include "agent/engine/query_rate_limiter.hpp"
#include "agent/store/result_store.hpp"
#include "agent/schedule/scheduler.hpp"
#include "agent/schedule/sharding.hpp"
#include "agent/service/trust_anchor_monitor.hpp"
#include "config/model.hpp"

namespace rdns::agent {

// The store's rows as the exposition reads them (views into `snapshot`, which must outlive them).
std::vector<metrics::TargetRow> exposition_rows(const ResultStore::Snapshot& snapshot);

struct ServiceOptions {
  ResolverFactory make_resolver;
  std::string unbound_version;             // rdns_build_info
  std::size_t max_concurrent_probes = 16;  // /probe beyond this: 503
  // --probe.timeout-offset: taken off X-Prometheus-Scrape-Timeout-Seconds for /probe's deadline.
  std::chrono::milliseconds probe_timeout_offset = k_default_probe_timeout_offset;
  std::optional<Shard> shard;  // --shard: targets of other shards are dropped
  // Asks the DNS for discovered targets (app: discovery::make_resolver_backend; tests: fakes).
  // Null: a config with spf_domain / discover entries is refused.
  std::shared_ptr<discovery::DiscoveryBackend> discovery_backend;
};

class Service {
public:
  // Builds the first engine (resolver, classifier) and the target set; does not start checking.
  [[nodiscard]] static tl::expected<std::unique_ptr<Service>, std::string> create(config::Config config,
                                                                                  ServiceOptions options);
  ~Service();

  void start();
  // Stops scheduling and makes waiting probes return (call before stopping the web server).
  void begin_shutdown();
  // begin_shutdown(), then cancels in-flight checks (their results are discarded).
  void shutdown();

  // SIGHUP / POST /-/reload: load `path`; on any error keep everything as it is, set
  // rdns_config_last_reload_successful 0 and return the message.
  [[nodiscard]] tl::expected<void, std::string> reload_from_file(const std::string& path);
  // The part of a reload after parsing (also for tests).
  [[nodiscard]] tl::expected<void, std::string> apply(config::Config config);

  // /metrics: the whole exposition, in chunks through `flush` (see TextSink), or as one text.
  void write_metrics(const metrics::TextSink::Flush& flush);
  std::string metrics_text();

  ProbeResponse probe(const ProbeRequest& request) { return m_probe.handle(request); }
  ProbeResponse probe(const std::string& target) { return m_probe.handle(ProbeRequest{target, false, std::nullopt}); }
  bool ready() const { return m_store.first_cycle_done(); }
  ResultStore::Snapshot snapshot() const { return m_store.snapshot(); }
  // The store itself, read-only (the status page visits it in place: ResultStore::pick_rows).
  const ResultStore& store() const { return m_store; }
  // --storage.path: results of an earlier run, served until their targets are checked again.
  std::size_t restore(std::vector<PersistedTarget> targets) { return m_store.restore(std::move(targets)); }
  std::uint64_t store_generation() const { return m_store.generation(); }

  // Destroys retired engines whose checks have all completed. Call now and then (app: every second).
  void reap_retired() { m_engines.reap(); }
  // Once a second (app's main loop): reap_retired(), renew_resolver_if_old(), and the trust-anchor probe.
  void tick();
  // A fresh resolver (empty cache) once the current one is older than the answer age cap
  // ([resolver] max_answer_age, default the interval), so no answer reported is older than the
  // cap. Returns whether it renewed. Also for tests, with an injected `now`.
  bool renew_resolver_if_old(std::chrono::steady_clock::time_point now);
  std::shared_ptr<Engine> current_engine() const { return m_engines.current(); }
  // Whether the DNSSEC anchors validate the root (status page; metrics in write_metrics).
  TrustAnchorMonitor::Status trust_anchor_status() const { return m_anchor_monitor.status(); }
  Scheduler::Stats scheduler_stats() const { return m_scheduler.stats(); }
  std::size_t retired_engines() const { return m_engines.retired(); }
  // Runs every discovery source once on the calling thread (tests; the runner's thread does it
  // every interval once started).
  void run_discovery_cycle() { m_discovery.run_cycle(); }
  // --storage.path: the egress addresses found, and those of an earlier run (see DiscoveryRunner).
  std::map<std::string, std::string> egress_addresses() const { return m_discovery.egress_addresses(); }
  void restore_egress(std::map<std::string, std::string> addresses) {
    m_discovery.restore_egress(std::move(addresses));
  }

private:
  Service(ServiceOptions options, std::shared_ptr<Engine> engine, std::shared_ptr<QueryRateLimiter> limiter);
  void install_targets(config::Config& config);  // moves the targets out of `config`
  // Static targets plus the discovered ones whose IP no static target has (static wins).
  std::vector<config::Target> merged_targets() const;
  void install(std::vector<config::Target> targets);  // shard, store, scheduler
  void on_discovered();                               // the runner found a different address set
  void start_check(std::uint64_t id, Scheduler::Complete complete);
  void on_result(std::uint64_t id, const checks::CheckResult& result);  // may throw (allocation)

  const ServiceOptions m_options;
  ResultStore m_store;
  EngineSet m_engines;
  std::shared_ptr<QueryRateLimiter> m_limiter;  // [schedule] max_queries_per_second, for every engine
  ProbeHandler m_probe;
  metrics::DurationHistogram m_durations;
  LookupFailureLog m_failure_log;
  TrustAnchorMonitor m_anchor_monitor;
  Scheduler m_scheduler;  // its thread calls into everything above
  // Its thread calls on_discovered(), which takes m_reload_mutex; stopped in shutdown().
  discovery::DiscoveryRunner m_discovery;

  // A check's completion may arrive after the Service is gone: at shutdown, an engine whose
  // resolver does not answer in time is kept (never freed) with its callbacks. They hold this
  // gate and do nothing once the destructor closed it.
  struct CallbackGate {
    std::shared_mutex mutex;  // guards `open`: shared by each running callback, exclusive to close
    bool open = true;
  };
  std::shared_ptr<CallbackGate> m_callbacks = std::make_shared<CallbackGate>();

  std::mutex m_reload_mutex;  // one reload at a time; guards m_config
  config::Config m_config;    // in force, without its targets (they live in the store)
  // The static targets in force, kept only while discovery entries are configured (for the
  // merge with each new discovered set); empty otherwise.
  std::vector<config::Target> m_static_targets;
  ScheduleOptions m_schedule_options;
  bool m_started = false;
  std::atomic<std::chrono::milliseconds> m_timeout{std::chrono::seconds(10)};
  std::atomic<std::chrono::milliseconds> m_interval{std::chrono::minutes(5)};
  std::atomic<bool> m_last_reload_ok{true};
  std::atomic<double> m_last_reload_success{0};
  std::atomic<bool> m_stopping{false};
};

}  // namespace rdns::agent
