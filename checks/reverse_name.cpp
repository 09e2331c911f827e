#include "checks/reverse_name.hpp"

#include <arpa/inet.h>

#include <array>
#include <cstdint>

namespace rdns::checks {

tl::expected<ParsedIp, std::string> parse_ip(std::string_view text) {
  // inet_pton needs a NUL-terminated string; an embedded NUL or a scope id is not an address.
  std::string input(text);
  if (input.find('\0') != std::string::npos || input.empty()) {
    return tl::make_unexpected("\"" + input + "\" is not an IP address");
  }
  std::array<unsigned char, 16> bytes{};
  std::array<char, INET6_ADDRSTRLEN> buffer{};
  if (input.find(':') == std::string::npos) {
    if (inet_pton(AF_INET, input.c_str(), bytes.data()) != 1) {
      return tl::make_unexpected("\"" + input + "\" is not an IP address");
    }
    inet_ntop(AF_INET, bytes.data(), buffer.data(), buffer.size());
    return ParsedIp{IpFamily::v4, buffer.data()};
  }
  if (inet_pton(AF_INET6, input.c_str(), bytes.data()) != 1) {
    return tl::make_unexpected("\"" + input + "\" is not an IP address");
  }
  // glibc's inet_ntop writes RFC 5952 text (lower case, longest zero run compressed).
  inet_ntop(AF_INET6, bytes.data(), buffer.data(), buffer.size());
  return ParsedIp{IpFamily::v6, buffer.data()};
}

tl::expected<std::string, std::string> reverse_name(std::string_view ip) {
  auto parsed = parse_ip(ip);
  if (!parsed) return tl::make_unexpected(parsed.error());
  std::array<unsigned char, 16> bytes{};
  std::string name;
  if (parsed->family == IpFamily::v4) {
    inet_pton(AF_INET, parsed->canonical.c_str(), bytes.data());
    for (int i = 3; i >= 0; --i) {
      name += std::to_string(bytes[static_cast<std::size_t>(i)]);
      name += '.';
    }
    return name + "in-addr.arpa.";
  }
  inet_pton(AF_INET6, parsed->canonical.c_str(), bytes.data());
  constexpr std::string_view k_hex = "0123456789abcdef";
  name.reserve(73);
  for (int i = 15; i >= 0; --i) {
    const std::uint8_t byte = bytes[static_cast<std::size_t>(i)];
    name += k_hex[byte & 0x0f];
    name += '.';
    name += k_hex[byte >> 4];
    name += '.';
  }
  return name + "ip6.arpa.";
}

}  // namespace rdns::checks
