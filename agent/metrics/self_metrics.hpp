// The agent's own families (not per target): queries sent, targets, reload state, build info,
// the check-duration histogram. Written straight into the exposition like the target families.
#pragma once

#include <string_view>

#include "agent/metrics/duration_histogram.hpp"
#include "agent/metrics/exposition_writer.hpp"
#include "agent/metrics/query_counts.hpp"

namespace rdns::agent::metrics {

struct SelfMetrics {
  QueryCounts query_counts;  // every (type, status) pair is written, missing ones as 0
  std::size_t targets = 0;
  bool last_reload_ok = true;
  double last_reload_success_unix = 0;
  std::string_view version;
  std::string_view revision;
  std::string_view unbound_version;
  double interval_seconds = 0;  // [schedule] in force
  double timeout_seconds = 0;
  const DurationHistogram* check_durations = nullptr;  // may be null: family left out
};

void emit_self_metrics(const SelfMetrics& self, SampleSink& sink);

}  // namespace rdns::agent::metrics
