// The agent without its process plumbing: targets, scheduler, result store, engines, reload,
// /probe and the /metrics text. app.cpp adds the web server and signals around it; tests drive
// it directly with a fake resolver.
//
// Thread-safety: every public method may be called from any thread (HTTP workers, the signal
// thread, the scheduler). reload()/apply() are serialised internally.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <tl/expected.hpp>

#include "agent/engine.hpp"
#include "agent/http/web_server.hpp"
#include "agent/metrics/exposition_writer.hpp"
#include "agent/probe_allow_list.hpp"
#include "agent/result_store.hpp"
#include "agent/scheduler.hpp"
#include "agent/sharding.hpp"
#include "config/model.hpp"

namespace rdns::agent {

struct ServiceOptions {
  ResolverFactory make_resolver;
  std::string unbound_version;                // rdns_build_info
  std::size_t max_concurrent_probes = 16;     // /probe beyond this: 503
  std::string config_file;                    // what POST /-/reload reads
  std::optional<Shard> shard;                 // --shard: targets of other shards are dropped
};

class Service {
public:
  // Builds the first engine (resolver, classifier) and the target set; does not start checking.
  static tl::expected<std::unique_ptr<Service>, std::string> create(config::Config config, ServiceOptions options);
  ~Service();  // shutdown()

  void start();     // starts the scheduler
  // Stops scheduling and makes waiting probes return (call before stopping the web server).
  void begin_shutdown();
  // begin_shutdown(), then cancels in-flight checks (their results are discarded).
  void shutdown();

  // SIGHUP / POST /-/reload: load `path`; on any error keep everything as it is, set
  // rdns_config_last_reload_successful 0 and return the message.
  tl::expected<void, std::string> reload_from_file(const std::string& path);
  // The part of a reload after parsing (also for tests).
  tl::expected<void, std::string> apply(config::Config config);

  // /metrics: the whole exposition. `flush` receives chunks (see TextSink); without it the text
  // is returned.
  std::string metrics_text();
  void write_metrics(const metrics::TextSink::Flush& flush);

  ProbeResponse probe(const std::string& target);
  bool ready() const;
  std::vector<TargetStatus> status() const;
  WebHandlers handlers();

  // Destroys retired engines whose checks have all completed. Call now and then (app: every second).
  void reap_retired();

  Scheduler::Stats scheduler_stats() const;
  std::size_t retired_engines() const;

private:
  explicit Service(ServiceOptions options);
  std::shared_ptr<Engine> current_engine() const;
  void start_check(std::uint64_t id, Scheduler::Complete complete);
  void on_result(std::uint64_t id, const checks::CheckResult& result, const Scheduler::Complete& complete);
  void note_failure(const checks::CheckResult& result);
  std::vector<prometheus::MetricFamily> self_families();
  QueryCounts total_query_counts() const;

  ServiceOptions m_options;
  ResultStore m_store;
  std::unique_ptr<Scheduler> m_scheduler;

  mutable std::mutex m_engine_mutex;  // guards the engine pointers, the config and retired counts
  std::shared_ptr<Engine> m_engine;
  std::vector<std::shared_ptr<Engine>> m_retired;
  QueryCounts m_retired_counts;  // of resolvers already destroyed (rdns_dns_queries_total stays monotonic)
  config::Config m_config;       // targets moved into the store, so empty here
  std::chrono::milliseconds m_timeout{10000};
  ProbeAllowList m_probe_allow;  // guarded by m_engine_mutex, replaced on reload

  std::mutex m_reload_mutex;  // one reload at a time
  std::atomic<bool> m_last_reload_ok{true};
  std::atomic<double> m_last_reload_success{0};
  std::atomic<bool> m_stopping{false};
  std::atomic<bool> m_shut_down{false};
  std::atomic<std::size_t> m_probes{0};

  prometheus::Registry m_registry;  // self metrics that prometheus-cpp keeps for us
  prometheus::Histogram* m_duration = nullptr;

  // Resolver trouble is logged as a summary at most once a minute, not per IP.
  std::mutex m_failure_mutex;
  std::chrono::steady_clock::time_point m_failure_window_start = std::chrono::steady_clock::now();
  std::uint64_t m_failures_in_window = 0;
  std::string m_failure_example;
};

}  // namespace rdns::agent
