#include "config/validate.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>

#include <re2/re2.h>

#include "config/ip_network.hpp"
#include "util/ascii.hpp"

namespace rdns::config {
namespace {

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
using util::ascii_lower;

constexpr std::size_t k_max_regex_length = 1024;
// RE2's budget for one compiled pattern (its program and DFA cache). 1 MiB holds any pattern
// a host name needs (a name is at most 253 characters), e.g. six ".{1,1000}" in a row, and
// refuses a pattern whose repeats expand into a huge program. checks/generic_hostname.cpp
// compiles with the same options, so a pattern accepted here compiles there too.
constexpr std::int64_t k_regex_max_mem = std::int64_t{1} << 20;

bool is_digits(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_digit); }

// RE2's own text names the construct; a hint says why RE2 refuses it where that is not
// obvious to someone used to PCRE or ECMAScript.
std::string regex_error_hint(const RE2& re) {
  const std::string& arg = re.error_arg();
  switch (re.error_code()) {
    case RE2::ErrorBadEscape:
      if (arg.size() == 2 && arg[0] == '\\' && arg[1] >= '1' && arg[1] <= '9') return "RE2 has no backreferences";
      break;
    case RE2::ErrorBadPerlOp:
      if (arg == "(?=" || arg == "(?!") return "RE2 has no lookahead";
      // RE2 from 2023 on (Debian 13) accepts "(?<name>" and names the lookbehind it refuses;
      // older (Debian 12) refuses every "(?<" and names only that much: either was meant.
      if (arg == "(?<=" || arg == "(?<!") return "RE2 has no lookbehind";
      if (arg == "(?<") return "RE2 has no lookbehind; a named group is (?P<name>...)";
      break;
    case RE2::ErrorRepeatSize: {
      // "{n,m}" with n > m, else a count (or nested counts multiplied) above 1000.
      const auto comma = arg.find(',');
      if (arg.size() > 2 && comma != std::string::npos) {
        const std::string_view min = std::string_view(arg).substr(1, comma - 1);
        const std::string_view max = std::string_view(arg).substr(comma + 1, arg.size() - comma - 2);
        if (is_digits(min) && is_digits(max) && min.size() <= 9 && max.size() <= 9 &&
            std::stol(std::string(min)) > std::stol(std::string(max))) {
          return "the minimum is larger than the maximum";
        }
      }
      return "RE2 allows at most 1000 repetitions, nested repeats multiplied";
    }
    case RE2::ErrorPatternTooLarge: return "its repeats expand past RE2's 1 MiB program limit";
    default: break;
  }
  return {};
}

// RE2's message quotes the pattern raw: escape control bytes so the error stays on one line.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      const std::size_t cost = ascii_lower(a[i - 1]) == ascii_lower(b[j - 1]) ? 0 : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + cost});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

const std::vector<std::string_view> k_reserved_label_names = {
    "ip",       "hostname", "status", "type",   "result", "version", "revision", "unbound_version",
    "instance", "job",      "le",     "target", "check",
};

namespace {

// Host names and domain names share every rule but one: a domain name may hold underscores
// (SPF records are often published at names such as _spf.example.com).
[[nodiscard]] tl::expected<std::string, std::string> normalize_name(std::string_view name, bool domain) {
  if (name.empty()) {
    return tl::make_unexpected(std::string(domain ? "is empty" : "is empty (leave the key out to skip this check)"));
  }
  if (name.back() == '.') name.remove_suffix(1);
  if (name.empty()) return tl::make_unexpected(std::string("is the root, not a host name"));
  if (name.size() > 253) {
    return tl::make_unexpected("is " + std::to_string(name.size()) + " characters long, more than 253");
  }
  std::string out;
  out.reserve(name.size());
  std::size_t label_start = 0;
  std::size_t labels = 0;
  bool last_all_digits = true;
  for (std::size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '.') {
      const std::string_view label = name.substr(label_start, i - label_start);
      if (label.empty()) return tl::make_unexpected(std::string("has an empty label (\"..\" or a leading dot)"));
      if (label.size() > 63) {
        return tl::make_unexpected("has a label of " + std::to_string(label.size()) + " characters, more than 63");
      }
      if (label.front() == '-' || label.back() == '-') {
        return tl::make_unexpected("has a label starting or ending with a hyphen: " + quote(label));
      }
      last_all_digits = std::all_of(label.begin(), label.end(), is_digit);
      ++labels;
      if (i < name.size()) out += '.';
      label_start = i + 1;
      continue;
    }
    const char c = name[i];
    if (!is_alpha(c) && !is_digit(c) && c != '-' && !(domain && c == '_')) {
      if (static_cast<unsigned char>(c) >= 0x80) {
        return tl::make_unexpected(
            std::string("has a non-ASCII character (write internationalised names in "
                        "their xn-- form)"));
      }
      char buf[48];
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
        std::snprintf(buf, sizeof buf, "has the control character \\x%02x", static_cast<unsigned char>(c));
      } else {
        std::snprintf(buf, sizeof buf, "has the character %s", quote(std::string_view(&c, 1)).c_str());
      }
      return tl::make_unexpected(std::string(buf) +
                                 (domain ? " (only letters, digits, hyphens, underscores and dots are allowed)"
                                         : " (only letters, digits, hyphens and dots are allowed)"));
    }
    out += ascii_lower(c);
  }
  if (labels < 2) return tl::make_unexpected(std::string("is not a fully qualified name (e.g. mail.example.com)"));
  if (last_all_digits) {
    return tl::make_unexpected(std::string(domain ? "looks like an IP address, not a domain name"
                                                  : "looks like an IP address, not a host name"));
  }
  return out;
}

}  // namespace

tl::expected<std::string, std::string> normalize_hostname(std::string_view name) { return normalize_name(name, false); }

tl::expected<std::string, std::string> normalize_domain_name(std::string_view name) {
  return normalize_name(name, true);
}

tl::expected<void, std::string> check_label_name(std::string_view name) {
  if (name.empty()) return tl::make_unexpected(std::string("label name is empty"));
  const bool valid = (is_alpha(name[0]) || name[0] == '_') && std::all_of(name.begin(), name.end(), [](char c) {
                       return is_alpha(c) || is_digit(c) || c == '_';
                     });
  if (!valid) {
    return tl::make_unexpected("invalid label name " + quote(name) + ": must match [a-zA-Z_][a-zA-Z0-9_]*");
  }
  if (name.starts_with("__")) {
    return tl::make_unexpected("invalid label name " + quote(name) + ": names starting with \"__\" are reserved");
  }
  if (std::find(k_reserved_label_names.begin(), k_reserved_label_names.end(), name) != k_reserved_label_names.end()) {
    return tl::make_unexpected("label name " + quote(name) + " is reserved: rdns_exporter's own metrics use it");
  }
  return {};
}

tl::expected<void, std::string> check_regex(std::string_view pattern) {
  if (pattern.empty()) return tl::make_unexpected(std::string("it is empty (it would match every name)"));
  if (pattern.size() > k_max_regex_length) {
    return tl::make_unexpected("it is " + std::to_string(pattern.size()) + " characters long, more than " +
                               std::to_string(k_max_regex_length));
  }
  // With the options checks/generic_hostname.cpp compiles it with: case-insensitive changes
  // what a class means; log_errors off keeps RE2 from writing to stderr.
  RE2::Options options;
  options.set_case_sensitive(false);
  options.set_log_errors(false);
  options.set_max_mem(k_regex_max_mem);
  const RE2 re(re2::StringPiece(pattern.data(), pattern.size()), options);
  if (!re.ok()) {
    std::string why = text::one_line(re.error());
    if (const std::string hint = regex_error_hint(re); !hint.empty()) why += " (" + hint + ")";
    return tl::make_unexpected(why);
  }
  return {};
}

tl::expected<std::string, std::string> normalize_forwarder(std::string_view text) {
  std::string_view addr = text;
  std::string_view port;
  if (const auto at = text.rfind('@'); at != std::string_view::npos) {
    addr = text.substr(0, at);
    port = text.substr(at + 1);
  }
  auto ip = canonical_ip(addr);
  if (!ip) {
    return tl::make_unexpected("address " + quote(addr) + " is not an IP literal (write \"addr\" or \"addr@port\")");
  }
  if (text.size() != addr.size()) {
    unsigned long value = 0;
    const bool digits = !port.empty() && port.size() <= 5 && std::all_of(port.begin(), port.end(), is_digit);
    if (digits) {
      for (char c : port) value = value * 10 + static_cast<unsigned long>(c - '0');
    }
    if (!digits || value < 1 || value > 65535) {
      return tl::make_unexpected("port " + quote(port) + " is not a number from 1 to 65535");
    }
    return *ip + "@" + std::to_string(value);
  }
  return *ip;
}

std::string suggest(std::string_view word, const std::vector<std::string_view>& candidates) {
  std::string best;
  std::size_t best_distance = 0;
  for (std::string_view c : candidates) {
    const std::size_t d = edit_distance(word, c);
    // A typo: at most 2 edits, and fewer than half the word (so "ip" is not "id" of anything).
    if (d <= 2 && d * 2 < std::max(word.size(), c.size()) && (best.empty() || d < best_distance)) {
      best = std::string(c);
      best_distance = d;
    }
  }
  return best;
}

std::string key_segment(std::string_view key) {
  const bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return is_alpha(c) || is_digit(c) || c == '_' || c == '-';
  });
  return bare ? std::string(key) : quote(key);
}

}  // namespace rdns::config
