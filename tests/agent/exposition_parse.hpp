// A strict reader of the Prometheus text format 0.0.4 for tests: every sample with its labels,
// and the first violation found (bad name, bad escape, sample before its TYPE, a family split
// in two, a duplicate series or label). Header-only, test code.
#pragma once

#include <cstdlib>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace rdns::agent::testing {

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct Exposition {
  std::vector<Sample> samples;
  std::map<std::string, std::string> types;
  std::map<std::string, std::string> helps;
  std::string error;  // empty when valid

  // Samples of `name` whose labels include all of `subset`.
  std::vector<Sample> find(const std::string& name, const std::map<std::string, std::string>& subset = {}) const {
    std::vector<Sample> out;
    for (const auto& sample : samples) {
      if (sample.name != name) continue;
      bool match = true;
      for (const auto& [key, value] : subset) {
        auto it = sample.labels.find(key);
        if (it == sample.labels.end() || it->second != value) match = false;
      }
      if (match) out.push_back(sample);
    }
    return out;
  }
  std::optional<double> value(const std::string& name, const std::map<std::string, std::string>& subset = {}) const {
    auto found = find(name, subset);
    if (found.size() != 1) return std::nullopt;
    return found.front().value;
  }
};

inline bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':'; }
inline bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

inline std::string family_of(const std::string& name, const std::map<std::string, std::string>& types) {
  if (types.count(name)) return name;
  for (std::string_view suffix : {"_bucket", "_sum", "_count"}) {
    if (name.size() > suffix.size() && name.ends_with(suffix)) {
      std::string base = name.substr(0, name.size() - suffix.size());
      if (types.count(base)) return base;
    }
  }
  return name;
}

inline Exposition parse_exposition(std::string_view text) {
  Exposition out;
  std::set<std::string> seen_series;
  std::set<std::string> finished_families;
  std::string current_family;
  int line_number = 0;
  auto fail = [&](const std::string& why, std::string_view line) {
    if (out.error.empty()) out.error = "line " + std::to_string(line_number) + ": " + why + ": " + std::string(line);
  };
  while (!text.empty()) {
    auto end = text.find('\n');
    if (end == std::string_view::npos) {
      fail("last line without newline", text);
      break;
    }
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end + 1);
    ++line_number;
    if (line.empty()) continue;
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) {
      const bool is_type = line[2] == 'T';
      std::string_view rest = line.substr(7);
      auto space = rest.find(' ');
      std::string name(rest.substr(0, space));
      std::string arg = space == std::string_view::npos ? "" : std::string(rest.substr(space + 1));
      if (name.empty() || !is_name_start(name[0])) fail("bad family name", line);
      for (char c : name)
        if (!is_name_char(c)) fail("bad family name", line);
      if (is_type) {
        if (out.types.count(name)) fail("second TYPE", line);
        if (arg != "gauge" && arg != "counter" && arg != "histogram" && arg != "summary" && arg != "untyped")
          fail("bad type", line);
        out.types[name] = arg;
      } else {
        if (out.helps.count(name)) fail("second HELP", line);
        out.helps[name] = arg;
      }
      continue;
    }
    if (line.starts_with("#")) continue;
    Sample sample;
    std::size_t i = 0;
    while (i < line.size() && is_name_char(line[i])) ++i;
    sample.name = std::string(line.substr(0, i));
    if (sample.name.empty() || !is_name_start(sample.name[0])) {
      fail("bad metric name", line);
      continue;
    }
    std::string series = sample.name;
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (i < line.size() && line[i] != '}') {
        std::size_t start = i;
        while (i < line.size() && is_name_char(line[i]) && line[i] != ':') ++i;
        std::string label(line.substr(start, i - start));
        if (label.empty() || (label[0] >= '0' && label[0] <= '9')) fail("bad label name", line);
        if (i + 1 >= line.size() || line[i] != '=' || line[i + 1] != '"') {
          fail("expected =\"", line);
          break;
        }
        i += 2;
        std::string value;
        bool closed = false;
        while (i < line.size()) {
          char c = line[i++];
          if (c == '"') {
            closed = true;
            break;
          }
          if (c == '\\') {
            if (i >= line.size()) break;
            char e = line[i++];
            if (e == '\\')
              value += '\\';
            else if (e == '"')
              value += '"';
            else if (e == 'n')
              value += '\n';
            else
              fail("bad escape in label value", line);
          } else {
            value += c;
          }
        }
        if (!closed) {
          fail("unterminated label value", line);
          break;
        }
        if (sample.labels.count(label)) fail("duplicate label " + label, line);
        sample.labels[label] = value;
        if (i < line.size() && line[i] == ',') ++i;
      }
      if (i >= line.size() || line[i] != '}') {
        fail("unterminated label set", line);
        continue;
      }
      ++i;
    }
    if (i >= line.size() || line[i] != ' ') {
      fail("expected a space before the value", line);
      continue;
    }
    std::string value_text(line.substr(i + 1));
    auto space = value_text.find(' ');  // an optional timestamp follows
    if (space != std::string::npos) value_text.resize(space);
    if (value_text == "+Inf")
      sample.value = std::numeric_limits<double>::infinity();
    else if (value_text == "-Inf")
      sample.value = -std::numeric_limits<double>::infinity();
    else if (value_text == "NaN")
      sample.value = std::numeric_limits<double>::quiet_NaN();
    else {
      char* parse_end = nullptr;
      sample.value = std::strtod(value_text.c_str(), &parse_end);
      if (value_text.empty() || *parse_end != '\0') fail("bad value", line);
    }
    const std::string family = family_of(sample.name, out.types);
    if (!out.types.count(family)) fail("sample without TYPE", line);
    if (family != current_family) {
      if (finished_families.count(family)) fail("family split in two", line);
      if (!current_family.empty()) finished_families.insert(current_family);
      current_family = family;
    }
    for (const auto& [key, value] : sample.labels) series += "\x01" + key + "\x02" + value;
    if (!seen_series.insert(series).second) fail("duplicate series", line);
    out.samples.push_back(std::move(sample));
  }
  return out;
}

}  // namespace rdns::agent::testing
