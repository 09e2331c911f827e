#include "checks/remediation.hpp"

#include <algorithm>

#include "checks/hostname.hpp"
#include "checks/reverse_name.hpp"
#include "checks/zone/zone_remediation.hpp"

namespace rdns::checks {
namespace {

constexpr const char* k_placeholder_host = "mail.example.com";

bool is_v6(const CheckResult& result) { return result.ip.find(':') != std::string::npos; }
const char* address_type(const CheckResult& result) { return is_v6(result) ? "AAAA" : "A"; }

std::string reverse_owner(const CheckResult& result) {
  if (!result.reverse_name.empty()) return result.reverse_name;
  auto name = reverse_name(result.ip);
  return name ? *name : result.ip;
}

// The host name the PTR should point to: the expectation when there is one, else the first
// valid PTR name, else a placeholder the operator must replace.
std::string wanted_host(const CheckResult& result) {
  if (!result.expected_hostname.empty()) return result.expected_hostname;
  if (!result.helo_hostname.empty() && is_valid_hostname(result.helo_hostname)) return result.helo_hostname;
  for (const std::string& name : result.ptr_hostnames) {
    if (is_valid_hostname(name)) return name;
  }
  return k_placeholder_host;
}

// The records end in a dot, which also ends the sentence; a placeholder gets a word of warning.
std::string placeholder_note(const std::string& host) {
  return host == k_placeholder_host ? " (use your mail server's host name)." : "";
}

std::string ptr_record(const CheckResult& result, const std::string& host) {
  return reverse_owner(result) + " IN PTR " + host + ".";
}

std::string address_record(const CheckResult& result, const std::string& host) {
  return host + ". IN " + address_type(result) + " " + result.ip;
}

std::string reverse_contact(const CheckResult& result) {
  if (result.reverse_zone_soa) {
    return " The reverse zone is " + describe_zone(*result.reverse_zone_soa) +
           "; usually only the owner of the address block (your ISP, hosting or cloud provider) can change it.";
  }
  return " Only the owner of the address block (your ISP, hosting or cloud provider) can change the reverse zone: "
         "ask them.";
}

std::string forward_contact(const CheckResult& result) {
  if (result.forward_zone_soa) return " The forward zone is " + describe_zone(*result.forward_zone_soa) + ".";
  return "";
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string with_detail(LookupStatus status, const std::string& detail) {
  std::string out(to_string(status));
  if (!detail.empty()) out += " (" + detail + ")";
  return out;
}

// What a forward lookup found, in words: "resolves to 192.0.2.99", "has no A record", ...
std::string forward_found(const CheckResult& result, const ForwardCheck& check) {
  switch (check.status) {
    case LookupStatus::ok: return "resolves to " + join(check.addresses);
    case LookupStatus::nodata: return std::string("has no ") + address_type(result) + " record";
    case LookupStatus::nxdomain: return "does not exist (NXDOMAIN)";
    default: return "could not be looked up: " + with_detail(check.status, check.detail);
  }
}

void ptr_hints(const CheckResult& result, std::vector<std::string>& hints) {
  const std::string owner = reverse_owner(result);
  if (result.ptr_status == LookupStatus::bogus) {
    hints.push_back("The PTR answer for " + owner + " failed DNSSEC validation" +
                    (result.ptr_detail.empty() ? "" : " (" + result.ptr_detail + ")") +
                    ": the reverse zone's signatures or its DS record at the parent are broken, and validating "
                    "receivers see no name at all. Ask the reverse zone's operator to fix the signing." +
                    reverse_contact(result));
    return;
  }
  if (!is_definitive(result.ptr_status)) {
    hints.push_back("The PTR lookup of " + owner + " ended in " + with_detail(result.ptr_status, result.ptr_detail) +
                    ". That is a resolver or name-server problem, not a missing record: check that the resolver "
                    "works and that the reverse zone's name servers answer (a dead or lame delegation looks like "
                    "this), then check again.");
    return;
  }
  if (result.ptr_present == false) {
    const std::string host = wanted_host(result);
    hints.push_back("Add a PTR record in the reverse zone: " + ptr_record(result, host) + placeholder_note(host) +
                    reverse_contact(result));
    hints.push_back("The name must also resolve back to the IP (forward-confirmed rDNS): " +
                    address_record(result, host) + " in the forward zone of " + host + ".");
  }
  if (result.ptr_hostname_valid == false) {
    for (const std::string& name : result.ptr_hostnames) {
      if (is_valid_hostname(name)) continue;
      hints.push_back("PTR name \"" + name +
                      "\" is not a valid host name (letters, digits and hyphens only, labels of 1 to 63 "
                      "characters, no all-numeric name); receivers treat it as no name. Replace it: " +
                      ptr_record(result, wanted_host(result)) + placeholder_note(wanted_host(result)) +
                      reverse_contact(result));
    }
  }
}

void forward_hints(const CheckResult& result, std::vector<std::string>& hints) {
  if (result.forward_capped) {
    hints.push_back("The IP has " + std::to_string(result.ptr_hostnames.size()) + " PTR records; only the first " +
                    std::to_string(result.forward.size()) +
                    " were checked. Receivers pick one at random: keep one PTR record per IP.");
  }
  if (result.fcrdns_pass == false && !result.forward.empty()) {
    std::vector<std::string> found;
    for (const ForwardCheck& check : result.forward)
      found.push_back(check.hostname + " " + forward_found(result, check));
    const std::string host = wanted_host(result);
    hints.push_back("No PTR name resolves back to " + result.ip + " (" + join(found) + "). Add " +
                    address_record(result, host) + " in the forward zone, or point the PTR to a name that has it." +
                    forward_contact(result));
  } else if (!result.fcrdns_pass.has_value() && !result.forward.empty()) {
    for (const ForwardCheck& check : result.forward) {
      if (is_definitive(check.status)) continue;
      hints.push_back("The " + std::string(address_type(result)) + " lookup of " + check.hostname + " ended in " +
                      with_detail(check.status, check.detail) +
                      ", so forward confirmation could not be decided. That is a resolver or name-server problem "
                      "of the forward zone, not a missing record: check its name servers, then check again.");
    }
  } else if (result.fcrdns_pass == true && result.fcrdns_confirmed_names < static_cast<int>(result.forward.size())) {
    std::vector<std::string> unconfirmed;
    for (const ForwardCheck& check : result.forward) {
      if (!check.confirms) unconfirmed.push_back(check.hostname + " " + forward_found(result, check));
    }
    hints.push_back("Only " + std::to_string(result.fcrdns_confirmed_names) + " of " +
                    std::to_string(result.forward.size()) + " PTR names resolve back to " + result.ip + " (" +
                    join(unconfirmed) +
                    "). Receivers pick one PTR at random, so some connections fail the check: remove the extra PTR "
                    "records, or add the " +
                    address_type(result) + " records.");
  }
}

void generic_hint(const CheckResult& result, std::vector<std::string>& hints) {
  if (!result.generic || !result.generic->generic) return;
  const std::string name = result.ptr_hostnames.empty() ? std::string() : result.ptr_hostnames.front();
  hints.push_back(
      "The PTR name " + name + " looks generic" +
      (result.generic->reason.empty() ? "" : " (" + result.generic->reason + ")") +
      ": receivers (SpamAssassin RDNS_DYNAMIC, rspamd HFILTER_HOSTNAME_*, Gmail, Microsoft) treat "
      "mail from such names as coming from a dynamic or residential address. Ask the provider of the "
      "address for a custom PTR, e.g. " +
      ptr_record(result, wanted_host(result) == name ? std::string(k_placeholder_host) : wanted_host(result)) +
      ", with a matching " + address_type(result) +
      " record; if they cannot, send through a smarthost (your provider's or a mail service's relay) "
      "whose IP has proper reverse DNS." +
      reverse_contact(result));
}

void expectation_hints(const CheckResult& result, std::vector<std::string>& hints) {
  if (result.expected_hostname_match == false) {
    hints.push_back("The PTR names (" +
                    (result.ptr_hostnames.empty() ? std::string("none") : join(result.ptr_hostnames)) +
                    ") do not include the expected host name " + result.expected_hostname +
                    " (drift). If the expectation is right, set " + ptr_record(result, result.expected_hostname) +
                    "; otherwise update expected_hostname in the configuration." + reverse_contact(result));
  }
  if (result.helo_match == false) {
    const std::string& helo = result.helo_hostname;
    const bool among_ptr =
        std::find(result.ptr_hostnames.begin(), result.ptr_hostnames.end(), helo) != result.ptr_hostnames.end();
    std::string text = "The HELO name " + helo + " ";
    if (is_definitive(result.ptr_status) && !among_ptr) {
      text += "is not a PTR name of " + result.ip;
      if (!result.ptr_hostnames.empty()) text += " (" + join(result.ptr_hostnames) + ")";
      text += "; ";
    }
    if (result.helo_forward && is_definitive(result.helo_forward->status) && !result.helo_forward->confirms) {
      text += "does not resolve to " + result.ip + " (it " + forward_found(result, *result.helo_forward) + "): add " +
              address_record(result, helo) + "; ";
    }
    std::string ptr_name;
    for (const std::string& name : result.ptr_hostnames) {
      if (ptr_name.empty() && is_valid_hostname(name)) ptr_name = name;
    }
    text += ptr_name.empty() ? "set the MTA's HELO name and the PTR to the same host name"
                             : "set the MTA's HELO name (Postfix smtp_helo_name, Exim helo_data) to " + ptr_name +
                                   ", or change the PTR";
    text += ". Receivers compare HELO, PTR and forward records.";
    hints.push_back(text);
  }
}

}  // namespace

std::string describe_zone(const SoaInfo& soa) {
  std::string out = soa.zone.empty() ? std::string(".") : soa.zone;
  std::vector<std::string> parts;
  if (!soa.primary_ns.empty()) parts.push_back("primary name server " + soa.primary_ns);
  if (!soa.responsible.empty()) parts.push_back("contact " + soa.responsible);
  if (!parts.empty()) out += " (" + join(parts) + ")";
  return out;
}

std::vector<std::string> remediation_hints(const CheckResult& result) {
  std::vector<std::string> hints;
  ptr_hints(result, hints);
  forward_hints(result, hints);
  generic_hint(result, hints);
  expectation_hints(result, hints);
  if (result.ptr_consistency) {
    for (std::string& hint : zone::zone_server_hints(*result.ptr_consistency)) hints.push_back(std::move(hint));
  }
  return hints;
}

}  // namespace rdns::checks
