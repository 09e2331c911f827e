#include "checks/generic/public_suffix.hpp"

#include <libpsl.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <string_view>
#include <unordered_map>

namespace rdns::checks::generic {
namespace {

// Second-level labels under which ccTLD registries sell names ("example.co.uk").
constexpr std::array<std::string_view, 24> k_second_levels = {"ac",  "ad",  "co", "com", "ed",  "edu", "go",  "gob",
                                                              "gov", "gr",  "in", "lg",  "ltd", "mil", "ne",  "net",
                                                              "nic", "nom", "or", "org", "plc", "sch", "web", "info"};

std::size_t labels_in(std::string_view s) {
  return s.empty() ? 0 : static_cast<std::size_t>(std::count(s.begin(), s.end(), '.')) + 1;
}

// The registered domain of "x.PARENT" depends on PARENT only (a rule naming one particular
// leftmost label aside), and a provider's names share their parent ("*.hsd1.ca.comcast.net"):
// answers are kept per thread, per parent. libpsl walks every suffix of the name, so this
// saves most of the cost. Bounded: the table is emptied when it is full.
struct ParentHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
constexpr std::size_t k_memo_entries = 4096;

struct Memo {
  std::unordered_map<std::string, std::uint8_t, ParentHash, std::equal_to<>> labels_by_parent;
};

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
  // Only names whose labels are all non-empty: the parent is then everything after the first dot.
  const std::size_t dot = name.find('.');
  const bool memo_ok = dot != std::string::npos && labels_in(name) == label_count && label_count < 255;
  if (!memo_ok) return lookup(name, label_count);
  thread_local Memo memo;
  const std::string_view parent = std::string_view(name).substr(dot + 1);
  if (const auto it = memo.labels_by_parent.find(parent); it != memo.labels_by_parent.end()) {
    return std::min<std::size_t>(it->second, label_count);
  }
  const std::size_t labels = lookup(name, label_count);
  if (memo.labels_by_parent.size() >= k_memo_entries) memo.labels_by_parent.clear();
  memo.labels_by_parent.emplace(std::string(parent), static_cast<std::uint8_t>(labels));
  return labels;
}

std::size_t PublicSuffixList::registered_domain_labels_uncached(const std::string& name,
                                                                std::size_t label_count) const {
  if (label_count < 2) return label_count;
  if (m_ctx == nullptr) return fallback_registered_domain_labels(name, label_count);
  return lookup(name, label_count);
}

std::size_t PublicSuffixList::lookup(const std::string& name, std::size_t label_count) const {
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
  const std::size_t prev =
      last == 0 || last == std::string_view::npos ? std::string_view::npos : n.rfind('.', last - 1);
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
