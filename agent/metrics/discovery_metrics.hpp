// The target-discovery families (rdns_discovered_targets, rdns_discovery_*, rdns_spf_*,
// rdns_egress_ip_changes_total) from plain values: the runner (agent/discovery/) fills them,
// this writes them. Nothing is written when no discovery entry is configured.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "agent/metrics/exposition_writer.hpp"

namespace rdns::agent::metrics {

struct DiscoverySourceStats {
  std::string source;            // "spf:example.com", "egress"
  bool spf = false;              // rdns_spf_not_expandable_terms is written for SPF sources only
  bool attempted = false;        // false until the first discovery of this source finished
  bool success = false;          // the last discovery succeeded
  std::size_t addresses = 0;     // addresses the source yields now (kept over failures)
  double last_success_unix = 0;  // 0: never
  std::uint64_t permerrors = 0;  // since start
  std::uint64_t temperrors = 0;
  std::size_t not_expandable = 0;  // terms or networks of the last expansion not turned into addresses
};

struct DiscoveryStats {
  std::vector<DiscoverySourceStats> sources;                          // config order
  std::vector<std::pair<std::string, std::uint64_t>> egress_changes;  // family ("ipv4"/"ipv6") -> changes
};

void emit_discovery_metrics(const DiscoveryStats& stats, SampleSink& sink);

}  // namespace rdns::agent::metrics
