// Typed, position-aware access to a parsed TOML document, turning every mismatch into a
// ConfigError with file, line, column and dotted key. Internal to config/: include it only
// from the loaders (load.cpp, web_config.cpp), since <toml++/toml.h> is slow to compile.
// A TomlReader holds only the file name; it is not shared between threads.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <toml++/toml.h>
#include <tl/expected.hpp>

#include "config/config_error.hpp"
#include "config/validate.hpp"

namespace rdns::config {

class TomlReader {
public:
  // One element of a string array: its value, its node (for positions) and its dotted key.
  using StringItem = std::tuple<std::string, const toml::node*, std::string>;
  using SectionOf = std::string (*)(std::string_view key);

  explicit TomlReader(std::string file) : m_file(std::move(file)) {}
  const std::string& file() const { return m_file; }

  // toml++ builds one nested table per part of a dotted key and recurses over them, so
  // "a.a.a...= 1" with ~50,000 parts overflows the stack. We refuse lines with more than
  // k_max_dots dots outside strings and comments first: every real config has a handful.
  static constexpr int k_max_dots = 256;

  // The first line (1-based) with too many dots, or 0.
  static std::uint32_t line_with_too_many_dots(std::string_view text) {
    enum class In { code, comment, basic, literal, multi_basic, multi_literal } in = In::code;
    std::uint32_t line = 1;
    int dots = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
      const char c = text[i];
      if (c == '\n') {
        ++line;
        dots = 0;
        if (in == In::comment || in == In::basic || in == In::literal) in = In::code;  // single-line constructs end
        continue;
      }
      switch (in) {
        case In::code:
          if (c == '#')
            in = In::comment;
          else if (text.substr(i, 3) == "\"\"\"") {
            in = In::multi_basic;
            i += 2;
          } else if (text.substr(i, 3) == "'''") {
            in = In::multi_literal;
            i += 2;
          } else if (c == '"')
            in = In::basic;
          else if (c == '\'')
            in = In::literal;
          else if (c == '.' && ++dots > k_max_dots)
            return line;
          break;
        case In::comment: break;
        case In::basic:
          if (c == '\\')
            ++i;
          else if (c == '"')
            in = In::code;
          break;
        case In::literal:
          if (c == '\'') in = In::code;
          break;
        case In::multi_basic:
          if (c == '\\') {
            if (i + 1 < text.size() && text[i + 1] != '\n') ++i;
          } else if (text.substr(i, 3) == "\"\"\"") {
            in = In::code;
            i += 2;
          }
          break;
        case In::multi_literal:
          if (text.substr(i, 3) == "'''") {
            in = In::code;
            i += 2;
          }
          break;
      }
    }
    return 0;
  }

  [[nodiscard]] tl::expected<toml::table, ConfigError> parse(std::string_view text) const {
    if (const std::uint32_t line = line_with_too_many_dots(text); line != 0) {
      return tl::make_unexpected(
          ConfigError{m_file, static_cast<int>(line), 0, "",
                      "more than " + std::to_string(k_max_dots) +
                          " dots outside strings on one line: keys nested this deep are not supported"});
    }
    try {
      return toml::parse(text, m_file);
    } catch (const toml::parse_error& e) {
      return tl::make_unexpected(error(e.source(), "", "TOML syntax error: " + std::string(e.description())));
    }
  }

  ConfigError error(const toml::source_region& where, std::string key, std::string message) const {
    return ConfigError{m_file, static_cast<int>(std::min<std::uint32_t>(where.begin.line, 1u << 30)),
                       static_cast<int>(std::min<std::uint32_t>(where.begin.column, 1u << 30)), std::move(key),
                       std::move(message)};
  }
  ConfigError error(const toml::node& node, std::string key, std::string message) const {
    return error(node.source(), std::move(key), std::move(message));
  }

  static std::string type_name(const toml::node& node) {
    switch (node.type()) {
      case toml::node_type::string: return "a string";
      case toml::node_type::integer: return "an integer";
      case toml::node_type::floating_point: return "a floating-point number";
      case toml::node_type::boolean: return "a boolean";
      case toml::node_type::date: return "a date";
      case toml::node_type::time: return "a time";
      case toml::node_type::date_time: return "a date-time";
      case toml::node_type::array: return "an array";
      case toml::node_type::table: return "a table";
      case toml::node_type::none: break;
    }
    return "nothing";
  }

  static bool before(const toml::source_region& a, const toml::source_region& b) {
    return std::pair(a.begin.line, a.begin.column) < std::pair(b.begin.line, b.begin.column);
  }
  static bool before(const toml::node& a, const toml::node& b) { return before(a.source(), b.source()); }

  // toml::table iterates in key order; messages should follow the file.
  static std::vector<std::pair<const toml::key*, const toml::node*>> entries_in_order(const toml::table& t) {
    std::vector<std::pair<const toml::key*, const toml::node*>> out;
    out.reserve(t.size());
    for (auto it = t.begin(); it != t.end(); ++it) out.emplace_back(&it->first, &it->second);
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return before(a.first->source(), b.first->source()); });
    return out;
  }

  static std::string join(std::string_view path, std::string_view key) {
    return path.empty() ? key_segment(key) : std::string(path) + "." + key_segment(key);
  }

  // The first key (in file order) of `t` that is not in `known` is an error, with a
  // suggestion for a near miss or the section the key belongs to.
  [[nodiscard]] tl::expected<void, ConfigError> check_keys(const toml::table& t, std::string_view path,
                                                           const std::vector<std::string_view>& known,
                                                           SectionOf section_of) const {
    for (const auto& [key, value] : entries_in_order(t)) {
      const std::string_view name = key->str();
      if (std::find(known.begin(), known.end(), name) != known.end()) continue;
      std::string message = "unknown key";
      if (const std::string near = suggest(name, known); !near.empty()) {
        message += " (did you mean " + quote(near) + "?)";
      } else if (section_of) {
        if (const std::string section = section_of(name); !section.empty())
          message += " (it belongs in " + section + ")";
      }
      return tl::make_unexpected(error(key->source(), join(path, name), message));
    }
    return {};
  }

  [[nodiscard]] tl::expected<const toml::table*, ConfigError> table(const toml::node& node,
                                                                    std::string_view key) const {
    if (const toml::table* t = node.as_table()) return t;
    return tl::make_unexpected(
        error(node, std::string(key), "expected a table ([" + std::string(key) + "]), got " + type_name(node)));
  }

  [[nodiscard]] tl::expected<std::string, ConfigError> string(const toml::node& node, std::string_view key,
                                                              std::string_view what = "a string") const {
    if (const auto* s = node.as_string()) return s->get();
    return tl::make_unexpected(
        error(node, std::string(key), "expected " + std::string(what) + ", got " + type_name(node)));
  }

  [[nodiscard]] tl::expected<bool, ConfigError> boolean(const toml::node& node, std::string_view key) const {
    if (const auto* b = node.as_boolean()) return b->get();
    return tl::make_unexpected(error(node, std::string(key), "expected true or false, got " + type_name(node)));
  }

  [[nodiscard]] tl::expected<std::int64_t, ConfigError> integer(const toml::node& node, std::string_view key) const {
    if (const auto* i = node.as_integer()) return i->get();
    return tl::make_unexpected(error(node, std::string(key), "expected an integer, got " + type_name(node)));
  }

  // An integer or a float (TOML keeps them apart; a user writes 100 or 12.5).
  [[nodiscard]] tl::expected<double, ConfigError> number(const toml::node& node, std::string_view key) const {
    if (const auto* i = node.as_integer()) return static_cast<double>(i->get());
    if (const auto* f = node.as_floating_point()) return f->get();
    return tl::make_unexpected(error(node, std::string(key), "expected a number, got " + type_name(node)));
  }

  [[nodiscard]] tl::expected<std::vector<StringItem>, ConfigError> string_array(const toml::node& node,
                                                                                std::string_view key) const {
    const toml::array* a = node.as_array();
    if (!a) {
      return tl::make_unexpected(error(node, std::string(key), "expected an array of strings, got " + type_name(node)));
    }
    std::vector<StringItem> out;
    out.reserve(a->size());
    for (std::size_t i = 0; i < a->size(); ++i) {
      const toml::node& element = *a->get(i);
      std::string element_key = std::string(key) + "[" + std::to_string(i) + "]";
      auto s = string(element, element_key);
      if (!s) return tl::make_unexpected(s.error());
      out.emplace_back(std::move(*s), &element, std::move(element_key));
    }
    return out;
  }

private:
  std::string m_file;
};

}  // namespace rdns::config
