// What one check of one IP found. Plain data: the exposition, the status page, the `check`
// report and /probe all render this one struct.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "checks/lookup_status.hpp"
#include "checks/resolver.hpp"
#include "checks/zone/zone_report.hpp"

namespace rdns::checks {

struct GenericVerdict {
  bool generic = false;
  double score = 0.0;  // 0..1, how sure the classifier is that the name is generic
  std::string reason;  // which rule matched and on what part of the name, e.g. "embeds IP (static)"

  bool operator==(const GenericVerdict&) const = default;
};

struct ForwardCheck {
  std::string hostname;                       // normalised: lower case, no trailing dot
  LookupStatus status = LookupStatus::error;  // of the A (IPv4) / AAAA (IPv6) lookup
  std::vector<std::string> addresses;         // canonical text
  bool confirms = false;                      // addresses contain the checked IP
  std::string detail;                         // why bogus / error text of that lookup
};

// What to check, from config or the command line.
struct CheckRequest {
  std::string ip;                                                // canonical text
  std::string expected_hostname;                                 // empty = no drift check
  std::string helo_hostname;                                     // empty = no HELO check
  std::chrono::milliseconds timeout = std::chrono::seconds(10);  // for all its queries
  bool want_soa = true;                                          // look up who controls the reverse zone on failure
  // How long a reverse zone's cut and server survey are reused by other IPs (the check interval).
  std::chrono::milliseconds zone_max_age = std::chrono::minutes(5);
};

struct CheckResult {
  std::string ip;            // canonical text
  std::string reverse_name;  // "10.2.0.192.in-addr.arpa." / 32-nibble ip6.arpa. name

  // PTR lookup
  LookupStatus ptr_status = LookupStatus::error;
  std::string ptr_detail;                  // why bogus / error text
  std::vector<std::string> ptr_hostnames;  // normalised (lower case, no trailing dot, escapes kept)
  std::uint32_t ptr_ttl = 0;
  bool dnssec_secure = false;
  std::string ptr_canonical_name;  // where a CNAME chain (RFC 2317) led, if any

  // Forward confirmation, one entry per PTR hostname
  std::vector<ForwardCheck> forward;
  std::optional<LookupStatus> forward_status;  // the worst of them; nullopt without PTR names
  std::optional<bool> fcrdns_pass;             // nullopt when undecidable
  int fcrdns_confirmed_names = 0;
  // More PTR names than the checker looks up forward (k_max_forward_names in verdict.hpp):
  // `forward` covers only the first ones of the (sorted) ptr_hostnames.
  bool forward_capped = false;

  // Verdicts; nullopt = not applicable or not decidable (withheld from the exposition)
  std::optional<bool> ptr_present;  // only when ptr_status is definitive
  std::optional<bool> ptr_hostname_valid;
  std::optional<GenericVerdict> generic;
  std::optional<bool> expected_hostname_match;  // when expected_hostname is set
  std::optional<bool> helo_match;               // when helo_hostname is set
  std::optional<ForwardCheck> helo_forward;     // the HELO name's A/AAAA lookup, when set
  std::optional<bool> success;                  // every enabled check definitively passed

  // Echo of the request's expectations (normalised), for the report and the remediation text.
  std::string expected_hostname;
  std::string helo_hostname;

  std::optional<SoaInfo> reverse_zone_soa;  // who controls the reverse zone (remediation)
  std::optional<SoaInfo> forward_zone_soa;  // who controls the first PTR name's zone

  // Every authoritative server of the reverse zone(s), asked directly (checks/zone/); null when
  // not asked (the feature is off, or the PTR lookup was not definitive).
  std::shared_ptr<const PtrConsistency> ptr_consistency;

  std::chrono::duration<double> duration{0};
  std::chrono::system_clock::time_point checked_at{};
};

}  // namespace rdns::checks
