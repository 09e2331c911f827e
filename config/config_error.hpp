// ConfigError: a problem in a config file that the user can fix, with where it is. Every loader
// of config/ (the main config, the web config) returns it as a value; nothing here throws.
// Thread-safety: a plain value.
#pragma once

#include <string>

namespace rdns::config {

// `to_string()` is one line: "file:line:column: key: message" (control characters escaped).
struct ConfigError {
  std::string file;
  int line = 0;  // 0 when there is no position (e.g. file unreadable)
  int column = 0;
  std::string key;  // dotted path, e.g. "targets[2].cidr"; empty when not about a key
  std::string message;

  std::string to_string() const;
};

}  // namespace rdns::config
