#include "agent/probe/probe_allow_list.hpp"

#include <arpa/inet.h>

#include "config/ip_network.hpp"

namespace rdns::agent {
namespace {

bool to_bytes(const std::string& ip, bool& ipv6, std::array<std::uint8_t, 16>& bytes) {
  ipv6 = ip.find(':') != std::string::npos;
  return inet_pton(ipv6 ? AF_INET6 : AF_INET, ip.c_str(), bytes.data()) == 1;
}

}  // namespace

tl::expected<ProbeAllowList, std::string> ProbeAllowList::create(const std::vector<std::string>& cidrs) {
  ProbeAllowList list;
  for (const auto& cidr : cidrs) {
    auto info = config::parse_cidr(cidr);
    if (!info) return tl::make_unexpected("probe allow_cidrs: \"" + cidr + "\": " + info.error());
    Network network;
    network.prefix = info->prefix_length;
    if (!to_bytes(info->network, network.ipv6, network.bytes)) {
      return tl::make_unexpected("probe allow_cidrs: \"" + cidr + "\": not a network address");
    }
    list.m_networks.push_back(network);
  }
  return list;
}

bool ProbeAllowList::allows(const std::string& ip) const {
  if (m_networks.empty()) return true;
  bool ipv6 = false;
  std::array<std::uint8_t, 16> bytes{};
  if (!to_bytes(ip, ipv6, bytes)) return false;
  for (const auto& network : m_networks) {
    if (network.ipv6 != ipv6) continue;
    unsigned bits = network.prefix;
    bool match = true;
    for (std::size_t i = 0; bits > 0 && match; ++i) {
      const unsigned take = bits >= 8 ? 8 : bits;
      const auto mask = static_cast<std::uint8_t>(0xff << (8 - take));
      match = (bytes[i] & mask) == (network.bytes[i] & mask);
      bits -= take;
    }
    if (match) return true;
  }
  return false;
}

}  // namespace rdns::agent
