#include "agent/engine/resolver_stack.hpp"

#include <mutex>
#include <utility>

namespace rdns::agent {
namespace {

QueryCounts to_query_counts(const checks::CountingResolver& counter) {
  QueryCounts counts;
  for (const auto& row : counter.snapshot()) {
    counts[{std::string(checks::rr_type_name(row.type)), std::string(checks::to_string(row.status))}] += row.count;
  }
  return counts;
}

}  // namespace

ResolverStack::ResolverStack(std::shared_ptr<checks::Resolver> base, ResolverStackOptions options)
    : m_options(std::move(options)),
      m_counting(std::make_shared<checks::CountingResolver>(std::move(base))),
      m_limited(m_counting.get(), m_options.limiter) {}

void ResolverStack::resolve(std::string name, checks::RrType type, Deadline deadline, Callback done) {
  {
    std::shared_lock lock(m_mutex);
    if (!m_closed) {
      m_limited.resolve(std::move(name), type, deadline, std::move(done));
      return;
    }
  }
  checks::DnsAnswer answer;
  answer.status = checks::LookupStatus::error;
  answer.detail = "resolver shutting down";
  done(std::move(answer));
}

void ResolverStack::close() {
  std::unique_lock lock(m_mutex);
  m_closed = true;
}

void ResolverStack::release() {
  std::shared_ptr<checks::CountingResolver> counting;
  {
    std::unique_lock lock(m_mutex);
    m_closed = true;
    if (!m_counting) return;
    m_released_counts = to_query_counts(*m_counting);
    counting = std::move(m_counting);
  }
  // Outside the lock: the cancelled queries' callbacks may ask for a follow-up query, which the
  // closed gate answers at once.
  counting.reset();
}

QueryCounts ResolverStack::counts() const {
  std::shared_lock lock(m_mutex);
  return m_counting ? to_query_counts(*m_counting) : m_released_counts;
}

}  // namespace rdns::agent
