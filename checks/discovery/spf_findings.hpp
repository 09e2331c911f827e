// What an SPF expansion has found so far, each finding at the sequence number of its term (the
// term's position in RFC 7208 evaluation order): networks, terms that cannot be expanded, void
// lookups and errors. The earliest error wins, whatever order the answers arrived in; the
// (max+1)-th void lookup in that order is an error too. Used by spf_expander.cpp's walk.
//
// Thread-safety: none; the expansion's mutex guards it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "checks/discovery/spf_expander.hpp"

namespace rdns::checks::discovery {

using SpfSeq = std::uint64_t;
inline constexpr SpfSeq k_no_spf_error = ~SpfSeq{0};

// "1st", "2nd", "3rd", "11th", ...
std::string ordinal(std::size_t n);

class SpfFindings {
public:
  explicit SpfFindings(const SpfLimits& limits) : m_limits(limits) {}

  // An error at `seq`; an earlier one already known wins.
  void error_at(SpfSeq seq, SpfOutcome outcome, std::string message);
  // An error before any term (the domain itself is unusable).
  void fail_now(SpfOutcome outcome, std::string message);
  // The sequence number of the error that counts so far (k_no_spf_error without one).
  SpfSeq first_error() const;

  void void_lookup(SpfSeq seq, std::string term_in) { m_voids.emplace(seq, std::move(term_in)); }
  void network(std::string network) { m_networks.insert(std::move(network)); }               // ip4: / ip6:
  void found(SpfSeq seq, std::string network) { m_found.emplace(seq, std::move(network)); }  // a / mx
  void not_expandable(SpfSeq seq, std::string term_in) { m_not_expandable.emplace(seq, std::move(term_in)); }
  void no_record() { m_none = true; }  // the top domain publishes no SPF record

  // The outcome: the earliest error, or none, or the networks sorted by family, address and
  // length with the not-expandable terms in evaluation order.
  SpfExpansion result(std::size_t dns_terms) const;

private:
  const SpfLimits m_limits;
  std::set<std::string> m_networks;
  std::multimap<SpfSeq, std::string> m_found;
  std::multimap<SpfSeq, std::string> m_not_expandable;
  std::map<SpfSeq, std::string> m_voids;  // seq -> "term (in ...)"
  bool m_none = false;
  SpfSeq m_error_seq = k_no_spf_error;
  SpfOutcome m_outcome = SpfOutcome::ok;
  std::string m_error;
};

}  // namespace rdns::checks::discovery
