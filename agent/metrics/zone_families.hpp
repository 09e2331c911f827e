// The per-zone families of the reverse zones' servers: rdns_zone_nameserver_up and
// rdns_zone_serial, one series per zone, name server and address (a /16 is 256 zones times a
// few servers, never per IP). They come from the surveys the targets' kept results refer to:
// so they stay through a resolver outage (as the verdicts do) and go with the last target of
// the zone; of several generations of one zone's survey, the newest is shown.
#pragma once

#include <span>

#include "agent/metrics/exposition_writer.hpp"
#include "agent/metrics/target_families.hpp"

namespace rdns::agent::metrics {

void emit_zone_families(std::span<const TargetRow> rows, SampleSink& sink);

}  // namespace rdns::agent::metrics
