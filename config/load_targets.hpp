// [[targets]]: every entry into canonical config::Target values (one per address, CIDRs
// expanded), with the same file:line:col errors as the rest of the loader. Internal to
// config/ (it reads toml++ nodes); load.cpp calls it.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "config/model.hpp"
#include "config/toml_util.hpp"

namespace rdns::config {

// The keys of one [[targets]] entry (also for "belongs in [[targets]]" hints elsewhere).
extern const std::vector<std::string_view> k_target_keys;

struct TargetsInput {
  std::size_t max_total_targets = 0;   // addresses of all entries together
  std::size_t max_cidr_addresses = 0;  // addresses one cidr may expand to
  TomlReader::SectionOf section_of = nullptr;
  std::vector<ConfigError>* warnings = nullptr;  // accepted but worth saying; may be null
};

// A cidr over this many addresses with series = "all" gets a warning suggesting "failing".
inline constexpr std::size_t k_series_all_warning_addresses = 4096;

// Appends the targets of the `[[targets]]` array `node` to `targets`, and its spf_domain /
// discover entries to `discovery`. Duplicate addresses, two entries for one SPF domain and two
// egress entries are errors naming both entries.
[[nodiscard]] tl::expected<void, ConfigError> load_targets(TomlReader& toml, const toml::node& node,
                                                           const TargetsInput& input, std::vector<Target>& targets,
                                                           std::vector<DiscoveryEntry>& discovery);

}  // namespace rdns::config
