#include "agent/service/service.hpp"

#include <string_view>
#include <unordered_set>

#include <spdlog/spdlog.h>

#include "agent/build_info.hpp"
#include "agent/logging/logging.hpp"
#include "agent/metrics/process_metrics.hpp"
#include "agent/metrics/self_metrics.hpp"
#include "agent/metrics/zone_families.hpp"
#include "config/load.hpp"

namespace rdns::agent {
namespace {

using namespace std::chrono;

double unix_now() { return duration<double>(system_clock::now().time_since_epoch()).count(); }

bool is_transient(checks::LookupStatus status) {
  return status == checks::LookupStatus::servfail || status == checks::LookupStatus::timeout;
}

// SERVFAIL and timeouts are worth retrying before the next interval; the rest is an answer.
bool retry_sooner(const checks::CheckResult& result) {
  return is_transient(result.ptr_status) || (result.forward_status && is_transient(*result.forward_status));
}

[[nodiscard]] tl::expected<ProbeAllowList, std::string> probe_policy(const config::Config& config) {
  return ProbeAllowList::create(config.probe.allow_cidrs);
}

}  // namespace

std::vector<metrics::TargetRow> exposition_rows(const ResultStore::Snapshot& snapshot) {
  std::vector<metrics::TargetRow> rows;
  rows.reserve(snapshot.rows.size());
  for (const auto& row : snapshot.rows) {
    rows.push_back({row.ip, row.entry ? std::string_view(*row.entry) : std::string_view(row.ip), row.labels.get(),
                    row.record ? &*row.record : nullptr, row.last_change, row.series});
  }
  return rows;
}

Service::Service(ServiceOptions options, std::shared_ptr<Engine> engine, std::shared_ptr<QueryRateLimiter> limiter)
    : m_options(std::move(options)),
      m_engines(std::move(engine)),
      m_limiter(std::move(limiter)),
      m_probe(m_engines, m_options.max_concurrent_probes, m_options.probe_timeout_offset),
      m_scheduler([this](std::uint64_t id, Scheduler::Complete complete) { start_check(id, std::move(complete)); },
                  [this] { return m_limiter->start_delay(); }),
      m_discovery(m_options.discovery_backend, [this] { on_discovered(); }) {}

tl::expected<std::unique_ptr<Service>, std::string> Service::create(config::Config config, ServiceOptions options) {
  auto limiter = std::make_shared<QueryRateLimiter>(config.schedule.max_queries_per_second);
  auto engine = build_engine(config.resolver, config.generic, EngineBuild{options.make_resolver, limiter});
  if (!engine) return tl::make_unexpected(engine.error());
  auto allow = probe_policy(config);
  if (!allow) return tl::make_unexpected(allow.error());
  if (!config.discovery.empty() && !options.discovery_backend) {
    return tl::make_unexpected(std::string("[[targets]] spf_domain / discover: no discovery backend"));
  }

  std::unique_ptr<Service> service(new Service(std::move(options), std::move(*engine), std::move(limiter)));
  service->m_probe.set_policy(std::move(*allow), config.schedule.timeout);
  service->install_targets(config);
  service->m_config = std::move(config);
  service->m_last_reload_success = unix_now();
  return service;
}

void Service::install_targets(config::Config& config) {
  m_timeout = config.schedule.timeout;
  m_interval = config.schedule.interval;
  m_schedule_options = schedule_options_for(config.schedule.interval, config.schedule.concurrency);
  m_discovery.configure({config.discovery, config.resolver, config.schedule.interval, config.schedule.timeout,
                         config.schedule.max_cidr_addresses});
  if (config.discovery.empty()) {
    m_static_targets.clear();
    m_static_targets.shrink_to_fit();
    install(std::move(config.targets));
  } else {
    m_static_targets = std::move(config.targets);
    install(merged_targets());
    if (m_started) m_discovery.start();
  }
  config.targets.clear();
  config.targets.shrink_to_fit();
}

std::vector<config::Target> Service::merged_targets() const {
  std::vector<config::Target> targets = m_static_targets;
  std::unordered_set<std::string_view> static_ips;
  static_ips.reserve(m_static_targets.size());
  for (const auto& target : m_static_targets) static_ips.insert(target.ip);
  for (auto& target : m_discovery.targets()) {
    if (!static_ips.contains(target.ip)) targets.push_back(std::move(target));
  }
  return targets;
}

void Service::install(std::vector<config::Target> targets) {
  retain_owned_targets(targets, m_options.shard);
  const auto ids = m_store.set_targets(targets);
  m_scheduler.set_targets(ids, m_schedule_options);
}

void Service::on_discovered() {
  std::lock_guard reload_lock(m_reload_mutex);
  // After a reload that removed every discovery entry, a late cycle has nothing to add.
  if (m_stopping || !m_discovery.configured()) return;
  install(merged_targets());
}

void Service::start() {
  std::lock_guard reload_lock(m_reload_mutex);
  m_started = true;
  m_scheduler.start();
  if (m_discovery.configured()) m_discovery.start();
}

Service::~Service() {
  shutdown();
  std::unique_lock lock(m_callbacks->mutex);  // waits for callbacks running now
  m_callbacks->open = false;
}

void Service::begin_shutdown() {
  m_stopping = true;
  m_discovery.request_stop();
  m_scheduler.stop();
  m_probe.stop();
}

void Service::shutdown() {
  begin_shutdown();
  m_limiter->close();  // queued queries complete as cancelled while their engines still exist
  m_engines.shutdown();
  m_discovery.stop();  // waits for the source it is asking (its own resolver, at most the timeout)
}

void Service::start_check(std::uint64_t id, Scheduler::Complete complete) {
  auto request = m_store.request_for(id);
  std::shared_ptr<Engine> engine = m_engines.current();
  if (!request || !engine || m_stopping) {
    complete(Scheduler::Outcome::done);
    return;
  }
  request->timeout = m_timeout.load();
  request->zone_max_age = m_interval.load();  // a zone is surveyed once per interval
  engine->start_check(
      std::move(*request), [this, gate = m_callbacks, id, complete = std::move(complete)](checks::CheckResult result) {
        std::shared_lock lock(gate->mutex);
        if (!gate->open) return;  // the service is gone: nothing to record, nobody to tell
        // The scheduler must hear of every check exactly once, or the target is
        // never checked again.
        Scheduler::Outcome outcome = Scheduler::Outcome::transient_failure;
        try {
          on_result(id, result);
          outcome = retry_sooner(result) ? Scheduler::Outcome::transient_failure : Scheduler::Outcome::done;
        } catch (const std::exception& e) {
          log_event(spdlog::level::err, "storing a check result failed; retried later",
                    {{"ip", result.ip}, {"error", e.what()}});
        }
        complete(outcome);
      });
}

void Service::on_result(std::uint64_t id, const checks::CheckResult& result) {
  if (m_stopping) return;
  m_store.record(id, result);
  m_durations.observe(result.duration.count());
  if (had_lookup_failure(result)) m_failure_log.note(result);
  if (result.ptr_status == checks::LookupStatus::bogus) m_anchor_monitor.probe_soon();
}

tl::expected<void, std::string> Service::reload_from_file(const std::string& path) {
  auto loaded = config::load_config_file(path, config::LoadOptions{.require_targets = false});
  if (!loaded) {
    m_last_reload_ok = false;
    spdlog::error("reload failed, keeping the running configuration: {}", loaded.error().to_string());
    return tl::make_unexpected(loaded.error().to_string());
  }
  for (const auto& warning : loaded->warnings) spdlog::warn("{}", warning.to_string());
  auto applied = apply(std::move(loaded->config));
  if (!applied) spdlog::error("reload failed, keeping the running configuration: {}", applied.error());
  return applied;
}

tl::expected<void, std::string> Service::apply(config::Config config) {
  std::lock_guard reload_lock(m_reload_mutex);
  if (m_stopping) return tl::make_unexpected(std::string("shutting down"));
  auto fail = [&](std::string message) {
    m_last_reload_ok = false;
    return tl::make_unexpected(std::move(message));
  };
  const bool resolver_changed = !(config.resolver == m_config.resolver);
  const bool generic_changed = !(config.generic == m_config.generic);
  auto allow = probe_policy(config);
  if (!allow) return fail(allow.error());
  if (!config.discovery.empty() && !m_options.discovery_backend) {
    return fail("[[targets]] spf_domain / discover: no discovery backend");
  }
  std::shared_ptr<Engine> next;
  if (resolver_changed || generic_changed) {
    const auto current = m_engines.current();
    auto built = build_engine(config.resolver, config.generic,
                              EngineBuild{.make_resolver = m_options.make_resolver,
                                          .limiter = m_limiter,
                                          .previous = current.get(),
                                          .reuse_resolver = !resolver_changed,
                                          .reuse_classifier = !generic_changed});
    if (!built) return fail(built.error());
    next = std::move(*built);
  }

  // Nothing can fail from here on.
  if (next) m_engines.replace(std::move(next));
  m_limiter->set_rate(config.schedule.max_queries_per_second);
  m_probe.set_policy(std::move(*allow), config.schedule.timeout);
  install_targets(config);
  m_config = std::move(config);
  m_last_reload_ok = true;
  m_last_reload_success = unix_now();
  log_event(spdlog::level::info, "configuration reloaded",
            {{"targets", std::to_string(m_store.target_count())},
             {"resolver_rebuilt", resolver_changed ? "true" : "false"},
             {"classifier_rebuilt", generic_changed ? "true" : "false"}});
  m_engines.reap();
  return {};
}

void Service::tick() {
  const auto now = steady_clock::now();
  m_engines.reap();
  if (m_stopping) return;
  renew_resolver_if_old(now);
  if (auto engine = m_engines.current()) m_anchor_monitor.tick(now, *engine, m_timeout.load());
}

bool Service::renew_resolver_if_old(steady_clock::time_point now) {
  std::lock_guard reload_lock(m_reload_mutex);
  const auto current = m_engines.current();
  if (m_stopping || !current) return false;
  const auto cap =
      m_config.resolver.max_answer_age > milliseconds::zero() ? m_config.resolver.max_answer_age : m_interval.load();
  if (now - current->resolver()->created() < cap) return false;
  auto built = build_engine(m_config.resolver, m_config.generic,
                            EngineBuild{.make_resolver = m_options.make_resolver,
                                        .limiter = m_limiter,
                                        .previous = current.get(),
                                        .reuse_classifier = true});
  if (!built) {
    // Keeps the old resolver (answers a little older than the cap beat no answers); next tick retries.
    log_event(spdlog::level::warn, "renewing the resolver failed, keeping the current one", {{"error", built.error()}});
    return false;
  }
  m_engines.replace(std::move(*built));
  spdlog::debug("resolver renewed: cached answers dropped (max answer age {}s)", duration_cast<seconds>(cap).count());
  return true;
}

void Service::write_metrics(const metrics::TextSink::Flush& flush) {
  metrics::TextSink sink(flush);
  metrics::SelfMetrics self;
  self.query_counts = m_engines.query_counts();
  if (m_options.discovery_backend) {
    for (const auto& [key, count] : m_options.discovery_backend->query_counts()) self.query_counts[key] += count;
  }
  self.targets = m_store.target_count();
  self.last_reload_ok = m_last_reload_ok;
  self.last_reload_success_unix = m_last_reload_success;
  self.version = k_version;
  self.revision = k_revision;
  self.unbound_version = m_options.unbound_version;
  self.check_durations = &m_durations;
  self.interval_seconds = duration<double>(m_interval.load()).count();
  self.timeout_seconds = duration<double>(m_timeout.load()).count();
  metrics::emit_self_metrics(self, sink);
  m_anchor_monitor.emit_metrics(sink);
  metrics::emit_process_metrics(metrics::read_process_stats(), sink);
  emit_shard_info(m_options.shard, sink);
  metrics::emit_discovery_metrics(m_discovery.stats(), sink);
  {
    const auto snapshot = m_store.snapshot();
    const auto rows = exposition_rows(snapshot);
    metrics::emit_target_families(rows, sink);
    metrics::emit_target_aggregates(rows, sink);
    metrics::emit_zone_families(rows, sink);
  }
  sink.finish();
}

std::string Service::metrics_text() {
  std::string out;
  // ~1.9 kB per target at most in practice; reserving once avoids the copies (and the doubled
  // peak) of a growing string. Pages are only touched as they are written.
  out.reserve(64 * 1024 + m_store.target_count() * 2048);
  write_metrics([&](std::string_view chunk) { out += chunk; });
  return out;
}

}  // namespace rdns::agent
