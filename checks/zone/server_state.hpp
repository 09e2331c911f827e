// How one server's reply to the zone's SOA question reads: answering (with its serial), lame
// or unreachable. Pure, so every case is tested without a server.
#pragma once

#include <string_view>

#include "checks/zone/server_querier.hpp"
#include "checks/zone/zone_report.hpp"

namespace rdns::checks::zone {

// `server` gets state, reason and serial; `zone` is the apex, absolute.
void classify_soa_reply(const ServerReply& reply, std::string_view zone, ZoneServer& server);

}  // namespace rdns::checks::zone
