#include "checks/tracing_resolver.hpp"

namespace rdns::checks {

std::size_t LookupTrace::sent(std::string name, RrType type) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(m_mutex);
  TracedLookup lookup;
  lookup.name = std::move(name);
  lookup.type = type;
  lookup.sent_after = now - m_origin;
  m_lookups.push_back(std::move(lookup));
  return m_lookups.size() - 1;
}

void LookupTrace::answered(std::size_t index, DnsAnswer answer) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(m_mutex);
  TracedLookup& lookup = m_lookups.at(index);
  lookup.took = (now - m_origin) - lookup.sent_after;
  lookup.answer = std::move(answer);
}

std::vector<TracedLookup> LookupTrace::lookups() const {
  std::lock_guard lock(m_mutex);
  return m_lookups;
}

void TracingResolver::resolve(std::string name, RrType type, Deadline deadline, Callback done) {
  const std::size_t index = m_trace->sent(name, type);
  m_inner.resolve(std::move(name), type, deadline, [trace = m_trace, index, done = std::move(done)](DnsAnswer answer) {
    trace->answered(index, answer);
    done(std::move(answer));
  });
}

}  // namespace rdns::checks
