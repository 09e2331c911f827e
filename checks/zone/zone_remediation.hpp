// The per-server table and the advice for an IP's reverse zone servers, in words an operator
// can act on ("server ns2.example.net (192.0.2.53) still serves the old name old.example.net,
// serial 7 vs 8"; who runs the zone, from its SOA RNAME). Shared by `check` and the status page.
// Pure.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "checks/zone/zone_report.hpp"

namespace rdns::checks::zone {

struct ServerRow {
  std::string zone;
  std::string nameserver;
  std::string address;  // empty: the name has no address
  std::string state;    // "answering", "lame (REFUSED)", "unreachable (timeout)"
  bool up = false;
  std::optional<std::uint32_t> serial;
  std::optional<std::string> records;  // what it serves at the IP's name, when it was asked
};

// One row per server address of each of the IP's zones, in zone order.
std::vector<ServerRow> server_rows(const PtrConsistency& consistency);

// One hint per server that differs, is lame or unreachable (while another answers); none when
// every server answers alike, and none when undecidable (consistency_summary() says why: a
// resolver or network problem is never a record to change).
std::vector<std::string> zone_server_hints(const PtrConsistency& consistency);

// "consistent", "inconsistent: ...", "undecidable: ..."
std::string consistency_summary(const PtrConsistency& consistency);

}  // namespace rdns::checks::zone
