// rdns_dns_queries_total as a value: (query type, lookup status) -> count.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>

namespace rdns::agent {

using QueryCounts = std::map<std::pair<std::string, std::string>, std::uint64_t>;

}  // namespace rdns::agent
