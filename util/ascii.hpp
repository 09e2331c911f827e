// ASCII-only text helpers. Locale-free on purpose: DNS names, HTTP tokens and SPF terms compare
// case-insensitively in ASCII only, and <cctype> depends on the process locale.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace rdns::util {

constexpr char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// `text` with ASCII letters in lower case; every other byte unchanged.
inline std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

// Equal when ASCII letters are folded to lower case.
constexpr bool iequals_ascii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

// `text` without leading and trailing bytes found in `blanks` (default: space and tab, the
// optional white space of HTTP headers).
constexpr std::string_view trim(std::string_view text, std::string_view blanks = " \t") {
  const auto begin = text.find_first_not_of(blanks);
  if (begin == std::string_view::npos) return {};
  const auto end = text.find_last_not_of(blanks);
  return text.substr(begin, end - begin + 1);
}

}  // namespace rdns::util
