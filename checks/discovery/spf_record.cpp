// RFC 7208 record syntax. The grammar is small enough to parse by hand; every rejection says
// which term and why, since the message ends up in a log an operator reads to fix the record.
#include "checks/discovery/spf_record.hpp"
#include "util/ascii.hpp"

#include <arpa/inet.h>

#include <array>
#include <cstdint>
#include <cstdio>

namespace rdns::checks::discovery {
namespace {

constexpr std::size_t k_quote_cap = 300;  // quoted record text in messages, then "..."

using util::ascii_lower;
using util::iequals_ascii;
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }

std::string bad_term(std::string_view term, std::string_view why) {
  return "bad term " + quote_spf_text(term) + ": " + std::string(why);
}

// RFC 7208 7.1 macro-string: '%' must start "%{letter digits [r] delimiters}", "%%", "%_" or
// "%-"; the letters c, r and t belong to explanation text only (RFC 7208 7.2), not to any
// term. Returns the reason, if invalid.
std::optional<std::string> check_macros(std::string_view text, bool& has_macro) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') continue;
    has_macro = true;
    if (i + 1 >= text.size()) return "'%' at the end (write %% for a percent sign)";
    const char next = text[i + 1];
    if (next == '%' || next == '_' || next == '-') {
      ++i;
      continue;
    }
    if (next != '{') return "'%' not followed by {, %, _ or -";
    std::size_t j = i + 2;
    if (j >= text.size()) return "unterminated macro";
    const char letter = ascii_lower(text[j]);
    const std::string_view letters = "slodiphv";
    if (letters.find(letter) == std::string_view::npos) {
      return std::string("unknown macro letter '") + text[j] + "'";
    }
    ++j;
    while (j < text.size() && is_digit(text[j])) ++j;
    if (j < text.size() && ascii_lower(text[j]) == 'r') ++j;
    while (j < text.size() && std::string_view(".-+,/_=").find(text[j]) != std::string_view::npos) ++j;
    if (j >= text.size() || text[j] != '}') return "unterminated macro";
    i = j;
  }
  return std::nullopt;
}

// A domain-spec (RFC 7208 7.1): with macros, only their syntax can be checked; without, it
// must be a domain name we can look up.
[[nodiscard]] tl::expected<SpfDomainSpec, std::string> parse_domain_spec(std::string_view term, std::string_view text) {
  if (text.empty()) return tl::unexpected(bad_term(term, "empty domain"));
  SpfDomainSpec spec;
  spec.text = std::string(text);
  if (auto why = check_macros(text, spec.has_macro)) return tl::unexpected(bad_term(term, *why));
  if (!spec.has_macro && !spf_lookup_domain(text)) {
    return tl::unexpected(bad_term(term, "not a valid domain name"));
  }
  return spec;
}

// "0" or a number without leading zero, at most `max`.
std::optional<unsigned> parse_cidr_length(std::string_view digits, unsigned max) {
  if (digits.empty() || digits.size() > 3 || (digits.size() > 1 && digits[0] == '0')) return std::nullopt;
  unsigned value = 0;
  for (char c : digits) {
    if (!is_digit(c)) return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value > max) return std::nullopt;
  return value;
}

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!is_digit(c)) return false;
  }
  return true;
}

// a, mx: [":" domain-spec] [ip4-cidr-length] ["/" ip6-cidr-length], taken from the end.
[[nodiscard]] tl::expected<void, std::string> parse_a_or_mx(std::string_view term, std::string_view rest,
                                                            SpfMechanism& m) {
  if (const auto pos = rest.rfind("//"); pos != std::string_view::npos && all_digits(rest.substr(pos + 2))) {
    const auto length = parse_cidr_length(rest.substr(pos + 2), 128);
    if (!length) return tl::unexpected(bad_term(term, "ip6-cidr-length above 128 or malformed"));
    m.cidr6 = *length;
    rest = rest.substr(0, pos);
  }
  if (const auto pos = rest.rfind('/'); pos != std::string_view::npos && all_digits(rest.substr(pos + 1))) {
    const auto length = parse_cidr_length(rest.substr(pos + 1), 32);
    if (!length) return tl::unexpected(bad_term(term, "ip4-cidr-length above 32 or malformed"));
    m.cidr4 = *length;
    rest = rest.substr(0, pos);
  }
  if (rest.empty()) return {};
  if (rest[0] != ':') return tl::unexpected(bad_term(term, "expected ':' or a cidr length after the name"));
  auto spec = parse_domain_spec(term, rest.substr(1));
  if (!spec) return tl::unexpected(spec.error());
  m.domain = std::move(*spec);
  return {};
}

[[nodiscard]] tl::expected<void, std::string> parse_ip(std::string_view term, std::string_view rest, bool v6,
                                                       SpfMechanism& m) {
  if (rest.empty() || rest[0] != ':') return tl::unexpected(bad_term(term, "expected ':' and a network"));
  rest = rest.substr(1);
  unsigned length = v6 ? 128 : 32;
  if (const auto pos = rest.rfind('/'); pos != std::string_view::npos) {
    const auto parsed = parse_cidr_length(rest.substr(pos + 1), length);
    if (!parsed)
      return tl::unexpected(
          bad_term(term, v6 ? "cidr length above 128 or malformed" : "cidr length above 32 or malformed"));
    length = *parsed;
    rest = rest.substr(0, pos);
  }
  // inet_pton: no leading zeros in IPv4, no zone ids, the family asked for only.
  std::array<unsigned char, 16> bytes{};
  const std::string address(rest);
  if (::inet_pton(v6 ? AF_INET6 : AF_INET, address.c_str(), bytes.data()) != 1) {
    return tl::unexpected(bad_term(term, v6 ? "not an IPv6 address" : "not an IPv4 address"));
  }
  auto network = spf_network(address, length);
  if (!network) return tl::unexpected(bad_term(term, "not a network"));
  m.network = std::move(*network);
  return {};
}

[[nodiscard]] tl::expected<SpfMechanism, std::string> parse_mechanism(std::string_view term) {
  SpfMechanism m;
  m.text = std::string(term);
  std::string_view body = term;
  if (std::string_view("+-~?").find(body[0]) != std::string_view::npos) {
    m.qualifier = static_cast<SpfQualifier>(body[0]);
    body.remove_prefix(1);
  }
  const auto name_end = body.find_first_of(":/");
  const std::string_view name = body.substr(0, name_end);
  const std::string_view rest = name_end == std::string_view::npos ? std::string_view() : body.substr(name_end);
  static constexpr std::array<std::pair<std::string_view, SpfMechanismKind>, 8> k_kinds = {{
      {"all", SpfMechanismKind::all},
      {"include", SpfMechanismKind::include},
      {"a", SpfMechanismKind::a},
      {"mx", SpfMechanismKind::mx},
      {"ptr", SpfMechanismKind::ptr},
      {"ip4", SpfMechanismKind::ip4},
      {"ip6", SpfMechanismKind::ip6},
      {"exists", SpfMechanismKind::exists},
  }};
  bool known = false;
  for (const auto& [text, kind] : k_kinds) {
    if (iequals_ascii(name, text)) {
      m.kind = kind;
      known = true;
    }
  }
  if (!known) return tl::unexpected("unknown mechanism " + quote_spf_text(term));
  switch (m.kind) {
    case SpfMechanismKind::all:
      if (!rest.empty()) return tl::unexpected(bad_term(term, "all takes no argument"));
      break;
    case SpfMechanismKind::include:
    case SpfMechanismKind::exists: {
      if (rest.empty() || rest[0] != ':') return tl::unexpected(bad_term(term, "expected ':' and a domain"));
      auto spec = parse_domain_spec(term, rest.substr(1));
      if (!spec) return tl::unexpected(spec.error());
      m.domain = std::move(*spec);
      break;
    }
    case SpfMechanismKind::ptr:
      if (!rest.empty()) {
        if (rest[0] != ':') return tl::unexpected(bad_term(term, "ptr takes no cidr length"));
        auto spec = parse_domain_spec(term, rest.substr(1));
        if (!spec) return tl::unexpected(spec.error());
        m.domain = std::move(*spec);
      }
      break;
    case SpfMechanismKind::a:
    case SpfMechanismKind::mx:
      if (auto ok = parse_a_or_mx(term, rest, m); !ok) return tl::unexpected(ok.error());
      break;
    case SpfMechanismKind::ip4:
    case SpfMechanismKind::ip6:
      if (auto ok = parse_ip(term, rest, m.kind == SpfMechanismKind::ip6, m); !ok) return tl::unexpected(ok.error());
      break;
  }
  return m;
}

// RFC 7208 4.6.1: name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ), then "=" for a modifier.
std::size_t modifier_name_length(std::string_view term) {
  if (term.empty() || !is_alpha(term[0])) return 0;
  std::size_t i = 1;
  while (i < term.size() && (is_alnum(term[i]) || term[i] == '-' || term[i] == '_' || term[i] == '.')) ++i;
  return (i < term.size() && term[i] == '=') ? i : 0;
}

}  // namespace

const char* to_string(SpfMechanismKind kind) {
  switch (kind) {
    case SpfMechanismKind::all: return "all";
    case SpfMechanismKind::include: return "include";
    case SpfMechanismKind::a: return "a";
    case SpfMechanismKind::mx: return "mx";
    case SpfMechanismKind::ptr: return "ptr";
    case SpfMechanismKind::ip4: return "ip4";
    case SpfMechanismKind::ip6: return "ip6";
    case SpfMechanismKind::exists: return "exists";
  }
  return "all";
}

bool SpfMechanism::queries_dns() const {
  return kind == SpfMechanismKind::include || kind == SpfMechanismKind::a || kind == SpfMechanismKind::mx ||
         kind == SpfMechanismKind::ptr || kind == SpfMechanismKind::exists;
}

bool is_spf_record(std::string_view text) {
  return text.size() >= 6 && iequals_ascii(text.substr(0, 6), "v=spf1") && (text.size() == 6 || text[6] == ' ');
}

std::string quote_spf_text(std::string_view text) {
  std::string out = "\"";
  const std::size_t shown = std::min(text.size(), k_quote_cap);
  for (std::size_t i = 0; i < shown; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
  if (shown < text.size()) out += "...";
  return out;
}

std::optional<std::string> spf_lookup_domain(std::string_view text) {
  if (!text.empty() && text.back() == '.') text.remove_suffix(1);
  if (text.empty() || text.size() > 253) return std::nullopt;
  std::size_t labels = 0;
  std::size_t start = 0;
  std::string_view last;
  while (start <= text.size()) {
    const auto dot = text.find('.', start);
    const std::string_view label =
        text.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63) return std::nullopt;
    for (char c : label) {
      // A backslash would read as an escape in the presentation-form name the resolver takes.
      if (c <= 0x20 || c >= 0x7f || c == '%' || c == '\\') return std::nullopt;
    }
    ++labels;
    last = label;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  // toplabel: alphanumerics and inner hyphens, not all digits.
  if (labels < 2 || all_digits(last) || last.front() == '-' || last.back() == '-') return std::nullopt;
  for (char c : last) {
    if (!is_alnum(c) && c != '-') return std::nullopt;
  }
  return ascii_lower(text);
}

std::optional<std::string> spf_network(std::string_view address, unsigned prefix_length) {
  const std::string text(address);
  std::array<unsigned char, 16> bytes{};
  int family = AF_INET;
  std::size_t size = 4;
  if (::inet_pton(AF_INET, text.c_str(), bytes.data()) != 1) {
    if (::inet_pton(AF_INET6, text.c_str(), bytes.data()) != 1) return std::nullopt;
    family = AF_INET6;
    size = 16;
  }
  if (prefix_length > size * 8) return std::nullopt;
  for (std::size_t i = 0; i < size; ++i) {
    const unsigned bit = static_cast<unsigned>(i) * 8;
    if (bit >= prefix_length) {
      bytes[i] = 0;
    } else if (prefix_length - bit < 8) {
      bytes[i] &= static_cast<unsigned char>(0xff << (8 - (prefix_length - bit)));
    }
  }
  char buf[INET6_ADDRSTRLEN];
  if (::inet_ntop(family, bytes.data(), buf, sizeof buf) == nullptr) return std::nullopt;
  return std::string(buf) + "/" + std::to_string(prefix_length);
}

tl::expected<SpfRecord, std::string> parse_spf_record(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      return tl::unexpected("byte " + std::string(buf) + " at offset " + std::to_string(i) +
                            " is not printable ASCII: " + quote_spf_text(text));
    }
  }
  if (!is_spf_record(text)) return tl::unexpected("not an SPF record (no v=spf1): " + quote_spf_text(text));
  SpfRecord record;
  bool has_exp = false;
  std::size_t pos = 6;
  while (pos < text.size()) {
    if (text[pos] == ' ') {
      ++pos;
      continue;
    }
    const auto end = std::min(text.find(' ', pos), text.size());
    const std::string_view term = text.substr(pos, end - pos);
    pos = end;
    if (const std::size_t name_length = modifier_name_length(term); name_length > 0) {
      const std::string name = ascii_lower(term.substr(0, name_length));
      const std::string_view value = term.substr(name_length + 1);
      if (name == "redirect") {
        if (record.redirect) return tl::unexpected("redirect= appears twice: " + quote_spf_text(term));
        auto spec = parse_domain_spec(term, value);
        if (!spec) return tl::unexpected(spec.error());
        record.redirect = std::move(*spec);
        record.redirect_text = std::string(term);
      } else if (name == "exp") {
        if (has_exp) return tl::unexpected("exp= appears twice: " + quote_spf_text(term));
        has_exp = true;
        bool has_macro = false;
        if (value.empty()) return tl::unexpected(bad_term(term, "empty domain"));
        if (auto why = check_macros(value, has_macro)) return tl::unexpected(bad_term(term, *why));
      } else {
        // Unknown modifiers are ignored (RFC 7208 6), but their macro-string must be valid.
        bool has_macro = false;
        if (auto why = check_macros(value, has_macro)) return tl::unexpected(bad_term(term, *why));
      }
      continue;
    }
    auto mechanism = parse_mechanism(term);
    if (!mechanism) return tl::unexpected(mechanism.error());
    if (mechanism->kind == SpfMechanismKind::all) record.has_all = true;
    record.mechanisms.push_back(std::move(*mechanism));
  }
  return record;
}

SpfSelection select_spf_record(const std::vector<std::string>& txt_records) {
  SpfSelection selection;
  for (const auto& text : txt_records) {
    if (!is_spf_record(text)) continue;
    if (++selection.count == 1) selection.record = text;
  }
  if (selection.count == 1) {
    selection.kind = SpfSelection::Kind::one;
  } else if (selection.count > 1) {
    selection.kind = SpfSelection::Kind::several;
    selection.record.clear();
  }
  return selection;
}

}  // namespace rdns::checks::discovery
