// The status page's view of an IP's reverse zone servers: one line when every server answers
// alike; otherwise a table (zone, name server, address, state, serial, what it serves) and the
// advice (who runs the zone, which server is stale, lame or unreachable).
#pragma once

#include <string>

#include "checks/zone/zone_report.hpp"

namespace rdns::agent {

// `with_hints`: add the advice (the card shows it elsewhere for failing and undecided targets).
void render_zone_servers(std::string& out, const checks::PtrConsistency& consistency, bool with_hints);

}  // namespace rdns::agent
