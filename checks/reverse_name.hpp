// The reverse-DNS name of an IP address: IPv4 `d.c.b.a.in-addr.arpa.`, IPv6 the 32-nibble
// `ip6.arpa.` name (RFC 3596). Pure logic.
#pragma once

#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace rdns::checks {

enum class IpFamily { v4, v6 };

struct ParsedIp {
  IpFamily family = IpFamily::v4;
  std::string canonical;  // dotted quad, or RFC 5952 lower-case IPv6
};

// Accepts any textual form inet_pton accepts (so canonical text round-trips); the error is a
// human sentence naming the input. Thread-safe (no shared state).
[[nodiscard]] tl::expected<ParsedIp, std::string> parse_ip(std::string_view text);

// Absolute name with the trailing dot, lower case.
[[nodiscard]] tl::expected<std::string, std::string> reverse_name(std::string_view ip);

}  // namespace rdns::checks
