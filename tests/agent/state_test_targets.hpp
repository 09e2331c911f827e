// PersistedTargets for the state file tests and the fuzz seed corpus: the shapes the store
// holds (passing, failing with details, undecided with kept verdicts, IPv6, hostile names).
#pragma once

#include <string>
#include <vector>

#include "agent/state/state_file.hpp"
#include "agent/store/target_record.hpp"
#include "tests/agent/agent_test_results.hpp"

namespace rdns::agent::testing {

inline state::PersistedTarget persisted(std::string ip, TargetRecord record) {
  state::PersistedTarget target;
  target.ip = std::move(ip);
  target.record = std::move(record);
  if (checks::is_definitive(target.record.verdict_ptr_status)) {
    target.names_hash = hostname_set_hash(target.record);
    target.last_change = target.record.checked_at - 86400.25;
  }
  return target;
}

inline std::vector<state::PersistedTarget> realistic_targets() {
  std::vector<state::PersistedTarget> targets;
  // A clean pass: no details block.
  targets.push_back(persisted("192.0.2.10", make_record(passing_result("192.0.2.10", {"mail.example.com"}))));
  targets.back().expected_hostname = "mail.example.com";
  // A missing PTR: details with the reverse zone's SOA.
  targets.push_back(persisted("192.0.2.11", make_record(missing_ptr_result("192.0.2.11"))));
  // Undecided (SERVFAIL) after a decisive pass: the verdicts kept, the latest statuses and
  // details, verdict_at older than checked_at.
  TargetRecord kept = keep_verdicts(make_record(passing_result("192.0.2.12", {"mx1.example.net", "mx2.example.net"})),
                                    make_record(failed_lookup_result("192.0.2.12", checks::LookupStatus::servfail)));
  targets.push_back(persisted("192.0.2.12", std::move(kept)));
  targets.back().helo_hostname = "mx1.example.net";
  // Never decided: a timeout, no verdict at all, no last change.
  targets.push_back(
      persisted("192.0.2.13", make_record(failed_lookup_result("192.0.2.13", checks::LookupStatus::timeout))));
  // IPv6, DNSSEC-secure, with a failing forward confirmation.
  auto v6 = passing_result("2001:db8::25", {"mail6.example.org"});
  v6.dnssec_secure = true;
  v6.forward[0].status = checks::LookupStatus::nxdomain;
  v6.forward[0].confirms = false;
  v6.forward[0].addresses.clear();
  v6.forward_status = checks::LookupStatus::nxdomain;
  v6.fcrdns_pass = false;
  v6.fcrdns_confirmed_names = 0;
  v6.success = false;
  v6.forward_zone_soa = checks::SoaInfo{"example.org", "ns.example.org", "hostmaster.example.org"};
  targets.push_back(persisted("2001:db8::25", make_record(v6)));
  // Hostile names: \DDD escapes, quotes, backslashes, non-ASCII, in names and details.
  auto hostile = passing_result("198.51.100.7",
                                {"evil\\010name.example\\.com", "x\\\"y\\\\z.example", "\xc3\xa9t\xc3\xa9.example"});
  hostile.ptr_detail = "bogus: \x1f\x1e\x1d separators \n newline \\000 nul";
  hostile.success = false;
  hostile.generic = checks::GenericVerdict{true, 0.93, "embeds IP (dynamic) \"quoted\""};
  targets.push_back(persisted("198.51.100.7", make_record(hostile)));
  targets.back().expected_hostname = "mail.example.com";
  targets.back().helo_hostname = "helo\\032name.example";
  return targets;
}

}  // namespace rdns::agent::testing
