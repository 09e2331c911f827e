// From what the DNS said to what it means: the verdict fields of a CheckResult. Pure logic,
// table-tested without any resolver; the Checker only gathers the answers and calls this.
// Thread-safety: pure functions, safe from any thread (`classify` must be too).
//
// The rule of the contract: a resolver problem is never a record verdict. Every verdict below
// is std::nullopt unless the lookups it depends on were definitive (ok / nxdomain / nodata).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "checks/check_result.hpp"
#include "checks/resolver.hpp"

namespace rdns::checks {

// With several PTR names receivers pick one arbitrarily; more than this many is a
// misconfiguration, and looking each up would let one hostile RRset cost 40+ queries.
inline constexpr std::size_t k_max_forward_names = 10;

// Everything the checker observed for one IP.
struct Observations {
  DnsAnswer ptr;
  // One entry per PTR name looked up forward (the first k_max_forward_names of the sorted
  // ptr_names(ptr)), in that order: normalised name and its A (IPv4) / AAAA (IPv6) answer.
  std::vector<std::pair<std::string, DnsAnswer>> forward;
  std::optional<DnsAnswer> helo;  // the HELO name's A/AAAA answer, when helo_hostname is set
};

// How the generic-name classifier is consulted (a GenericClassifier, or a fake in tests).
using ClassifyFn = std::function<GenericVerdict(std::string_view hostname, std::string_view ip)>;

// The PTR names of an answer: normalised, duplicates (by case) removed, sorted (byte order).
// Empty unless the answer is `ok`: a bogus answer carries unvalidated data that must not be used.
std::vector<std::string> ptr_names(const DnsAnswer& ptr);

// Ranks statuses: ok < nodata < nxdomain < servfail < refused < timeout < error < bogus.
// Resolver problems rank above every definitive answer, so "the worst" hides nothing.
int severity(LookupStatus status);

// A/AAAA answer -> ForwardCheck; `ip` canonical. An `ok` answer without records counts as nodata.
ForwardCheck make_forward_check(std::string hostname, const DnsAnswer& answer, std::string_view ip);

// The verdict fields (everything but SOAs looked up later, duration and timestamps).
// `request.ip` must be canonical; `generic` decides: the name counts as generic when ANY checked
// PTR name is (a receiver may pick any of them); `generic->reason` is that of the first generic
// name, or of the first name when none is generic.
CheckResult evaluate(const CheckRequest& request, std::string reverse_name, const Observations& seen,
                     const ClassifyFn& classify);

// Recomputes `success` from the verdict fields: false when some enabled check definitively
// failed, nullopt when none failed but some could not be decided, true otherwise.
std::optional<bool> overall_success(const CheckResult& result);

// SOA of the zone enclosing `qname`, from an answer to an SOA (or any negative) query:
// the authority-section SOA of a negative answer, or the answer's own SOA record (then `qname`
// is the apex). nullopt when the answer says neither.
std::optional<SoaInfo> soa_from_answer(std::string_view qname, const DnsAnswer& answer);

// RNAME "hostmaster.example.net." -> "hostmaster@example.net" (an escaped dot stays a dot).
std::string soa_mailbox(std::string_view rname);

}  // namespace rdns::checks
