// What one /probe found, and its two renderings: the exposition Prometheus scrapes and the
// debug=true explanation for a person. Pure: no DNS, no HTTP.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "checks/check_result.hpp"
#include "checks/tracing_resolver.hpp"

namespace rdns::agent {

// How long a probe may take, and why.
struct ProbeBudget {
  std::chrono::milliseconds budget{0};
  bool from_scrape_timeout = false;  // X-Prometheus-Scrape-Timeout-Seconds decided it
  std::string reason;                // one line, for debug=true
};

// The scrape's timeout minus `offset`, capped by `configured` ([schedule] timeout); the
// configured timeout without the header. When the scrape timeout is not longer than the offset,
// half of the scrape timeout (an answer in time beats a complete one too late).
ProbeBudget probe_budget(std::optional<double> scrape_timeout_seconds, std::chrono::milliseconds offset,
                         std::chrono::milliseconds configured);

// A host-name target: the A and AAAA lookups of the name.
struct HostLookup {
  std::string name;  // normalised
  checks::LookupStatus a_status = checks::LookupStatus::timeout;
  checks::LookupStatus aaaa_status = checks::LookupStatus::timeout;
  std::vector<std::string> addresses;  // canonical, sorted (IPv4 first), at most the cap
  std::size_t dropped = 0;             // addresses beyond the cap, not checked
};

struct ProbeOutcome {
  std::string target;                        // as asked
  std::optional<HostLookup> host;            // set for a host-name target
  std::vector<std::string> refused;          // addresses outside [probe] allow_cidrs, not checked
  std::vector<checks::CheckResult> results;  // one per checked address
  std::vector<bool> timed_out;               // per result: no answer before the deadline
  ProbeBudget budget;
  std::chrono::duration<double> elapsed{0};
};

// 1 when at least one address was checked, none was refused, and every check passed.
bool probe_succeeded(const ProbeOutcome& outcome);

// probe_success, probe_duration_seconds, for a host name probe_host_lookup_status and
// probe_host_addresses, then the per-IP rdns_* families with an `ip` label per address.
std::string probe_exposition(const ProbeOutcome& outcome);

// The explanation: budget, every lookup (name, type, status, answers, TTL, DNSSEC state), the
// verdicts with their reasons per address, then the exposition above.
std::string probe_debug_text(const ProbeOutcome& outcome, const std::vector<checks::TracedLookup>& lookups);

}  // namespace rdns::agent
