// What asking every authoritative server of a reverse zone found: per zone, each server
// address's state and SOA serial; per IP, whether every answering server serves the same PTR
// set. Plain data shared (immutable, behind shared_ptr) by every IP of the zone, so a /16 keeps
// one survey per zone, not one per IP.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checks/resolver.hpp"

namespace rdns::checks {

enum class ServerState : std::uint8_t {
  answering,    // answered the zone's SOA authoritatively (AA, rcode 0, the zone's own SOA)
  lame,         // answered, but not for the zone: REFUSED, SERVFAIL, no AA, another zone's SOA
  unreachable,  // no reply before the deadline, or the network refused
};

constexpr std::string_view to_string(ServerState state) {
  switch (state) {
    case ServerState::answering: return "answering";
    case ServerState::lame: return "lame";
    case ServerState::unreachable: return "unreachable";
  }
  return "unreachable";
}

struct ZoneServer {
  std::string nameserver;  // NS name, no trailing dot
  std::string address;     // canonical IP text
  ServerState state = ServerState::unreachable;
  std::string reason;        // for lame/unreachable: "REFUSED", "not authoritative", "timeout", ...
  std::uint32_t serial = 0;  // when answering

  bool operator==(const ZoneServer&) const = default;
};

struct ZoneSurvey {
  std::string zone;                 // apex, no trailing dot
  std::optional<SoaInfo> soa;       // who runs it (from the resolver: MNAME, RNAME)
  std::vector<ZoneServer> servers;  // every address of every NS name, sorted by name then address
  std::string problem;              // non-empty: the survey could not be made (resolver lookup failed)
  double surveyed_at = 0;           // Unix seconds

  // The highest serial among answering servers (RFC 1982 order), nullopt when none answers.
  std::optional<std::uint32_t> newest_serial() const;
  std::size_t answering() const;
};

enum class Consistency : std::uint8_t { undecidable, consistent, inconsistent };

constexpr std::string_view to_string(Consistency state) {
  switch (state) {
    case Consistency::undecidable: return "undecidable";
    case Consistency::consistent: return "consistent";
    case Consistency::inconsistent: return "inconsistent";
  }
  return "undecidable";
}

// What one server answered for the IP's name when the serials of its zone differed.
struct ServerPtrSet {
  std::string zone;  // which of the IP's zones the server serves (RFC 2317: parent or child)
  std::string nameserver;
  std::string address;
  std::uint32_t serial = 0;
  std::vector<std::string> records;  // "PTR name." / "CNAME name." at the owner, sorted; empty = no record
};

struct PtrConsistency {
  Consistency state = Consistency::undecidable;
  std::string reason;  // why undecidable, or which servers differ (one line)
  // The zones of the IP's name: one, or for RFC 2317 the parent (holding the CNAME) then the
  // delegated zone (holding the PTR).
  std::vector<std::shared_ptr<const ZoneSurvey>> zones;
  // Filled only when a zone's serials differed and the servers were asked for the name itself.
  std::vector<ServerPtrSet> per_server;
};

// "a.b.c" serial order of RFC 1982: true when `a` is newer than `b`.
constexpr bool serial_newer(std::uint32_t a, std::uint32_t b) {
  return a != b && static_cast<std::uint32_t>(a - b) < 0x80000000u;
}

}  // namespace rdns::checks
