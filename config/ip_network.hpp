// IP address and CIDR helpers shared by the config loader and the `check` command.
// Pure functions, no I/O; safe to call from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace rdns::config {

// Parses an IPv4 or IPv6 literal and returns its canonical text: dotted quad for IPv4,
// RFC 5952 for IPv6 (lower case, no leading zeros, the longest run of two or more zero
// groups compressed, the first one on a tie). An IPv4-mapped IPv6 address
// (::ffff:a.b.c.d) is the IPv4 address it carries and is returned as a dotted quad, since
// that is the address a receiving mail server looks up. Zone ids ("%eth0") are rejected.
// The error is a short reason without the input, e.g. "not an IPv4 or IPv6 address".
[[nodiscard]] tl::expected<std::string, std::string> canonical_ip(std::string_view text);

// Every address of "addr/len" in ascending order, canonical as above, network and broadcast
// addresses included. Errors (short reasons, without the input): malformed address or
// prefix, prefix too long, host bits set (names the network to use instead), or more than
// `max_addresses` addresses (gives the count and the cap). The count is checked before
// anything is allocated.
[[nodiscard]] tl::expected<std::vector<std::string>, std::string> expand_cidr(std::string_view cidr,
                                                                              std::size_t max_addresses);

// A parsed, validated CIDR without expanding it.
struct CidrInfo {
  bool ipv6 = false;
  unsigned prefix_length = 0;
  unsigned host_bits = 0;  // 32 - prefix (IPv4) or 128 - prefix (IPv6)
  std::string network;     // canonical network address
};
[[nodiscard]] tl::expected<CidrInfo, std::string> parse_cidr(std::string_view cidr);

// Number of addresses as decimal text, or "2^N" when it does not fit in 64 bits.
std::string address_count_text(unsigned host_bits);

}  // namespace rdns::config
