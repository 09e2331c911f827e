// Does a host name carry an IP address: the PTR's own (when known) or any plausible one?
// Octets in any order, separator or zero-padding, reversed, 3 of 4, concatenated digits,
// 8 hex digits, the 32-bit integer, IPv6 hex groups or nibbles.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "checks/generic/name_parts.hpp"

namespace rdns::checks::generic {

struct Address {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};  // v4 uses the first 4
};

// Canonical or not (leading zeros, upper-case hex); nullopt when it is not an address.
std::optional<Address> parse_address(std::string_view text);

enum class EmbedKind {
  none,
  own_partial2,    // two octets of the PTR's own IPv4 address next to each other
  numbers3,        // three octet-sized numbers in a row (no address known, or not ours)
  split_octets,    // four non-zero octet-sized numbers within two labels, a word between them
  hex8,            // 8 hex digits that could be an IPv4 address
  own_partial3,    // three octets of the own address
  plausible_ipv4,  // four octet-sized numbers in a row / a 12-digit zero-padded run
  plausible_ipv6,  // IPv6 hex groups or >= 8 nibble labels
  own_address,     // the PTR's own address, in some form
};

struct Embedding {
  EmbedKind kind = EmbedKind::none;
  std::uint8_t first_label = 0;  // where in the name, for the reason
  std::uint8_t last_label = 0;
  std::string_view form;  // "octets", "reversed octets", "hex", "zero-padded digits", ...
};

// Looks at every label but the top-level one (the address may sit in the registered domain:
// OVH's "ns301.ip-51-68-1.eu"). Returns the strongest embedding found.
Embedding find_embedding(const NameParts& parts, const std::optional<Address>& address);

}  // namespace rdns::checks::generic
