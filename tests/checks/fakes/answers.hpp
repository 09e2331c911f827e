// DnsAnswer builders for scripted resolvers and for tests of the pure verdict rules.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "checks/resolver.hpp"

namespace rdns::checks::testing {

inline DnsAnswer answer_ok(std::vector<std::string> records, std::uint32_t ttl = 3600) {
  DnsAnswer answer;
  answer.status = LookupStatus::ok;
  answer.records = std::move(records);
  answer.ttl = ttl;
  return answer;
}

inline DnsAnswer answer_status(LookupStatus status, std::string detail = {}) {
  DnsAnswer answer;
  answer.status = status;
  answer.detail = std::move(detail);
  return answer;
}

}  // namespace rdns::checks::testing
