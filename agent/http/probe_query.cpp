// /probe query string parsing; see probe_query.hpp.
#include "agent/http/probe_query.hpp"

#include <charconv>
#include <cmath>
#include <optional>
#include <system_error>

namespace rdns::agent {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Form decoding: '+' -> ' ', %HH -> byte; nullopt on a malformed escape.
std::optional<std::string> form_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c != '%') {
      out += c;
    } else {
      if (i + 2 >= text.size()) return std::nullopt;
      const int high = hex_value(text[i + 1]), low = hex_value(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      out += static_cast<char>(high * 16 + low);
      i += 2;
    }
  }
  return out;
}

}  // namespace

std::string_view query_of_request_target(std::string_view request_target) {
  const auto hash = request_target.find('#');
  if (hash != std::string_view::npos) request_target = request_target.substr(0, hash);
  const auto question = request_target.find('?');
  return question == std::string_view::npos ? std::string_view() : request_target.substr(question + 1);
}

namespace {

// The raw (still encoded) value of the first field named `wanted`; nullopt when there is none.
std::optional<std::string_view> raw_field(std::string_view query, std::string_view wanted) {
  for (;;) {
    const auto amp = query.find('&');
    const std::string_view field = query.substr(0, amp);
    const auto equals = field.find('=');
    const auto name = form_decode(field.substr(0, equals));
    if (name && *name == wanted)
      return equals == std::string_view::npos ? std::string_view() : field.substr(equals + 1);
    if (amp == std::string_view::npos) return std::nullopt;
    query.remove_prefix(amp + 1);
  }
}

}  // namespace

bool probe_debug_from_query(std::string_view query) {
  const auto raw = raw_field(query, "debug");
  if (!raw) return false;
  const auto value = form_decode(*raw);
  return value && *value == "true";
}

std::optional<double> parse_scrape_timeout_header(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty() || value.size() > 32) return std::nullopt;
  double seconds = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (error != std::errc() || end != value.data() + value.size()) return std::nullopt;
  if (!std::isfinite(seconds) || seconds <= 0) return std::nullopt;
  return seconds;
}

tl::expected<std::string, std::string> probe_target_from_query(std::string_view query) {
  const std::optional<std::string_view> raw = raw_field(query, "target");
  if (!raw || raw->empty())
    return tl::unexpected(std::string("Target parameter is missing: use /probe?target=IP or /probe?target=HOSTNAME"));
  auto target = form_decode(*raw);
  if (!target) return tl::unexpected(std::string("target: malformed percent-encoding (use %HH with two hex digits)"));
  if (target->empty())
    return tl::unexpected(std::string("Target parameter is missing: use /probe?target=IP or /probe?target=HOSTNAME"));
  if (target->size() > k_max_probe_target_bytes) {
    return tl::unexpected("target is longer than " + std::to_string(k_max_probe_target_bytes) +
                          " bytes: not an IP address or host name");
  }
  for (const char c : *target) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x21 || byte > 0x7e) {
      return tl::unexpected(
          std::string("target contains a space, control or non-ASCII byte: not an IP address or host name"));
    }
  }
  return std::move(*target);
}

}  // namespace rdns::agent
