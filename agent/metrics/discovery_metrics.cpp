#include "agent/metrics/discovery_metrics.hpp"

namespace rdns::agent::metrics {

void emit_discovery_metrics(const DiscoveryStats& stats, SampleSink& sink) {
  using prometheus::MetricType;
  if (stats.sources.empty()) return;

  sink.family("rdns_discovered_targets",
              "Addresses a discovery source (spf:<domain>, egress) yields now, before deduplication with "
              "static targets and sharding; kept while the source fails.",
              MetricType::Gauge);
  for (const auto& s : stats.sources) {
    const LabelRef labels[] = {{"source", s.source}};
    sink.sample(labels, {}, static_cast<double>(s.addresses));
  }
  sink.family("rdns_discovery_success",
              "1 when the last discovery of the source succeeded, 0 when it failed (the previous addresses "
              "are kept). Absent until its first discovery finished.",
              MetricType::Gauge);
  for (const auto& s : stats.sources) {
    if (!s.attempted) continue;
    const LabelRef labels[] = {{"source", s.source}};
    sink.sample(labels, {}, s.success ? 1.0 : 0.0);
  }
  sink.family("rdns_discovery_errors_total",
              "Failed discoveries by source and kind: permerror (a broken SPF record, no SPF record, an echo "
              "answer without a usable address), temperror (a DNS failure: SERVFAIL, timeout...).",
              MetricType::Counter);
  for (const auto& s : stats.sources) {
    const LabelRef perm[] = {{"source", s.source}, {"kind", "permerror"}};
    sink.sample(perm, {}, static_cast<double>(s.permerrors));
    const LabelRef temp[] = {{"source", s.source}, {"kind", "temperror"}};
    sink.sample(temp, {}, static_cast<double>(s.temperrors));
  }
  sink.family("rdns_discovery_last_success_timestamp_seconds",
              "Unix time of the last successful discovery of the source. Absent until one succeeded.",
              MetricType::Gauge);
  for (const auto& s : stats.sources) {
    if (s.last_success_unix <= 0) continue;
    const LabelRef labels[] = {{"source", s.source}};
    sink.sample(labels, {}, s.last_success_unix);
  }
  sink.family("rdns_spf_not_expandable_terms",
              "Terms of the last successful SPF expansion that authorise addresses the exporter cannot list "
              "(exists, ptr, macros, a network above schedule.max_cidr_addresses): not monitored.",
              MetricType::Gauge);
  for (const auto& s : stats.sources) {
    if (!s.spf || !s.attempted) continue;
    const LabelRef labels[] = {{"source", s.source}};
    sink.sample(labels, {}, static_cast<double>(s.not_expandable));
  }
  if (!stats.egress_changes.empty()) {
    sink.family("rdns_egress_ip_changes_total",
                "Times the discovered egress address of the family changed (not counting the first discovery "
                "after start): a changing address is a dynamic one.",
                MetricType::Counter);
    for (const auto& [family, count] : stats.egress_changes) {
      const LabelRef labels[] = {{"family", family}};
      sink.sample(labels, {}, static_cast<double>(count));
    }
  }
}

}  // namespace rdns::agent::metrics
