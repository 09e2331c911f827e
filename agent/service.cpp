#include "agent/service.hpp"

#include <condition_variable>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include <prometheus/text_serializer.h>
#include <spdlog/spdlog.h>

#include "agent/build_info.hpp"
#include "agent/metrics/process_metrics.hpp"
#include "agent/metrics/target_families.hpp"
#include "checks/reverse_name.hpp"
#include "config/ip_network.hpp"
#include "config/load.hpp"

namespace rdns::agent {
namespace {

using namespace std::chrono;

double unix_now() { return duration<double>(system_clock::now().time_since_epoch()).count(); }

bool is_transient(checks::LookupStatus status) {
  return status == checks::LookupStatus::servfail || status == checks::LookupStatus::timeout;
}

bool retry_sooner(const checks::CheckResult& result) {
  return is_transient(result.ptr_status) || (result.forward_status && is_transient(*result.forward_status));
}

bool had_resolver_problem(const checks::CheckResult& result) {
  return !checks::is_definitive(result.ptr_status) ||
         (result.forward_status && !checks::is_definitive(*result.forward_status));
}

constexpr std::string_view k_exposition_type = "text/plain; version=0.0.4; charset=utf-8";

std::string serialize(const std::vector<prometheus::MetricFamily>& families) {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

}  // namespace

Service::Service(ServiceOptions options) : m_options(std::move(options)) {
  m_duration = &prometheus::BuildHistogram()
                    .Name("rdns_check_duration_seconds")
                    .Help("Time one check of one IP took, all its lookups included (scheduled checks).")
                    .Register(m_registry)
                    .Add({}, prometheus::Histogram::BucketBoundaries{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
                                                                     2.5, 5, 10, 30});
  m_scheduler = std::make_unique<Scheduler>(
      [this](std::uint64_t id, Scheduler::Complete complete) { start_check(id, std::move(complete)); });
}

tl::expected<std::unique_ptr<Service>, std::string> Service::create(config::Config config, ServiceOptions options) {
  if (!options.make_resolver) return tl::make_unexpected(std::string("no resolver factory"));
  std::unique_ptr<Service> service(new Service(std::move(options)));

  auto bundle = service->m_options.make_resolver(config.resolver);
  if (!bundle) return tl::make_unexpected("resolver: " + bundle.error());
  auto classifier = checks::GenericClassifier::create(config.generic.extra_patterns, config.generic.allow_patterns);
  if (!classifier) return tl::make_unexpected("generic: " + classifier.error());
  auto allow = ProbeAllowList::create(config.probe.allow_cidrs);
  if (!allow) return tl::make_unexpected(allow.error());
  service->m_probe_allow = std::move(*allow);
  service->m_engine = std::make_shared<Engine>(
      std::move(*bundle), std::make_shared<const checks::GenericClassifier>(std::move(*classifier)));

  retain_owned_targets(config.targets, service->m_options.shard);
  const auto ids = service->m_store.set_targets(config.targets);
  service->m_scheduler->set_targets(ids, schedule_options_for(config.schedule.interval, config.schedule.concurrency));
  service->m_timeout = config.schedule.timeout;
  config.targets.clear();
  config.targets.shrink_to_fit();
  service->m_config = std::move(config);
  service->m_last_reload_success = unix_now();
  return service;
}

Service::~Service() { shutdown(); }

void Service::start() { m_scheduler->start(); }

void Service::begin_shutdown() {
  m_stopping = true;
  m_scheduler->stop();
}

void Service::shutdown() {
  begin_shutdown();
  if (m_shut_down.exchange(true)) return;
  std::vector<std::shared_ptr<Engine>> engines;
  {
    std::lock_guard lock(m_engine_mutex);
    if (m_engine) engines.push_back(m_engine);
    for (auto& engine : m_retired) engines.push_back(engine);
  }
  // Resolvers first, while every Engine (classifier, checker) is still alive: their pending
  // queries complete as cancelled and the results are dropped (m_stopping).
  for (auto& engine : engines) engine->close();
  for (auto& engine : engines) engine->release_resolver();
  // A resolver completes its pending queries when destroyed; one still referenced elsewhere
  // (tests) may deliver a little later. Checks in flight use their Engine: wait for them
  // (bounded), and never free an Engine a callback may still reach.
  const auto give_up = steady_clock::now() + seconds(2);
  auto busy = [&] {
    for (auto& engine : engines) {
      if (engine->in_flight() > 0) return true;
    }
    return false;
  };
  while (busy() && steady_clock::now() < give_up) std::this_thread::sleep_for(milliseconds(5));
  if (busy()) {
    spdlog::warn("shutdown: checks still in flight after their resolver was closed; not freeing them");
    static auto* leaked = new std::vector<std::shared_ptr<Engine>>();
    for (auto& engine : engines) leaked->push_back(engine);
  }
  {
    std::lock_guard lock(m_engine_mutex);
    m_engine.reset();
    m_retired.clear();
  }
  engines.clear();
}

std::shared_ptr<Engine> Service::current_engine() const {
  std::lock_guard lock(m_engine_mutex);
  return m_engine;
}

void Service::start_check(std::uint64_t id, Scheduler::Complete complete) {
  auto request = m_store.request_for(id);
  std::shared_ptr<Engine> engine;
  {
    std::lock_guard lock(m_engine_mutex);
    engine = m_engine;
    if (request) request->timeout = m_timeout;
  }
  if (!request || !engine || m_stopping) {
    complete(Scheduler::Outcome::done);
    return;
  }
  engine->start_check(std::move(*request),
                      [this, id, complete = std::move(complete)](checks::CheckResult result) {
                        on_result(id, result, complete);
                      });
}

void Service::on_result(std::uint64_t id, const checks::CheckResult& result, const Scheduler::Complete& complete) {
  if (!m_stopping) {
    m_store.record(id, result);
    m_duration->Observe(result.duration.count());
    if (had_resolver_problem(result)) note_failure(result);
  }
  complete(retry_sooner(result) ? Scheduler::Outcome::transient_failure : Scheduler::Outcome::done);
}

void Service::note_failure(const checks::CheckResult& result) {
  spdlog::debug("lookup failed: ip={} ptr={}{}{}", result.ip, checks::to_string(result.ptr_status),
                result.forward_status ? " forward=" + std::string(checks::to_string(*result.forward_status)) : "",
                result.ptr_detail.empty() ? "" : " detail=" + result.ptr_detail);
  std::lock_guard lock(m_failure_mutex);
  ++m_failures_in_window;
  if (m_failure_example.empty()) {
    m_failure_example = "ip=" + result.ip + " ptr=" + std::string(checks::to_string(result.ptr_status));
    if (result.forward_status) m_failure_example += " forward=" + std::string(checks::to_string(*result.forward_status));
    if (!result.ptr_detail.empty()) m_failure_example += " detail=" + result.ptr_detail;
  }
  const auto now = steady_clock::now();
  if (m_failures_in_window == 1 || now - m_failure_window_start >= minutes(1)) {
    // One line per minute at most, however many IPs fail.
    spdlog::warn("resolver problems: {} check(s) with a failed lookup since {:.0f}s ago, e.g. {} "
                 "(no verdict is reported for them; they are retried with backoff)",
                 m_failures_in_window, duration<double>(now - m_failure_window_start).count(), m_failure_example);
    if (m_failures_in_window > 1 || now - m_failure_window_start >= minutes(1)) {
      m_failure_window_start = now;
      m_failures_in_window = 0;
      m_failure_example.clear();
    }
  }
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
  if (!applied) {
    spdlog::error("reload failed, keeping the running configuration: {}", applied.error());
  }
  return applied;
}

tl::expected<void, std::string> Service::apply(config::Config config) {
  std::lock_guard reload_lock(m_reload_mutex);
  if (m_stopping) return tl::make_unexpected(std::string("shutting down"));
  std::shared_ptr<Engine> engine = current_engine();
  config::ResolverConfig old_resolver;
  config::GenericConfig old_generic;
  {
    std::lock_guard lock(m_engine_mutex);
    old_resolver = m_config.resolver;
    old_generic = m_config.generic;
  }
  const bool resolver_changed = !(config.resolver == old_resolver);
  const bool generic_changed = !(config.generic == old_generic);

  auto allow = ProbeAllowList::create(config.probe.allow_cidrs);
  if (!allow) {
    m_last_reload_ok = false;
    return tl::make_unexpected(allow.error());
  }
  std::shared_ptr<Engine> new_engine;
  if (resolver_changed || generic_changed) {
    std::shared_ptr<ResolverBundle> bundle = engine->resolver();
    std::shared_ptr<const checks::GenericClassifier> classifier = engine->classifier();
    if (generic_changed) {
      auto created = checks::GenericClassifier::create(config.generic.extra_patterns, config.generic.allow_patterns);
      if (!created) {
        m_last_reload_ok = false;
        return tl::make_unexpected("generic: " + created.error());
      }
      classifier = std::make_shared<const checks::GenericClassifier>(std::move(*created));
    }
    if (resolver_changed) {
      auto made = m_options.make_resolver(config.resolver);
      if (!made) {
        m_last_reload_ok = false;
        return tl::make_unexpected("resolver: " + made.error());
      }
      bundle = std::move(*made);
    }
    new_engine = std::make_shared<Engine>(std::move(bundle), std::move(classifier));
  }

  retain_owned_targets(config.targets, m_options.shard);
  const auto ids = m_store.set_targets(config.targets);
  const std::size_t target_count = config.targets.size();
  const auto schedule = config.schedule;
  config.targets.clear();
  config.targets.shrink_to_fit();
  {
    std::lock_guard lock(m_engine_mutex);
    if (new_engine) {
      m_retired.push_back(std::move(m_engine));
      m_engine = new_engine;
    }
    m_timeout = schedule.timeout;
    m_probe_allow = std::move(*allow);
    m_config = std::move(config);
  }
  m_scheduler->set_targets(ids, schedule_options_for(schedule.interval, schedule.concurrency));
  m_last_reload_ok = true;
  m_last_reload_success = unix_now();
  spdlog::info("configuration reloaded: targets={} resolver_rebuilt={} classifier_rebuilt={}", target_count,
               resolver_changed, generic_changed);
  reap_retired();
  return {};
}

void Service::reap_retired() {
  std::vector<std::shared_ptr<Engine>> done;
  {
    std::lock_guard lock(m_engine_mutex);
    for (auto it = m_retired.begin(); it != m_retired.end();) {
      // use_count 1: nobody can start a check on it any more (copies are only made, under this
      // mutex, of the current engine).
      if ((*it)->in_flight() == 0 && it->use_count() == 1) {
        done.push_back(std::move(*it));
        it = m_retired.erase(it);
      } else {
        ++it;
      }
    }
    for (auto& engine : done) {
      const auto& bundle = engine->resolver();
      bool shared = m_engine && m_engine->resolver() == bundle;
      for (auto& other : m_retired) shared = shared || other->resolver() == bundle;
      if (!shared && bundle && bundle->counts) {
        for (const auto& [key, count] : bundle->counts()) m_retired_counts[key] += count;
      }
    }
  }
  done.clear();  // outside the lock: joins resolver threads
}

std::size_t Service::retired_engines() const {
  std::lock_guard lock(m_engine_mutex);
  return m_retired.size();
}

Scheduler::Stats Service::scheduler_stats() const { return m_scheduler->stats(); }

QueryCounts Service::total_query_counts() const {
  std::lock_guard lock(m_engine_mutex);
  QueryCounts total = m_retired_counts;
  std::set<const ResolverBundle*> seen;
  auto add = [&](const std::shared_ptr<Engine>& engine) {
    if (!engine || !engine->resolver() || !seen.insert(engine->resolver().get()).second) return;
    if (engine->resolver()->counts) {
      for (const auto& [key, count] : engine->resolver()->counts()) total[key] += count;
    }
  };
  add(m_engine);
  for (const auto& engine : m_retired) add(engine);
  return total;
}

std::vector<prometheus::MetricFamily> Service::self_families() {
  metrics::FamilySink sink;
  using prometheus::MetricType;
  using metrics::LabelRef;

  auto counts = total_query_counts();
  // Every type/result pair is present from the start, so rate() works on the first failure.
  for (const char* type : {"PTR", "A", "AAAA", "SOA"}) {
    for (auto status : checks::k_all_lookup_statuses) counts.try_emplace({type, std::string(checks::to_string(status))}, 0);
  }
  sink.family("rdns_dns_queries_total",
              "DNS queries sent, by query type (PTR, A, AAAA, SOA) and outcome (a lookup status).",
              MetricType::Counter);
  for (const auto& [key, count] : counts) {
    const LabelRef labels[] = {{"type", key.first}, {"result", key.second}};
    sink.sample(labels, {}, static_cast<double>(count));
  }
  sink.family("rdns_targets", "Number of IPs configured (CIDR targets expanded).", MetricType::Gauge);
  sink.sample({}, {}, static_cast<double>(m_store.target_count()));
  sink.family("rdns_config_last_reload_successful", "1 when the last configuration reload succeeded, 0 when it failed "
              "(the previous configuration keeps running).", MetricType::Gauge);
  sink.sample({}, {}, m_last_reload_ok ? 1.0 : 0.0);
  sink.family("rdns_config_last_reload_success_timestamp_seconds",
              "Unix time of the last successful configuration load (start or reload).", MetricType::Gauge);
  sink.sample({}, {}, m_last_reload_success.load());
  sink.family("rdns_build_info", "Always 1; the labels say which build runs and with which libunbound.",
              MetricType::Gauge);
  const LabelRef build[] = {{"version", k_version}, {"revision", k_revision}, {"unbound_version", m_options.unbound_version}};
  sink.sample(build, {}, 1.0);

  auto families = sink.take();
  for (auto& family : m_registry.Collect()) families.push_back(std::move(family));
  return families;
}

void Service::write_metrics(const metrics::TextSink::Flush& flush) {
  metrics::TextSink sink(flush);
  sink.append_raw(serialize(self_families()));
  metrics::emit_process_metrics(metrics::read_process_stats(), sink);
  emit_shard_info(m_options.shard, sink);
  {
    const auto snapshot = m_store.snapshot();
    const auto views = snapshot.views();
    metrics::emit_target_families(views, sink);
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

bool Service::ready() const { return m_store.first_cycle_done(); }

std::vector<TargetStatus> Service::status() const { return m_store.status(); }

ProbeResponse Service::probe(const std::string& target) {
  ProbeResponse response;
  response.content_type = "text/plain; charset=utf-8";
  auto canonical = config::canonical_ip(target);
  if (!canonical) {
    response.http_status = 400;
    response.body = "target \"" + target + "\": " + canonical.error() + " (only IP addresses are accepted)\n";
    return response;
  }
  bool allowed = true;
  {
    std::lock_guard lock(m_engine_mutex);
    allowed = m_probe_allow.allows(*canonical);
  }
  if (!allowed) {
    response.http_status = 403;
    response.body = "target " + *canonical + " is outside [probe] allow_cidrs\n";
    return response;
  }
  if (m_stopping) {
    response.http_status = 503;
    response.body = "shutting down\n";
    return response;
  }
  if (m_probes.fetch_add(1) >= m_options.max_concurrent_probes) {
    --m_probes;
    response.http_status = 503;
    response.body = "too many probes in flight, retry later\n";
    return response;
  }
  struct Waiter {
    std::mutex mutex;
    std::condition_variable cv;
    std::optional<checks::CheckResult> result;
  };
  auto waiter = std::make_shared<Waiter>();
  checks::CheckRequest request;
  request.ip = *canonical;
  std::shared_ptr<Engine> engine;
  {
    std::lock_guard lock(m_engine_mutex);
    engine = m_engine;
    request.timeout = m_timeout;
  }
  const auto started = steady_clock::now();
  if (engine) {
    engine->start_check(request, [waiter](checks::CheckResult result) {
      std::lock_guard lock(waiter->mutex);
      waiter->result = std::move(result);
      waiter->cv.notify_all();
    });
  }
  std::optional<checks::CheckResult> result;
  {
    std::unique_lock lock(waiter->mutex);
    const auto give_up = started + request.timeout + seconds(2);
    while (!waiter->result && !m_stopping && engine && steady_clock::now() < give_up) {
      waiter->cv.wait_for(lock, milliseconds(100));
    }
    result = std::move(waiter->result);
  }
  engine.reset();
  --m_probes;
  if (!result) {
    response.http_status = 503;
    response.body = "probe cancelled\n";
    return response;
  }
  const double elapsed = duration<double>(steady_clock::now() - started).count();

  // Blackbox style: a fresh set of families for this one probe, serialised by prometheus-cpp.
  metrics::FamilySink sink;
  sink.family("probe_success", "1 when every enabled check of the target definitively passed, else 0.",
              prometheus::MetricType::Gauge);
  sink.sample({}, {}, result->success == true ? 1.0 : 0.0);
  sink.family("probe_duration_seconds", "How long the probe took.", prometheus::MetricType::Gauge);
  sink.sample({}, {}, elapsed);
  const TargetRecord record = make_record(*result);
  const metrics::TargetRow row{*canonical, nullptr, &record, std::nullopt};
  metrics::emit_target_families({&row, 1}, sink);
  response.http_status = 200;
  response.content_type = std::string(k_exposition_type);
  response.body = serialize(sink.take());
  return response;
}

WebHandlers Service::handlers() {
  WebHandlers handlers;
  handlers.metrics = [this] { return metrics_text(); };
  handlers.metrics_stream = [this](const std::function<bool(std::string_view)>& write) {
    bool open = true;
    write_metrics([&](std::string_view chunk) {
      if (open) open = write(chunk);
    });
  };
  handlers.probe = [this](const std::string& target) { return probe(target); };
  handlers.reload = [this]() -> tl::expected<void, std::string> {
    if (m_options.config_file.empty()) return tl::make_unexpected(std::string("no configuration file"));
    return reload_from_file(m_options.config_file);
  };
  handlers.ready = [this] { return ready(); };
  handlers.status = [this] { return status(); };
  return handlers;
}

}  // namespace rdns::agent
