#include "checks/generic/public_suffix.hpp"

#include <libpsl.h>

#include <algorithm>
#include <array>
#include <string_view>

namespace rdns::checks::generic {
namespace {

// Second-level labels under which ccTLD registries sell names ("example.co.uk").
constexpr std::array<std::string_view, 24> k_second_levels = {
    "ac", "ad", "co", "com", "ed", "edu", "go", "gob", "gov", "gr", "in", "lg",
    "ltd", "mil", "ne", "net", "nic", "nom", "or", "org", "plc", "sch", "web", "info"};

std::size_t labels_in(std::string_view s) {
  return s.empty() ? 0 : static_cast<std::size_t>(std::count(s.begin(), s.end(), '.')) + 1;
}

}  // namespace

void PublicSuffixList::Free::operator()(psl_ctx_st* ctx) const { psl_free(ctx); }

PublicSuffixList::PublicSuffixList() {
  // psl_latest(nullptr) picks the newer of the system data file and the built-in list; it
  // returns the built-in context itself when that is newer (which must not be freed).
  psl_ctx_t* latest = psl_latest(nullptr);
  const psl_ctx_t* builtin = psl_builtin();
  if (latest != nullptr && latest != builtin) {
    m_owned.reset(latest);
    m_ctx = latest;
    m_source = "system file";
  } else if (builtin != nullptr) {
    m_ctx = builtin;
    m_source = "builtin";
  }
}

const PublicSuffixList& PublicSuffixList::instance() {
  static const PublicSuffixList list;  // thread-safe initialisation, loaded once
  return list;
}

std::size_t PublicSuffixList::registered_domain_labels(const std::string& name, std::size_t label_count) const {
  if (label_count < 2) return label_count;
  if (m_ctx == nullptr) return fallback_registered_domain_labels(name, label_count);
  if (const char* domain = psl_registrable_domain(m_ctx, name.c_str()); domain != nullptr) {
    return std::min(labels_in(domain), label_count);
  }
  // The name is itself a public suffix (or under a wildcard one): take the longest ICANN
  // suffix and one label more.
  std::size_t dot = name.size();
  std::size_t suffix_labels = 0;
  std::size_t icann = 1;
  while (dot > 0) {
    dot = name.rfind('.', dot - 1);
    const std::size_t from = dot == std::string::npos ? 0 : dot + 1;
    ++suffix_labels;
    if (psl_is_public_suffix2(m_ctx, name.c_str() + from, PSL_TYPE_ICANN | PSL_TYPE_NO_STAR_RULE)) {
      icann = suffix_labels;
    }
    if (dot == std::string::npos) break;
  }
  return std::min(icann + 1, label_count);
}

std::size_t fallback_registered_domain_labels(const std::string& name, std::size_t label_count) {
  if (label_count < 2) return label_count;
  const std::string_view n = name;
  const std::size_t last = n.rfind('.');
  const std::size_t prev = last == 0 || last == std::string_view::npos ? std::string_view::npos : n.rfind('.', last - 1);
  const std::string_view tld = n.substr(last + 1);
  const std::string_view second =
      prev == std::string_view::npos ? n.substr(0, last) : n.substr(prev + 1, last - prev - 1);
  if (label_count >= 3 && tld.size() == 2 &&
      std::find(k_second_levels.begin(), k_second_levels.end(), second) != k_second_levels.end()) {
    return 3;
  }
  return 2;
}

}  // namespace rdns::checks::generic
