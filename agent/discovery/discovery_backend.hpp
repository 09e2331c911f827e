// What target discovery asks of the DNS, one blocking call per source: the SPF expansion of a
// domain, the egress address of one family. The runner (discovery_runner.hpp) is written
// against this interface, so its tests script the answers; ResolverDiscoveryBackend is the
// real one, over resolvers made by the agent's ResolverFactory.
//
// Thread-safety: the calls may come from any thread; the runner makes them from its own.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "agent/engine/engine.hpp"
#include "checks/discovery/spf_expander.hpp"
#include "config/model.hpp"

namespace rdns::agent::discovery {

using Deadline = std::chrono::steady_clock::time_point;

// One egress lookup: the address, or why there is none. `temperror`: the DNS failed (SERVFAIL,
// timeout, refused...): worth trying again as it is. `permerror`: the servers answered, but
// not with a usable address (no record, no address of the family, a private or loopback one):
// the configuration or the echo service is wrong.
struct EgressOutcome {
  enum class Kind { ok, temperror, permerror };
  Kind kind = Kind::temperror;
  std::string address;  // canonical, when ok
  std::string error;    // one line, when not ok
};

class DiscoveryBackend {
public:
  virtual ~DiscoveryBackend() = default;
  // The SPF expansion of `domain`, through a resolver configured as `resolver`, by `deadline`.
  virtual checks::discovery::SpfExpansion expand_spf(const config::ResolverConfig& resolver, const std::string& domain,
                                                     Deadline deadline) = 0;
  // The public address `family` traffic leaves from, asked of the entry's echo servers.
  // `resolver` lends only its unbound_config_file (tuning such as do-not-query-localhost).
  virtual EgressOutcome lookup_egress(const config::ResolverConfig& resolver, const config::DiscoveryEntry& entry,
                                      config::DiscoveryEntry::Family family, Deadline deadline) = 0;
  // The queries sent so far (for rdns_dns_queries_total), by type and outcome.
  virtual QueryCounts query_counts() const { return {}; }
};

// Over resolvers from `make_resolver`, a new one for every call: an SPF record edited or a NAT
// address changed is seen at the next cycle, never served from a cache, and no resolver
// outlives its call. Egress lookups use a forward-mode resolver to the entry's servers of the
// family, DNSSEC off (the echo answers are not signed), with [resolver] unbound_config_file.
std::unique_ptr<DiscoveryBackend> make_resolver_backend(ResolverFactory make_resolver);

// The echo answer's address is one a mail server could see as ours: not unspecified, loopback,
// link-local, multicast or private (RFC 1918, shared 100.64/10, unique-local fc00::/7): such an
// answer means the echo server sits inside the network. Empty when usable, else why not.
std::string unusable_egress_address(const std::string& canonical_ip);

}  // namespace rdns::agent::discovery
