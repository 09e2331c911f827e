// A small Prometheus-style flag parser: `--name=value`, `--name value`, `--bool-flag`,
// `--no-bool-flag`, `--` ends flags. Unknown flags are errors with the flag's name.
#pragma once

#include <span>
#include <string>
#include <vector>

#include <tl/expected.hpp>

namespace rdns::agent {

class FlagParser {
public:
  explicit FlagParser(std::string usage_line) : m_usage_line(std::move(usage_line)) {}

  // `target` keeps its current value as the default shown in help.
  void add_string(std::string name, std::string* target, std::string help);
  void add_bool(std::string name, bool* target, std::string help);

  // Returns the positional arguments, or an error message naming the offending flag.
  [[nodiscard]] tl::expected<std::vector<std::string>, std::string> parse(std::span<const std::string> args) const;

  std::string help() const;  // usage line plus one line per flag

private:
  struct Flag {
    std::string name;
    std::string* string_target = nullptr;
    bool* bool_target = nullptr;
    std::string help;
    std::string default_text;
  };
  const Flag* find(const std::string& name) const;

  std::string m_usage_line;
  std::vector<Flag> m_flags;
};

}  // namespace rdns::agent
