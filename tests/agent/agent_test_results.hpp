// CheckResult builders for the agent's tests: the shapes the Checker produces for the common
// scenarios, without any DNS.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "checks/check_result.hpp"

namespace rdns::agent::testing {

inline checks::CheckResult passing_result(const std::string& ip, std::vector<std::string> names,
                                          double checked_at = 1700000000.5) {
  checks::CheckResult result;
  result.ip = ip;
  result.reverse_name = "x.in-addr.arpa.";
  result.ptr_status = checks::LookupStatus::ok;
  result.ptr_hostnames = std::move(names);
  result.ptr_ttl = 3600;
  for (const auto& name : result.ptr_hostnames) {
    checks::ForwardCheck forward;
    forward.hostname = name;
    forward.status = checks::LookupStatus::ok;
    forward.addresses = {ip};
    forward.confirms = true;
    result.forward.push_back(forward);
  }
  result.forward_status = checks::LookupStatus::ok;
  result.fcrdns_pass = true;
  result.fcrdns_confirmed_names = static_cast<int>(result.ptr_hostnames.size());
  result.ptr_present = true;
  result.ptr_hostname_valid = true;
  result.generic = checks::GenericVerdict{false, 0.05, "no generic pattern"};
  result.success = true;
  result.duration = std::chrono::milliseconds(12);
  result.checked_at = std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::duration<double>(checked_at)));
  return result;
}

inline checks::CheckResult failed_lookup_result(const std::string& ip, checks::LookupStatus status,
                                                double checked_at = 1700000100.0) {
  checks::CheckResult result;
  result.ip = ip;
  result.reverse_name = "x.in-addr.arpa.";
  result.ptr_status = status;
  result.ptr_detail = "resolver said " + std::string(checks::to_string(status));
  result.duration = std::chrono::seconds(1);
  result.checked_at = std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::duration<double>(checked_at)));
  return result;
}

inline checks::CheckResult missing_ptr_result(const std::string& ip, double checked_at = 1700000200.0) {
  checks::CheckResult result = failed_lookup_result(ip, checks::LookupStatus::nxdomain, checked_at);
  result.ptr_detail.clear();
  result.ptr_present = false;
  result.success = false;
  result.reverse_zone_soa = checks::SoaInfo{"2.0.192.in-addr.arpa", "ns1.example.net", "hostmaster@example.net"};
  return result;
}

}  // namespace rdns::agent::testing
