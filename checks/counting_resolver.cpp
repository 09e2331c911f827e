#include "checks/counting_resolver.hpp"

#include <utility>

namespace rdns::checks {
namespace {

std::size_t type_index(RrType type) {
  for (std::size_t i = 0; i < k_counted_types.size(); ++i) {
    if (k_counted_types[i] == type) {
      return i;
    }
  }
  return k_counted_types.size();
}

}  // namespace

CountingResolver::CountingResolver(std::shared_ptr<Resolver> inner)
    : m_inner(std::move(inner)), m_counts(std::make_shared<std::array<Row, k_counted_types.size()>>()) {}

void CountingResolver::resolve(std::string name, RrType type, Deadline deadline, Callback done) {
  m_inner->resolve(std::move(name), type, deadline,
                   [counts = m_counts, row = type_index(type), done = std::move(done)](DnsAnswer answer) mutable {
                     const auto column = static_cast<std::size_t>(answer.status);
                     if (row < counts->size() && column < k_statuses) {
                       (*counts)[row][column].fetch_add(1, std::memory_order_relaxed);
                     }
                     done(std::move(answer));
                   });
}

std::vector<CountingResolver::QueryCount> CountingResolver::snapshot() const {
  std::vector<QueryCount> out;
  for (std::size_t row = 0; row < k_counted_types.size(); ++row) {
    for (const LookupStatus status : k_all_lookup_statuses) {
      const auto count = (*m_counts)[row][static_cast<std::size_t>(status)].load(std::memory_order_relaxed);
      if (count > 0) {
        out.push_back({k_counted_types[row], status, count});
      }
    }
  }
  return out;
}

}  // namespace rdns::checks
