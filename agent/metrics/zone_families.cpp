#include "agent/metrics/zone_families.hpp"

#include <algorithm>
#include <array>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace rdns::agent::metrics {
namespace {

// The newest survey of every zone the rows refer to, by zone name.
std::vector<const checks::ZoneSurvey*> newest_surveys(std::span<const TargetRow> rows) {
  std::unordered_map<std::string_view, const checks::ZoneSurvey*> newest;
  const checks::PtrConsistency* previous = nullptr;  // a zone's IPs share one object: skip repeats
  for (const TargetRow& row : rows) {
    if (!row.record || !row.record->consistency || row.record->consistency.get() == previous) continue;
    previous = row.record->consistency.get();
    for (const auto& zone : previous->zones) {
      const checks::ZoneSurvey*& slot = newest[zone->zone];
      if (!slot || zone->surveyed_at > slot->surveyed_at) slot = zone.get();
    }
  }
  std::vector<const checks::ZoneSurvey*> out;
  out.reserve(newest.size());
  for (const auto& [zone, survey] : newest) out.push_back(survey);
  std::sort(out.begin(), out.end(), [](const auto* a, const auto* b) { return a->zone < b->zone; });
  return out;
}

}  // namespace

void emit_zone_families(std::span<const TargetRow> rows, SampleSink& sink) {
  const auto surveys = newest_surveys(rows);
  // A name server without any address has no address to label: it shows on the status page and
  // in `check`, not here.
  const auto for_each_server = [&](auto&& fn) {
    for (const auto& survey : surveys) {
      for (const checks::ZoneServer& server : survey->servers) {
        if (server.address.empty()) continue;
        const std::array<LabelRef, 3> labels{LabelRef{"zone", survey->zone}, LabelRef{"nameserver", server.nameserver},
                                             LabelRef{"address", server.address}};
        fn(server, labels);
      }
    }
  };
  sink.family("rdns_zone_nameserver_up",
              "1 when this address of the reverse zone's name server answers the zone's SOA authoritatively, 0 "
              "when it is lame (REFUSED, SERVFAIL, not authoritative, another zone) or unreachable (no reply "
              "before the deadline).",
              prometheus::MetricType::Gauge);
  for_each_server([&](const checks::ZoneServer& server, const auto& labels) {
    sink.sample(labels, {}, server.state == checks::ServerState::answering ? 1.0 : 0.0);
  });
  sink.family("rdns_zone_serial",
              "The SOA serial this address of the reverse zone's name server serves (only while it answers "
              "authoritatively).",
              prometheus::MetricType::Gauge);
  for_each_server([&](const checks::ZoneServer& server, const auto& labels) {
    if (server.state == checks::ServerState::answering) sink.sample(labels, {}, server.serial);
  });
}

}  // namespace rdns::agent::metrics
