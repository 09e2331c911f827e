// What to do about a failed check, in words an operator can act on: the exact record to add
// (`10.2.0.192.in-addr.arpa. IN PTR mail.example.com.`, `mail.example.com. IN A 192.0.2.10`),
// who controls the zone (from its SOA), and the advice for generic names and HELO mismatches.
// Used by the `check` report and the agent's status page. Pure logic.
#pragma once

#include <string>
#include <vector>

#include "checks/check_result.hpp"

namespace rdns::checks {

// One hint per problem, in the order the checks run; empty when everything passed and nothing
// is worth a warning. Undecidable checks get a hint saying it is a resolver/server problem,
// never a record to add. Thread-safe (pure).
std::vector<std::string> remediation_hints(const CheckResult& result);

// "2.0.192.in-addr.arpa (primary name server ns1.example.net, contact hostmaster@example.net)"
std::string describe_zone(const SoaInfo& soa);

}  // namespace rdns::checks
