// Every authoritative server of an IP's reverse zone, asked directly: finds the zone cut (and
// for RFC 2317 both the parent zone holding the CNAME and the delegated zone holding the PTR)
// through the Resolver, the zone's NS names and their A/AAAA addresses through the Resolver,
// then asks each address for the zone's SOA without recursion (ServerQuerier). Same serial on
// every answering server: the IP's PTR is the same everywhere (no further question). Serials
// differ: each answering server is asked for the IP's own name and the answers compared.
//
// Cost stays per zone and interval: a zone cut is looked up once per parent name (the /24 of an
// IPv4 address; the 16 addresses under an ip6.arpa nibble) and reused for `max_age`; a zone is
// surveyed once per `max_age`, checks of its other IPs meanwhile (or while it runs) share it.
// Per IP, questions go to the servers only while the serials differ.
//
// Thread-safety: every method from any thread. Callbacks run on the resolver's or the querier's
// thread, never under a lock of ours. The Resolver and querier must outlive every check started,
// and this object must outlive both their pending callbacks (destroy the querier first).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "checks/resolver.hpp"
#include "checks/zone/server_querier.hpp"
#include "checks/zone/zone_report.hpp"

namespace rdns::checks::zone {

struct ZoneCut {
  std::optional<SoaInfo> soa;  // the zone (apex in soa->zone) and who runs it
  std::string problem;         // why it is unknown (a resolver lookup failed)
};

class ZoneSurveyor {
public:
  using Deadline = Resolver::Deadline;
  using Done = std::function<void(std::shared_ptr<const PtrConsistency>)>;
  using CutDone = std::function<void(ZoneCut)>;

  // `port`: where name servers are asked (53; a lab with servers elsewhere sets its own).
  ZoneSurveyor(Resolver& resolver, ServerQuerier& querier, std::uint16_t port);
  ~ZoneSurveyor();
  ZoneSurveyor(const ZoneSurveyor&) = delete;
  ZoneSurveyor& operator=(const ZoneSurveyor&) = delete;

  // The zone holding `name` (absolute), shared between IPs and with the remediation's SOA.
  void find_zone(const std::string& name, Deadline deadline, std::chrono::milliseconds max_age, CutDone done);

  // Whether every answering server of the IP's zone(s) serves the same records at
  // `reverse_name` (and, when a CNAME led on, at `canonical_name`, in the delegated zone).
  void check(const std::string& reverse_name, const std::string& canonical_name, Deadline deadline,
             std::chrono::milliseconds max_age, Done done);

private:
  struct Impl;
  std::shared_ptr<Impl> m_impl;
};

}  // namespace rdns::checks::zone
