// TOML -> Config, with every user mistake reported as a value, never thrown.
// Thread-safety: the load functions share no state; call them from any thread.
// Relative file paths in the config (root_hints_file, ...) are resolved against the directory
// of `path` (or of `source_name`), and must be readable when the config is loaded.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "config/config_error.hpp"
#include "config/model.hpp"

namespace rdns::config {

struct LoadOptions {
  // `check` may run with a config that has no targets (IPs come from the command line).
  bool require_targets = false;
  // Cap on the addresses of all [[targets]] together (each `cidr` is also capped by
  // schedule.max_cidr_addresses), so that a config cannot exhaust memory.
  std::size_t max_total_targets = std::size_t{1} << 20;
};

struct Loaded {
  Config config;
  std::vector<ConfigError> warnings;  // accepted but worth saying (logged by the caller)
};

[[nodiscard]] tl::expected<Loaded, ConfigError> load_config_file(const std::string& path,
                                                                 const LoadOptions& options = {});
// `source_name` is used in messages in place of a path.
[[nodiscard]] tl::expected<Loaded, ConfigError> load_config_string(std::string_view toml_text,
                                                                   const std::string& source_name,
                                                                   const LoadOptions& options = {});

}  // namespace rdns::config
