#include "checks/verdict.hpp"

#include <algorithm>
#include <sstream>

#include "checks/hostname.hpp"
#include "checks/reverse_name.hpp"

namespace rdns::checks {
namespace {

// Canonical text when parseable, so "2001:DB8::1" from a sloppy source still matches.
std::string canonical_or_raw(std::string_view text) {
  auto parsed = parse_ip(text);
  return parsed ? parsed->canonical : std::string(text);
}

bool contains_name(const std::vector<std::string>& names, std::string_view wanted) {
  const std::string normalised = normalise_hostname(wanted);
  return std::find(names.begin(), names.end(), normalised) != names.end();
}

// A positive answer without records is what a NODATA looks like to some resolvers.
LookupStatus effective_status(const DnsAnswer& answer) {
  if (answer.status == LookupStatus::ok && answer.records.empty()) return LookupStatus::nodata;
  return answer.status;
}

}  // namespace

std::vector<std::string> ptr_names(const DnsAnswer& ptr) {
  std::vector<std::string> names;
  if (ptr.status != LookupStatus::ok) return names;
  for (const std::string& record : ptr.records) {
    std::string name = normalise_hostname(record);
    names.push_back(std::move(name));
  }
  // Sorted: servers and resolvers rotate RRsets, and the set (not the order) is what matters;
  // a stable order keeps the exposition, the status page and the capped forward subset steady.
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

int severity(LookupStatus status) {
  switch (status) {
    case LookupStatus::ok: return 0;
    case LookupStatus::nodata: return 1;
    case LookupStatus::nxdomain: return 2;
    case LookupStatus::servfail: return 3;
    case LookupStatus::refused: return 4;
    case LookupStatus::timeout: return 5;
    case LookupStatus::error: return 6;
    case LookupStatus::bogus: return 7;
  }
  return 6;
}

ForwardCheck make_forward_check(std::string hostname, const DnsAnswer& answer, std::string_view ip) {
  ForwardCheck check;
  check.hostname = std::move(hostname);
  check.status = effective_status(answer);
  check.detail = answer.detail;
  if (check.status != LookupStatus::ok) return check;
  const std::string wanted = canonical_or_raw(ip);
  for (const std::string& record : answer.records) {
    std::string address = canonical_or_raw(record);
    if (address == wanted) check.confirms = true;
    if (std::find(check.addresses.begin(), check.addresses.end(), address) == check.addresses.end()) {
      check.addresses.push_back(std::move(address));
    }
  }
  return check;
}

CheckResult evaluate(const CheckRequest& request, std::string reverse_name, const Observations& seen,
                     const ClassifyFn& classify) {
  CheckResult result;
  result.ip = request.ip;
  result.reverse_name = std::move(reverse_name);
  result.expected_hostname = normalise_hostname(request.expected_hostname);
  result.helo_hostname = normalise_hostname(request.helo_hostname);

  // PTR
  const DnsAnswer& ptr = seen.ptr;
  result.ptr_status = effective_status(ptr);
  result.ptr_detail = ptr.detail;
  result.ptr_hostnames = ptr_names(ptr);
  result.ptr_ttl = result.ptr_status == LookupStatus::ok ? ptr.ttl : 0;
  result.dnssec_secure = ptr.secure && ptr.status != LookupStatus::bogus;
  if (!ptr.canonical_name.empty()) result.ptr_canonical_name = normalise_hostname(ptr.canonical_name);
  if (ptr.authority_soa) result.reverse_zone_soa = ptr.authority_soa;
  const bool ptr_definitive = is_definitive(result.ptr_status);
  const bool have_names = !result.ptr_hostnames.empty();
  if (ptr_definitive) result.ptr_present = have_names;

  if (have_names) {
    result.ptr_hostname_valid = std::all_of(result.ptr_hostnames.begin(), result.ptr_hostnames.end(),
                                            [](const std::string& name) { return is_valid_hostname(name); });
  }

  // Forward confirmation
  result.forward_capped = result.ptr_hostnames.size() > k_max_forward_names;
  bool forward_undecided = false;
  for (const auto& [hostname, answer] : seen.forward) {
    ForwardCheck check = make_forward_check(hostname, answer, request.ip);
    if (check.confirms) ++result.fcrdns_confirmed_names;
    if (!is_definitive(check.status)) forward_undecided = true;
    if (!result.forward_status || severity(check.status) > severity(*result.forward_status)) {
      result.forward_status = check.status;
    }
    result.forward.push_back(std::move(check));
  }
  if (have_names) {
    if (seen.forward.empty()) {
      forward_undecided = true;  // names but no lookups (should not happen): not decidable
    }
    if (result.fcrdns_confirmed_names > 0) {
      result.fcrdns_pass = true;
    } else if (!forward_undecided) {
      result.fcrdns_pass = false;
    }
  } else if (ptr_definitive) {
    result.fcrdns_pass = false;  // definitively no PTR name, so none can resolve back
  }

  // Generic: any checked name generic counts (receivers may see any of them).
  if (have_names && classify) {
    const std::size_t limit = std::min(result.ptr_hostnames.size(), k_max_forward_names);
    for (std::size_t i = 0; i < limit; ++i) {
      GenericVerdict verdict = classify(result.ptr_hostnames[i], request.ip);
      if (!result.generic || (verdict.generic && !result.generic->generic)) {
        result.generic = std::move(verdict);
      }
    }
  }

  // Expectations
  if (!result.expected_hostname.empty() && ptr_definitive) {
    result.expected_hostname_match = contains_name(result.ptr_hostnames, result.expected_hostname);
  }
  if (!result.helo_hostname.empty()) {
    std::optional<bool> is_ptr_name;
    if (ptr_definitive) is_ptr_name = contains_name(result.ptr_hostnames, result.helo_hostname);
    std::optional<bool> resolves_to_ip;
    if (seen.helo) {
      ForwardCheck helo = make_forward_check(result.helo_hostname, *seen.helo, request.ip);
      if (is_definitive(helo.status)) resolves_to_ip = helo.confirms;
      result.helo_forward = std::move(helo);
    }
    if (is_ptr_name == false || resolves_to_ip == false) {
      result.helo_match = false;
    } else if (is_ptr_name && resolves_to_ip) {
      result.helo_match = true;
    }
  }

  result.success = overall_success(result);
  return result;
}

std::optional<bool> overall_success(const CheckResult& result) {
  bool undecided = false;
  bool failed = false;
  auto require = [&](const std::optional<bool>& verdict, bool wanted) {
    if (!verdict) {
      undecided = true;
    } else if (*verdict != wanted) {
      failed = true;
    }
  };
  require(result.ptr_present, true);
  if (result.ptr_present == true) {
    require(result.ptr_hostname_valid, true);
    require(result.fcrdns_pass, true);
    require(result.generic ? std::optional<bool>(result.generic->generic) : std::nullopt, false);
  }
  if (!result.expected_hostname.empty()) require(result.expected_hostname_match, true);
  if (!result.helo_hostname.empty()) require(result.helo_match, true);
  if (failed) return false;
  if (undecided) return std::nullopt;
  return true;
}

std::string soa_mailbox(std::string_view rname) {
  std::string local;
  std::size_t i = 0;
  for (; i < rname.size(); ++i) {
    const char c = rname[i];
    if (c == '\\' && i + 1 < rname.size()) {
      if (rname[i + 1] == '.') {
        local += '.';
      } else {
        local += c;
        local += rname[i + 1];
      }
      ++i;
      continue;
    }
    if (c == '.') break;
    local += c;
  }
  if (i >= rname.size()) return normalise_hostname(local);  // no domain part: keep as is
  const std::string domain = normalise_hostname(rname.substr(i + 1));
  return domain.empty() ? local : local + "@" + domain;
}

std::optional<SoaInfo> soa_from_answer(std::string_view qname, const DnsAnswer& answer) {
  if (answer.authority_soa) return answer.authority_soa;
  if (answer.status != LookupStatus::ok || answer.records.empty()) return std::nullopt;
  std::istringstream fields(answer.records.front());
  std::string mname;
  std::string rname;
  if (!(fields >> mname >> rname)) return std::nullopt;
  SoaInfo soa;
  // A CNAME'd SOA query (RFC 2317 delegation) lands on the canonical name's zone apex.
  soa.zone = normalise_hostname(answer.canonical_name.empty() ? qname : answer.canonical_name);
  soa.primary_ns = normalise_hostname(mname);
  soa.responsible = soa_mailbox(rname);
  return soa;
}

}  // namespace rdns::checks
