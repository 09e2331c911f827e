#include "agent/metrics/self_metrics.hpp"

#include "checks/lookup_status.hpp"

namespace rdns::agent::metrics {

void emit_self_metrics(const SelfMetrics& self, SampleSink& sink) {
  using prometheus::MetricType;

  QueryCounts counts = self.query_counts;
  // Every type/result pair is present from the start, so rate() works on the first failure.
  for (const char* type : {"PTR", "A", "AAAA", "SOA"}) {
    for (auto status : checks::k_all_lookup_statuses)
      counts.try_emplace({type, std::string(checks::to_string(status))}, 0);
  }
  sink.family("rdns_dns_queries_total",
              "DNS queries sent, by query type (PTR, A, AAAA, SOA) and outcome (a lookup status).",
              MetricType::Counter);
  for (const auto& [key, count] : counts) {
    const LabelRef labels[] = {{"type", key.first}, {"result", key.second}};
    sink.sample(labels, {}, static_cast<double>(count));
  }
  sink.family("rdns_targets",
              "Number of IPs monitored: configured (CIDR targets expanded) and discovered (spf_domain, egress).",
              MetricType::Gauge);
  sink.sample({}, {}, static_cast<double>(self.targets));
  sink.family("rdns_config_last_reload_successful",
              "1 when the last configuration reload succeeded, 0 when it failed "
              "(the previous configuration keeps running).",
              MetricType::Gauge);
  sink.sample({}, {}, self.last_reload_ok ? 1.0 : 0.0);
  sink.family("rdns_config_last_reload_success_timestamp_seconds",
              "Unix time of the last successful configuration load (start or reload).", MetricType::Gauge);
  sink.sample({}, {}, self.last_reload_success_unix);
  sink.family("rdns_build_info", "Always 1; the labels say which build runs and with which libunbound.",
              MetricType::Gauge);
  const LabelRef build[] = {
      {"version", self.version}, {"revision", self.revision}, {"unbound_version", self.unbound_version}};
  sink.sample(build, {}, 1.0);
  sink.family("rdns_check_interval_seconds",
              "How often every target is re-checked ([schedule] interval in force): staleness alerts "
              "derive their threshold from it.",
              MetricType::Gauge);
  sink.sample({}, {}, self.interval_seconds);
  sink.family("rdns_check_timeout_seconds", "Time one check may take, all its lookups included ([schedule] timeout).",
              MetricType::Gauge);
  sink.sample({}, {}, self.timeout_seconds);
  if (self.check_durations) {
    sink.family("rdns_check_duration_seconds",
                "Time one check of one IP took, all its lookups included (scheduled checks).", MetricType::Histogram);
    const auto reading = self.check_durations->read();
    sink.histogram(reading.data());
  }
}

}  // namespace rdns::agent::metrics
