// The per-IP half of the zone survey: with the surveys of the IP's zone(s) in hand, decide
// whether every answering server serves the same records at the IP's name(s). Equal serials on
// every answering server decide it with no further question; otherwise each answering server
// of that zone is asked for the name itself and the answers compared.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "checks/zone/server_querier.hpp"
#include "checks/zone/zone_report.hpp"

namespace rdns::checks::zone {

// `names[i]` (absolute) is served by `zones[i]` (all non-null). `done` runs exactly once.
void compare_ptr_sets(ServerQuerier& querier, std::uint16_t port, std::vector<std::string> names,
                      std::vector<std::shared_ptr<const ZoneSurvey>> zones, ServerQuerier::Deadline deadline,
                      std::function<void(std::shared_ptr<const PtrConsistency>)> done);

// The records a server's reply holds at `name` ("PTR host." / "CNAME target.", lower case,
// sorted); nullopt when the reply does not speak for the name (not authoritative, an error
// rcode other than NXDOMAIN).
std::optional<std::vector<std::string>> records_at(const Reply& reply, std::string_view name);

// Consistent or inconsistent from the per-server answers (each zone compared on its own), with
// the sentence that names the servers that differ. Pure.
PtrConsistency judge(std::vector<std::shared_ptr<const ZoneSurvey>> zones, std::vector<ServerPtrSet> per_server);

}  // namespace rdns::checks::zone
