#include "checks/discovery/spf_findings.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <iterator>
#include <tuple>

namespace rdns::checks::discovery {
namespace {

// A network sorts by family, then address, then length.
struct NetworkKey {
  int family = 0;
  std::array<unsigned char, 16> bytes{};
  unsigned length = 0;
  std::string text;
  bool operator<(const NetworkKey& o) const {
    return std::tie(family, bytes, length, text) < std::tie(o.family, o.bytes, o.length, o.text);
  }
};

NetworkKey network_key(const std::string& network) {
  NetworkKey key;
  key.text = network;
  const auto slash = network.find('/');
  const std::string address = network.substr(0, slash);
  if (::inet_pton(AF_INET, address.c_str(), key.bytes.data()) == 1) {
    key.family = 4;
  } else if (::inet_pton(AF_INET6, address.c_str(), key.bytes.data()) == 1) {
    key.family = 6;
  }
  if (slash != std::string::npos) key.length = static_cast<unsigned>(std::stoul(network.substr(slash + 1)));
  return key;
}

}  // namespace

std::string ordinal(std::size_t n) {
  const std::size_t tens = n % 100;
  const char* suffix = (tens >= 11 && tens <= 13) ? "th"
                       : n % 10 == 1              ? "st"
                       : n % 10 == 2              ? "nd"
                       : n % 10 == 3              ? "rd"
                                                  : "th";
  return std::to_string(n) + suffix;
}

void SpfFindings::error_at(SpfSeq seq, SpfOutcome outcome, std::string message) {
  if (seq < m_error_seq) {
    m_error_seq = seq;
    m_outcome = outcome;
    m_error = std::move(message);
  }
}

void SpfFindings::fail_now(SpfOutcome outcome, std::string message) {
  m_outcome = outcome;
  m_error = std::move(message);
  m_error_seq = 0;
}

SpfSeq SpfFindings::first_error() const {
  SpfSeq first = m_error_seq;
  if (m_voids.size() > m_limits.max_void_lookups) {
    first = std::min(first, std::next(m_voids.begin(), static_cast<long>(m_limits.max_void_lookups))->first);
  }
  return first;
}

SpfExpansion SpfFindings::result(std::size_t dns_terms) const {
  SpfExpansion out;
  out.dns_terms = dns_terms;
  const SpfSeq first = first_error();
  if (first != k_no_spf_error) {
    if (first == m_error_seq) {
      out.outcome = m_outcome;
      out.error = m_error;
    } else {
      const auto nth = std::next(m_voids.begin(), static_cast<long>(m_limits.max_void_lookups));
      out.outcome = SpfOutcome::permerror;
      out.error = "more than " + std::to_string(m_limits.max_void_lookups) + " void lookups: the " +
                  ordinal(m_limits.max_void_lookups + 1) + " is " + nth->second;
    }
    return out;
  }
  if (m_none) {
    out.outcome = SpfOutcome::none;
    return out;
  }
  out.outcome = SpfOutcome::ok;
  std::set<NetworkKey> sorted;
  for (const auto& n : m_networks) sorted.insert(network_key(n));
  for (const auto& [seq, n] : m_found) sorted.insert(network_key(n));
  for (const auto& key : sorted) out.networks.push_back(key.text);
  for (const auto& [seq, text] : m_not_expandable) out.not_expandable.push_back(text);
  return out;
}

}  // namespace rdns::checks::discovery
