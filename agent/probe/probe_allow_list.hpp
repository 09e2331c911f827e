// Which IPs /probe may check: a list of CIDRs ([probe] allow_cidrs); empty allows every IP.
// Immutable once built. Thread-safety: allows() is const and safe from many threads.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <tl/expected.hpp>

namespace rdns::agent {

class ProbeAllowList {
public:
  ProbeAllowList() = default;  // allows everything
  // Errors name the bad CIDR.
  [[nodiscard]] static tl::expected<ProbeAllowList, std::string> create(const std::vector<std::string>& cidrs);
  // `ip`: canonical text.
  bool allows(const std::string& ip) const;
  bool empty() const { return m_networks.empty(); }

private:
  struct Network {
    bool ipv6 = false;
    std::array<std::uint8_t, 16> bytes{};
    unsigned prefix = 0;
  };
  std::vector<Network> m_networks;
};

}  // namespace rdns::agent
