// The compact form of a CheckResult that the agent keeps per target between checks.
// A /16 is 65,536 of these, so the common case (a passing target) is ~100 bytes: the names in
// one string, the verdicts as small enums; what only a failure needs (the remediation inputs)
// lives in a shared, immutable block allocated only then.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checks/check_result.hpp"

namespace rdns::agent {

// An optional<bool> in one byte.
enum class Tri : std::uint8_t { unknown, no, yes };
constexpr Tri to_tri(std::optional<bool> value) { return !value ? Tri::unknown : (*value ? Tri::yes : Tri::no); }
constexpr std::optional<bool> from_tri(Tri value) {
  if (value == Tri::unknown) return std::nullopt;
  return value == Tri::yes;
}

// What only a failed or undecided result keeps (the inputs of the remediation hints): the
// detail texts, the per-name forward lookups and the SOAs, packed into one string (a struct of
// strings and vectors costs ~850 bytes per target; this is ~150-300). See target_record.cpp.
struct RecordDetails {
  std::string packed;
};

inline constexpr std::uint8_t k_no_status = 0xff;

// Thread-safety: plain value; `details` is immutable once built, so copies may be read from
// any thread.
struct TargetRecord {
  std::string hostnames;  // PTR names, answer order, joined with '\n' (a name never holds a raw LF)
  // What the reverse zone's servers serve (shared by the zone's IPs while consistent); null when
  // not asked. Not in the state file: the first check after a start asks again.
  std::shared_ptr<const checks::PtrConsistency> consistency;
  std::shared_ptr<const RecordDetails> details;  // only for results that are not a clean pass
  double checked_at = 0;                         // Unix seconds of the latest check
  double verdict_at = 0;  // Unix seconds of the check the verdict fields come from; 0: none was decided
  // The verdict fields were decided by a check whose PTR lookup was definitive but a forward or
  // HELO lookup was not: the PTR-level verdicts are set, the others unknown.
  bool verdict_partial = false;
  float duration_seconds = 0;
  float generic_score = 0;
  std::uint32_t ptr_ttl = 0;
  std::uint16_t ptr_records = 0;
  std::uint16_t fcrdns_confirmed_names = 0;
  checks::LookupStatus ptr_status = checks::LookupStatus::error;  // of the latest check
  std::uint8_t forward_status = k_no_status;  // of the latest check: a LookupStatus, or k_no_status without PTR names
  // The PTR status of the answer the verdict fields (and hostnames) come from: the latest
  // check's, unless they were kept from an earlier decisive one (see keep_verdicts()).
  checks::LookupStatus verdict_ptr_status = checks::LookupStatus::error;
  bool dnssec_secure = false;
  Tri ptr_present = Tri::unknown;
  Tri ptr_hostname_valid = Tri::unknown;
  Tri generic = Tri::unknown;
  Tri fcrdns_pass = Tri::unknown;
  Tri expected_hostname_match = Tri::unknown;
  Tri helo_match = Tri::unknown;
  Tri success = Tri::unknown;

  std::optional<checks::LookupStatus> forward_lookup_status() const {
    if (forward_status == k_no_status) return std::nullopt;
    return static_cast<checks::LookupStatus>(forward_status);
  }
  // Calls fn(std::string_view) for each PTR name.
  template <typename Fn>
  void for_each_hostname(Fn&& fn) const {
    std::string_view rest = hostnames;
    while (!rest.empty()) {
      auto end = rest.find('\n');
      fn(rest.substr(0, end));
      if (end == std::string_view::npos) break;
      rest.remove_prefix(end + 1);
    }
  }
};

// True when every lookup of the result was definitive: its verdicts are decided.
bool is_decisive(const checks::CheckResult& result);

// The compact form; verdict_at is set when the PTR lookup was definitive (verdict_partial when
// another lookup was not).
TargetRecord make_record(const checks::CheckResult& result);

// `latest` came from a check whose lookups failed: the verdict fields (and the PTR names they
// were decided on) of `previous`, the last record with decided verdicts, with the lookup
// statuses, check time and details of `latest`. So a resolver hiccup neither removes nor
// changes a verdict.
TargetRecord keep_verdicts(const TargetRecord& previous, TargetRecord latest);
// The consistency to keep: the latest when it decided, else the last decided one (a resolver or
// network problem neither removes nor changes it, like the verdicts).
std::shared_ptr<const checks::PtrConsistency> kept_consistency(std::shared_ptr<const checks::PtrConsistency> previous,
                                                               std::shared_ptr<const checks::PtrConsistency> latest);
// Back to the full struct (for the status page); what was not kept for a passing result
// (forward addresses, the generic reason) is empty; reverse_name is recomputed from `ip`.
checks::CheckResult to_check_result(const TargetRecord& record, std::string_view ip);

// Hash of the SET of PTR names (order and case of the answer do not matter; names are already
// normalised to lower case). Used to notice when the set changed.
std::uint64_t hostname_set_hash(const TargetRecord& record);

}  // namespace rdns::agent
