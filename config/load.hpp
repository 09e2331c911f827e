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

#include "config/model.hpp"

namespace rdns::config {

// A problem a user can fix. `to_string()` is one line: "file:line:column: key: message".
struct ConfigError {
  std::string file;
  int line = 0;  // 0 when there is no position (e.g. file unreadable)
  int column = 0;
  std::string key;  // dotted path, e.g. "targets[2].cidr"; empty when not about a key
  std::string message;

  std::string to_string() const;
};

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

tl::expected<Loaded, ConfigError> load_config_file(const std::string& path, const LoadOptions& options = {});
// `source_name` is used in messages in place of a path.
tl::expected<Loaded, ConfigError> load_config_string(std::string_view toml_text, const std::string& source_name,
                                                     const LoadOptions& options = {});

}  // namespace rdns::config
