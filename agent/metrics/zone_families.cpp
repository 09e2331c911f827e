#include "agent/metrics/zone_families.hpp"

#include <array>

namespace rdns::agent::metrics {

void emit_zone_families(std::span<const std::shared_ptr<const checks::ZoneSurvey>> surveys, SampleSink& sink) {
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
