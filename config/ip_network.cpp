#include "config/ip_network.hpp"

#include <arpa/inet.h>

#include <array>
#include <cstdint>
#include <cstdio>

namespace rdns::config {
namespace {

// An address in network byte order; IPv4 uses the first 4 bytes.
struct Address {
  bool ipv6 = false;
  std::array<std::uint8_t, 16> bytes{};
};

[[nodiscard]] tl::expected<Address, std::string> parse_address(std::string_view text) {
  // inet_pton needs a NUL-terminated string and nothing longer than an address can be.
  if (text.empty()) return tl::make_unexpected(std::string("empty address"));
  if (text.size() > INET6_ADDRSTRLEN) return tl::make_unexpected(std::string("not an IPv4 or IPv6 address"));
  if (text.find('\0') != std::string_view::npos) return tl::make_unexpected(std::string("not an IPv4 or IPv6 address"));
  if (text.find('%') != std::string_view::npos) {
    return tl::make_unexpected(std::string("zone ids (\"%...\") are not allowed"));
  }
  const std::string z(text);
  Address a;
  if (::inet_pton(AF_INET, z.c_str(), a.bytes.data()) == 1) return a;
  if (::inet_pton(AF_INET6, z.c_str(), a.bytes.data()) == 1) {
    a.ipv6 = true;
    return a;
  }
  return tl::make_unexpected(std::string("not an IPv4 or IPv6 address"));
}

bool is_v4_mapped(const Address& a) {
  for (int i = 0; i < 10; ++i) {
    if (a.bytes[i] != 0) return false;
  }
  return a.bytes[10] == 0xff && a.bytes[11] == 0xff;
}

std::string format_v4(const std::uint8_t* b) {
  char buf[INET_ADDRSTRLEN];
  std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
  return buf;
}

// RFC 5952 section 4: we do not rely on inet_ntop because glibc prints "::a.b.c.d" for
// any address whose first 96 bits are zero (e.g. "::1:2" becomes "::0.1.0.2").
std::string format_v6(const std::array<std::uint8_t, 16>& b) {
  std::uint16_t g[8];
  for (int i = 0; i < 8; ++i) g[i] = static_cast<std::uint16_t>((b[2 * i] << 8) | b[2 * i + 1]);
  int best = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    if (g[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && g[j] == 0) ++j;
    if (j - i > best_len) {
      best = i;
      best_len = j - i;
    }
    i = j;
  }
  if (best_len < 2) best = -1;  // a single zero group is never compressed
  std::string out;
  char buf[8];
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    std::snprintf(buf, sizeof buf, "%x", static_cast<unsigned>(g[i]));
    out += buf;
  }
  return out;
}

std::string format(const Address& a) {
  if (!a.ipv6) return format_v4(a.bytes.data());
  if (is_v4_mapped(a)) return format_v4(a.bytes.data() + 12);
  return format_v6(a.bytes);
}

struct Parsed {
  Address address;
  unsigned prefix = 0;
};

[[nodiscard]] tl::expected<Parsed, std::string> parse_prefix(std::string_view cidr) {
  const auto slash = cidr.find('/');
  if (slash == std::string_view::npos) {
    return tl::make_unexpected(std::string("missing \"/\" and prefix length (use ip = \"...\" for one address)"));
  }
  auto address = parse_address(cidr.substr(0, slash));
  if (!address) return tl::make_unexpected(address.error());
  const std::string_view len = cidr.substr(slash + 1);
  if (len.empty()) return tl::make_unexpected(std::string("missing prefix length after \"/\""));
  for (char c : len) {
    if (c < '0' || c > '9') {
      return tl::make_unexpected("prefix length \"" + std::string(len) + "\" is not a number");
    }
  }
  if (len.size() > 1 && len.front() == '0') {
    return tl::make_unexpected("prefix length \"" + std::string(len) + "\" has a leading zero");
  }
  const unsigned max = address->ipv6 ? 128 : 32;
  if (len.size() > 3) {
    return tl::make_unexpected("prefix length " + std::string(len) + " exceeds " + std::to_string(max));
  }
  unsigned prefix = 0;
  for (char c : len) prefix = prefix * 10 + static_cast<unsigned>(c - '0');
  if (prefix > max) {
    return tl::make_unexpected("prefix length " + std::to_string(prefix) + " exceeds " + std::to_string(max));
  }
  return Parsed{*address, prefix};
}

// Clears the host bits in place; returns whether any was set.
bool clear_host_bits(Address& a, unsigned prefix) {
  const unsigned total = a.ipv6 ? 128 : 32;
  bool any = false;
  for (unsigned bit = prefix; bit < total; ++bit) {
    const unsigned byte = bit / 8;
    const auto mask = static_cast<std::uint8_t>(0x80u >> (bit % 8));
    if (a.bytes[byte] & mask) {
      any = true;
      a.bytes[byte] = static_cast<std::uint8_t>(a.bytes[byte] & ~mask);
    }
  }
  return any;
}

// Adds `n` (< 2^64) to the address as a big-endian integer of 4 or 16 bytes.
void add(Address& a, std::uint64_t n) {
  int i = a.ipv6 ? 15 : 3;
  unsigned carry = 0;
  for (; i >= 0 && (n != 0 || carry != 0); --i) {
    const unsigned sum = a.bytes[i] + static_cast<unsigned>(n & 0xff) + carry;
    a.bytes[i] = static_cast<std::uint8_t>(sum & 0xff);
    carry = sum >> 8;
    n >>= 8;
  }
}

}  // namespace

tl::expected<std::string, std::string> canonical_ip(std::string_view text) {
  auto a = parse_address(text);
  if (!a) return tl::make_unexpected(a.error());
  return format(*a);
}

std::string address_count_text(unsigned host_bits) {
  if (host_bits >= 64) return "2^" + std::to_string(host_bits);
  return std::to_string(std::uint64_t{1} << host_bits);
}

tl::expected<CidrInfo, std::string> parse_cidr(std::string_view cidr) {
  auto parsed = parse_prefix(cidr);
  if (!parsed) return tl::make_unexpected(parsed.error());
  Address network = parsed->address;
  if (clear_host_bits(network, parsed->prefix)) {
    return tl::make_unexpected("host bits are set: the network is " + format(network) + "/" +
                               std::to_string(parsed->prefix));
  }
  CidrInfo info;
  info.ipv6 = network.ipv6;
  info.prefix_length = parsed->prefix;
  info.host_bits = (network.ipv6 ? 128u : 32u) - parsed->prefix;
  info.network = format(network);
  return info;
}

tl::expected<std::vector<std::string>, std::string> expand_cidr(std::string_view cidr, std::size_t max_addresses) {
  auto parsed = parse_prefix(cidr);
  if (!parsed) return tl::make_unexpected(parsed.error());
  Address network = parsed->address;
  if (clear_host_bits(network, parsed->prefix)) {
    return tl::make_unexpected("host bits are set: the network is " + format(network) + "/" +
                               std::to_string(parsed->prefix));
  }
  const unsigned host_bits = (network.ipv6 ? 128u : 32u) - parsed->prefix;
  if (host_bits >= 64 || (std::uint64_t{1} << host_bits) > max_addresses) {
    return tl::make_unexpected("expands to " + address_count_text(host_bits) + " addresses, more than the limit of " +
                               std::to_string(max_addresses));
  }
  const std::uint64_t count = std::uint64_t{1} << host_bits;
  std::vector<std::string> out;
  out.reserve(count);
  for (std::uint64_t i = 0; i < count; ++i) {
    Address a = network;
    add(a, i);
    out.push_back(format(a));
  }
  return out;
}

}  // namespace rdns::config
