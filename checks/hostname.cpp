#include "checks/hostname.hpp"

#include <algorithm>
#include <cstddef>

#include "util/ascii.hpp"

namespace rdns::checks {
namespace {

bool is_ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }

// A trailing dot is a separator only when not escaped: "a\." ends in a literal dot byte, but
// "a\\." ends in an escaped backslash followed by the root separator.
bool ends_with_unescaped_dot(std::string_view name) {
  if (name.empty() || name.back() != '.') return false;
  std::size_t backslashes = 0;
  for (std::size_t i = name.size() - 1; i > 0 && name[i - 1] == '\\'; --i) ++backslashes;
  return backslashes % 2 == 0;
}

}  // namespace

std::string normalise_hostname(std::string_view name) {
  if (ends_with_unescaped_dot(name)) name.remove_suffix(1);
  return util::ascii_lower(name);
}

bool is_valid_hostname(std::string_view name) {
  if (ends_with_unescaped_dot(name)) name.remove_suffix(1);
  if (name.empty() || name.size() > 253) return false;
  std::size_t label_start = 0;
  bool last_label_numeric = true;
  for (std::size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '.') {
      const std::string_view label = name.substr(label_start, i - label_start);
      if (label.empty() || label.size() > 63) return false;
      if (label.front() == '-' || label.back() == '-') return false;
      last_label_numeric = std::all_of(label.begin(), label.end(), is_ascii_digit);
      label_start = i + 1;
      continue;
    }
    const char c = name[i];
    if (!is_ascii_letter(c) && !is_ascii_digit(c) && c != '-') return false;  // incl. '\\'
  }
  return !last_label_numeric;
}

bool same_hostname(std::string_view a, std::string_view b) { return normalise_hostname(a) == normalise_hostname(b); }

}  // namespace rdns::checks
