#include "config/duration.hpp"

#include <cstdint>
#include <limits>

namespace rdns::config {
namespace {

struct Unit {
  std::string_view name;
  std::uint64_t nanoseconds;
};

// Longest names first so "ms" is not read as "m" followed by garbage.
constexpr Unit k_units[] = {
    {"ns", 1},
    {"us", 1'000},
    {"\xC2\xB5s", 1'000},  // U+00B5 micro sign
    {"\xCE\xBCs", 1'000},  // U+03BC Greek small letter mu
    {"ms", 1'000'000},
    {"s", 1'000'000'000},
    {"m", 60'000'000'000},
    {"h", 3'600'000'000'000},
};

constexpr std::uint64_t k_max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

tl::expected<std::chrono::milliseconds, std::string> parse_duration(std::string_view text) {
  if (text.empty()) return tl::make_unexpected(std::string("empty duration"));
  std::string_view s = text;
  bool negative = false;
  if (s.front() == '-' || s.front() == '+') {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return tl::make_unexpected(std::string("must be greater than zero"));
  if (s.empty()) return tl::make_unexpected(std::string("no number"));

  std::uint64_t total = 0;  // nanoseconds
  while (!s.empty()) {
    // Integer part, then an optional fraction, as in Go.
    std::uint64_t whole = 0;
    bool overflow = false;
    std::size_t i = 0;
    for (; i < s.size() && is_digit(s[i]); ++i) {
      if (whole > (k_max - (s[i] - '0')) / 10)
        overflow = true;
      else
        whole = whole * 10 + static_cast<std::uint64_t>(s[i] - '0');
    }
    const bool had_whole = i > 0;
    std::uint64_t frac = 0, scale = 1;
    bool had_frac = false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      for (; i < s.size() && is_digit(s[i]); ++i) {
        had_frac = true;
        if (scale <= k_max / 10 / 10) {  // extra digits beyond precision are dropped
          frac = frac * 10 + static_cast<std::uint64_t>(s[i] - '0');
          scale *= 10;
        }
      }
    }
    if (!had_whole && !had_frac) return tl::make_unexpected(std::string("expected a number"));
    if (overflow) return tl::make_unexpected(std::string("out of range"));
    s.remove_prefix(i);

    std::size_t unit_len = 0;
    while (unit_len < s.size() && s[unit_len] != '.' && !is_digit(s[unit_len])) ++unit_len;
    if (unit_len == 0) {
      return tl::make_unexpected(std::string("missing unit (use ns, us, ms, s, m or h, e.g. \"30s\")"));
    }
    const std::string_view unit_name = s.substr(0, unit_len);
    const Unit* unit = nullptr;
    for (const Unit& u : k_units) {
      if (u.name == unit_name) unit = &u;
    }
    if (unit == nullptr) {
      return tl::make_unexpected("unknown unit \"" + std::string(unit_name) + "\" (use ns, us, ms, s, m or h)");
    }
    s.remove_prefix(unit_len);

    if (whole > k_max / unit->nanoseconds) return tl::make_unexpected(std::string("out of range"));
    std::uint64_t value = whole * unit->nanoseconds;
    if (frac > 0) {
      // frac/scale * unit, computed without overflow: unit <= 3.6e12 and frac < scale.
      const long double part = static_cast<long double>(frac) * static_cast<long double>(unit->nanoseconds) /
                               static_cast<long double>(scale);
      value += static_cast<std::uint64_t>(part);
      if (value > k_max) return tl::make_unexpected(std::string("out of range"));
    }
    if (total > k_max - value) return tl::make_unexpected(std::string("out of range"));
    total += value;
  }
  if (negative && total > 0) return tl::make_unexpected(std::string("must not be negative"));
  if (total == 0) return tl::make_unexpected(std::string("must be greater than zero"));
  const auto ms = static_cast<std::int64_t>(total / 1'000'000);
  if (ms == 0) return tl::make_unexpected(std::string("must be at least 1ms"));
  return std::chrono::milliseconds(ms);
}

std::string format_duration(std::chrono::milliseconds d) {
  std::int64_t ms = d.count();
  std::string out;
  if (ms < 0) {
    out = "-";
    // Avoid overflow on the most negative value by working in unsigned.
  }
  std::uint64_t u = ms < 0 ? 0 - static_cast<std::uint64_t>(ms) : static_cast<std::uint64_t>(ms);
  if (u == 0) return "0s";
  if (u < 1000) return out + std::to_string(u) + "ms";
  const std::uint64_t hours = u / 3'600'000;
  u %= 3'600'000;
  const std::uint64_t minutes = u / 60'000;
  u %= 60'000;
  const std::uint64_t seconds = u / 1000;
  const std::uint64_t millis = u % 1000;
  if (hours > 0) out += std::to_string(hours) + "h";
  if (minutes > 0) out += std::to_string(minutes) + "m";
  if (seconds > 0 || millis > 0) {
    out += std::to_string(seconds);
    if (millis > 0) {
      std::string frac = std::to_string(millis);
      frac.insert(0, 3 - frac.size(), '0');
      while (frac.back() == '0') frac.pop_back();
      out += "." + frac;
    }
    out += "s";
  }
  return out;
}

}  // namespace rdns::config
