// The small asynchronous resolver interface the checks are written against.
// checks/unbound/ implements it over libunbound; tests implement it with fakes.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "checks/lookup_status.hpp"

namespace rdns::checks {

enum class RrType : std::uint16_t {
  A = 1,
  NS = 2,
  CNAME = 5,
  SOA = 6,
  PTR = 12,
  MX = 15,
  TXT = 16,
  AAAA = 28,
  DNSKEY = 48
};

// Who controls a zone, from its SOA record.
struct SoaInfo {
  std::string zone;         // owner name of the SOA, presentation form, no trailing dot
  std::string primary_ns;   // MNAME, no trailing dot
  std::string responsible;  // RNAME as a mail address ("hostmaster@example.net")

  bool operator==(const SoaInfo&) const = default;
};

struct DnsAnswer {
  LookupStatus status = LookupStatus::error;
  // Decoded rdata of the answer RRset of the asked type, in answer order:
  //  PTR/CNAME/NS: the name in DNS presentation form (odd bytes escaped as \DDD or \"),
  //                case preserved, with the trailing dot;
  //  A/AAAA:       canonical address text;  SOA: "mname rname serial refresh retry expire minimum";
  //  MX:           "preference exchange." ("10 mail.example.net.");
  //  TXT:          the record's character-strings concatenated, bytes as sent (RFC 7208 3.3 reads
  //                an SPF record this way); may hold any byte, so validate before display.
  //  DNSKEY:       "flags protocol algorithm key-tag" ("257 3 8 38696"; the key itself left out).
  std::vector<std::string> records;
  std::uint32_t ttl = 0;
  bool secure = false;                   // DNSSEC validated secure (never true when bogus)
  std::string canonical_name;            // the name after following CNAMEs ("" when none followed)
  std::string detail;                    // why_bogus / error text for humans
  std::optional<SoaInfo> authority_soa;  // from a negative answer's authority section
};

// Thread-safety: resolve() may be called from any thread. Callbacks run on the resolver's own
// event-loop thread, exactly once per resolve() call, including on timeout and shutdown.
class Resolver {
public:
  using Callback = std::function<void(DnsAnswer)>;
  using Deadline = std::chrono::steady_clock::time_point;

  virtual ~Resolver() = default;
  // `name` is an absolute name with trailing dot. Past `deadline` the query is cancelled and
  // completed with LookupStatus::timeout.
  virtual void resolve(std::string name, RrType type, Deadline deadline, Callback done) = 0;
};

}  // namespace rdns::checks
