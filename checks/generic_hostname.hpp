// Does a PTR hostname look like an ISP's auto-assigned (generic, dynamic, pool) name?
// Pure logic: no DNS, no Prometheus.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "checks/check_result.hpp"

namespace rdns::checks {

// Thread-safety: classify() is const and safe to call from many threads at once.
class GenericClassifier {
public:
  // extra_patterns mark a name generic, allow_patterns never do; both apply after the built-in
  // rules (allow wins). Returns an error naming the bad pattern. Patterns are RE2 syntax
  // (linear-time matching, no backreferences or lookaround), case-insensitive, searched anywhere
  // in the lower-case name without trailing dot.
  [[nodiscard]] static tl::expected<GenericClassifier, std::string> create(
      const std::vector<std::string>& extra_patterns, const std::vector<std::string>& allow_patterns);
  GenericClassifier();  // built-in rules only
  ~GenericClassifier();
  GenericClassifier(GenericClassifier&&) noexcept;
  GenericClassifier& operator=(GenericClassifier&&) noexcept;

  // `hostname`: lower or mixed case, with or without trailing dot. `ip`: canonical text of
  // the address it is the PTR of, or empty when unknown.
  GenericVerdict classify(std::string_view hostname, std::string_view ip = {}) const;

private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace rdns::checks
