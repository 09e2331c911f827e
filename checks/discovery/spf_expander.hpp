// SPF expansion (RFC 7208): the addresses and networks a domain's SPF record authorises, for
// target discovery. Follows `include:` and `redirect=`, resolves `a` and `mx` (both address
// families), keeps `ip4:`/`ip6:` networks as networks, and enforces the RFC's limits: at most 10
// DNS-querying terms (include, a, mx, ptr, exists, redirect), at most 2 void lookups, loop
// detection. `exists`, `ptr`, `+all` and macros are reported as not expandable, never guessed.
//
// Only `+` (pass, the default qualifier) mechanisms authorise; `-`, `~` and `?` ones are skipped
// (they name addresses that must NOT send), but still count towards the lookup limit (a skipped
// include counts as one term: its record is not fetched). Terms after `all` are never reached
// by an evaluation and are ignored. The limits, loops and the error reported follow the RFC's
// evaluation order, so the result does not depend on the order answers arrive in (see
// ARCHITECTURE.md, "How an SPF expansion flows", and docs/spf-discovery.md).
//
// Thread-safety: expand_spf() may be called from any thread; `done` runs exactly once, on the
// resolver's thread (or inline if nothing needs DNS). The Resolver must outlive the expansion.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "checks/resolver.hpp"

namespace rdns::checks::discovery {

struct SpfLimits {
  std::size_t max_dns_terms = 10;  // RFC 7208 4.6.4
  std::size_t max_void_lookups = 2;
  std::size_t max_mx_names = 10;  // RFC 7208 4.6.4: more MX names than this is a permerror
};

enum class SpfOutcome {
  ok,         // expanded (possibly with not_expandable terms reported)
  none,       // the domain publishes no SPF record
  permerror,  // the record is broken: two SPF records, a loop, too many lookups, syntax...
  temperror,  // a DNS failure (SERVFAIL, timeout, bogus...): try again later, keep what you had
};

struct SpfExpansion {
  SpfOutcome outcome = SpfOutcome::temperror;
  // Authorised networks and addresses, canonical, deduplicated, sorted: "192.0.2.0/24",
  // "2001:db8::/48", and single addresses from a/mx as "/32" or "/128" (or the term's
  // cidr-length when it has one, canonicalised to the network).
  std::vector<std::string> networks;
  // Terms that authorise addresses we cannot enumerate, with where they were found, e.g.
  // "exists:%{i}._spf.example.test (in include:_spf.example.test)".
  std::vector<std::string> not_expandable;
  // For permerror/temperror: what went wrong and where, one line, for a log and a metric label-free
  // message, e.g. "include/redirect loop: example.test -> _spf.example.test -> example.test
  // (in include:_spf.example.test)". Record text in it is quoted with odd bytes as \xNN.
  // `networks` and `not_expandable` are empty then: keep what the last good expansion gave.
  std::string error;
  std::size_t dns_terms = 0;  // DNS-querying terms evaluated (for the 10-lookup limit)
};

const char* to_string(SpfOutcome outcome);

// Expands the SPF record of `domain` (no trailing dot needed; case-insensitive). Every query made
// for it ends by `deadline`.
void expand_spf(Resolver& resolver, std::string domain, SpfLimits limits, Resolver::Deadline deadline,
                std::function<void(SpfExpansion)> done);

}  // namespace rdns::checks::discovery
