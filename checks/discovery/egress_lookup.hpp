// Egress address discovery: the public address this host's traffic leaves from, as a DNS server
// that echoes the asking address sees it (behind NAT the agent cannot know it otherwise). Two
// methods, as the public services answer:
//  - txt_echo:     TXT of a name such as o-o.myaddr.l.google.com asked of its authoritative server;
//                  the answer holds the asking address as text;
//  - address_echo: A (IPv4) / AAAA (IPv6) of a name such as myip.opendns.com asked of a resolver
//                  that answers it with the asking address.
// The Resolver passed in must send its queries to the configured echo servers (a forward-mode
// resolver with those servers as forwarders, no DNSSEC, no caching beyond the answer's TTL).
//
// Thread-safety: as checks::Resolver; `done` runs exactly once.
#pragma once

#include <functional>
#include <string>

#include <tl/expected.hpp>

#include "checks/resolver.hpp"

namespace rdns::checks::discovery {

enum class EgressMethod { txt_echo, address_echo };
enum class AddressFamily { ipv4, ipv6 };

struct EgressQuery {
  EgressMethod method = EgressMethod::txt_echo;
  std::string name;  // absolute name with trailing dot, e.g. "o-o.myaddr.l.google.com."
  AddressFamily family = AddressFamily::ipv4;
};

// The address found (canonical text), or why none was: a DNS failure, no answer, or an answer
// that holds no address of the asked family (the message quotes it, escaped).
using EgressResult = tl::expected<std::string, std::string>;

void lookup_egress_address(Resolver& resolver, const EgressQuery& query, Resolver::Deadline deadline,
                           std::function<void(EgressResult)> done);

// The address an echo answer holds, pure: for txt_echo the first TXT record that is exactly an
// address of `family` (Google's answer may carry other records, e.g. "edns0-client-subnet ...");
// for address_echo the first A/AAAA record. Global-unicast checks are the caller's business.
EgressResult egress_address_from(const DnsAnswer& answer, const EgressQuery& query);

}  // namespace rdns::checks::discovery
