// The per-zone families of the reverse zones' servers: rdns_zone_nameserver_up and
// rdns_zone_serial, one series per zone, name server and address (a /16 is 256 zones times a
// few servers, never per IP).
#pragma once

#include <memory>
#include <span>

#include "agent/metrics/exposition_writer.hpp"
#include "checks/zone/zone_report.hpp"

namespace rdns::agent::metrics {

void emit_zone_families(std::span<const std::shared_ptr<const checks::ZoneSurvey>> surveys, SampleSink& sink);

}  // namespace rdns::agent::metrics
