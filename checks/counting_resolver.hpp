// A Resolver decorator that counts every query by (type, outcome): the source of
// rdns_dns_queries_total{type,result}. Counting happens when the wrapped resolver completes the
// query, so the outcome is known; queries still in flight are not counted yet.
//
// Thread-safety: resolve() and snapshot() may be called from any thread concurrently; counters
// are relaxed atomics (a snapshot is a consistent-enough view for a monotonic counter).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "checks/resolver.hpp"

namespace rdns::checks {

// The types the checks ask for, in label order.
inline constexpr std::array<RrType, 9> k_counted_types = {RrType::PTR, RrType::A,     RrType::AAAA,
                                                          RrType::SOA, RrType::CNAME, RrType::NS,
                                                          RrType::TXT, RrType::MX,    RrType::DNSKEY};

// "PTR", "A", ... as the `type` label spells it.
constexpr std::string_view rr_type_name(RrType type) {
  switch (type) {
    case RrType::A: return "A";
    case RrType::NS: return "NS";
    case RrType::CNAME: return "CNAME";
    case RrType::SOA: return "SOA";
    case RrType::PTR: return "PTR";
    case RrType::AAAA: return "AAAA";
    case RrType::MX: return "MX";
    case RrType::TXT: return "TXT";
    case RrType::DNSKEY: return "DNSKEY";
  }
  return "unknown";
}

class CountingResolver final : public Resolver {
public:
  struct QueryCount {
    RrType type;
    LookupStatus status;
    std::uint64_t count;
  };

  // `inner` must outlive this object (shared ownership makes that hard to get wrong).
  explicit CountingResolver(std::shared_ptr<Resolver> inner);

  void resolve(std::string name, RrType type, Deadline deadline, Callback done) override;

  // Every (type, status) pair that has been counted at least once, in k_counted_types x
  // k_all_lookup_statuses order.
  std::vector<QueryCount> snapshot() const;

private:
  static constexpr std::size_t k_statuses = k_all_lookup_statuses.size();
  using Row = std::array<std::atomic<std::uint64_t>, k_statuses>;

  std::shared_ptr<Resolver> m_inner;
  // Shared with the callbacks, so a completion after this object is gone stays harmless.
  std::shared_ptr<std::array<Row, k_counted_types.size()>> m_counts;
};

}  // namespace rdns::checks
