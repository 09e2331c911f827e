#include "agent/report/check_report.hpp"

#include <cmath>
#include <ctime>
#include <iomanip>
#include <ostream>
#include <sstream>
#include <string>

#include "agent/report/exit_codes.hpp"
#include "checks/remediation.hpp"
#include "checks/zone/zone_remediation.hpp"
#include "util/time_text.hpp"

namespace rdns::agent {
namespace {

using checks::CheckResult;
using checks::ForwardCheck;
using checks::LookupStatus;
using text::json_string;

const char* address_type(const CheckResult& result) { return result.ip.find(':') != std::string::npos ? "AAAA" : "A"; }

std::string join(const std::vector<std::string>& items, std::string_view separator = ", ") {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

std::string with_detail(LookupStatus status, const std::string& detail) {
  std::string out(checks::to_string(status));
  if (!detail.empty()) out += " (" + detail + ")";
  return out;
}

std::string forward_line(const ForwardCheck& check) {
  std::string line = check.hostname + " -> ";
  if (check.status == LookupStatus::ok) {
    line += join(check.addresses);
    line += check.confirms ? "  (confirms)" : "  (does not confirm)";
  } else {
    line += with_detail(check.status, check.detail);
  }
  return line;
}

class TextWriter {
public:
  TextWriter(std::ostream& out, const TextOptions& options) : m_out(out), m_options(options) {}

  void result(const CheckResult& result) {
    const Verdict verdict = verdict_of(result);
    m_out << result.ip << "  " << word(verdict) << "\n";
    field("reverse name", result.reverse_name.empty() ? "-" : result.reverse_name);
    std::string ptr = with_detail(result.ptr_status, result.ptr_detail);
    if (checks::is_definitive(result.ptr_status)) {
      ptr += result.dnssec_secure ? ", DNSSEC secure" : ", DNSSEC insecure";
    }
    if (result.ptr_status == LookupStatus::ok) ptr += ", TTL " + std::to_string(result.ptr_ttl) + "s";
    field("PTR lookup", ptr);
    if (!result.ptr_canonical_name.empty()) field("  via CNAME", result.ptr_canonical_name);
    if (!result.ptr_hostnames.empty()) field("PTR names", join(result.ptr_hostnames));
    for (const ForwardCheck& check : result.forward)
      field(std::string("forward ") + address_type(result), forward_line(check));
    if (result.forward_capped) {
      field("", "(only the first " + std::to_string(result.forward.size()) + " of " +
                    std::to_string(result.ptr_hostnames.size()) + " names looked up)");
    }
    if (result.helo_forward) field(std::string("HELO ") + address_type(result), forward_line(*result.helo_forward));

    const bool ptr_definitive = checks::is_definitive(result.ptr_status);
    check_line(result.ptr_present, "PTR record present");
    if (!result.ptr_hostnames.empty()) check_line(result.ptr_hostname_valid, "PTR names are valid host names");
    if (result.forward.empty()) {
      check_line(result.fcrdns_pass, "forward-confirmed (FCrDNS): no PTR name to resolve back to " + result.ip);
    } else {
      check_line(result.fcrdns_pass, "forward-confirmed (FCrDNS): " + std::to_string(result.fcrdns_confirmed_names) +
                                         " of " + std::to_string(result.forward.size()) +
                                         " PTR names resolve back to " + result.ip);
    }
    if (result.generic) {
      std::string text = result.generic->generic ? "PTR name looks generic" : "PTR name does not look generic";
      if (!result.generic->reason.empty()) text += " (" + result.generic->reason + ")";
      check_line(std::optional<bool>(!result.generic->generic), text);
    } else if (!ptr_definitive) {
      check_line(std::nullopt, "PTR name does not look generic");
    }
    if (!result.expected_hostname.empty()) {
      check_line(result.expected_hostname_match, "PTR names include expected host name " + result.expected_hostname);
    }
    if (!result.helo_hostname.empty()) {
      check_line(result.helo_match, "HELO name " + result.helo_hostname + " resolves to the IP and is a PTR name");
    }
    if (result.reverse_zone_soa) field("reverse zone", checks::describe_zone(*result.reverse_zone_soa));
    if (result.forward_zone_soa) field("forward zone", checks::describe_zone(*result.forward_zone_soa));
    if (result.ptr_consistency) zone_servers(*result.ptr_consistency);
    const auto hints = checks::remediation_hints(result);
    if (!hints.empty()) {
      m_out << "  what to do:\n";
      for (const auto& hint : hints) m_out << "    - " << hint << "\n";
    }
    m_out << "\n";
  }

  std::string word(Verdict verdict) const {
    switch (verdict) {
      case Verdict::pass: return paint("PASS", "32");
      case Verdict::fail: return paint("FAIL", "31");
      case Verdict::unknown: return paint("UNKNOWN", "33");
    }
    return "UNKNOWN";
  }

private:
  std::string paint(std::string_view text, std::string_view colour) const {
    if (!m_options.colour) return std::string(text);
    return "\033[1;" + std::string(colour) + "m" + std::string(text) + "\033[0m";
  }

  // The IP's reverse zone servers: one line per server address, what it serves when asked.
  void zone_servers(const checks::PtrConsistency& consistency) {
    const std::string summary = checks::zone::consistency_summary(consistency);
    const Verdict v = consistency.state == checks::Consistency::undecidable
                          ? Verdict::unknown
                          : (consistency.state == checks::Consistency::consistent ? Verdict::pass : Verdict::fail);
    check_line(v == Verdict::unknown ? std::nullopt : std::optional<bool>(v == Verdict::pass),
               "every name server serves the same PTR (" + summary + ")");
    std::string zone;
    for (const auto& row : checks::zone::server_rows(consistency)) {
      if (row.zone != zone) field("zone servers", (zone = row.zone));
      std::string line = row.nameserver + "  " + (row.address.empty() ? "-" : row.address) + "  " + row.state;
      if (row.serial) line += "  serial " + std::to_string(*row.serial);
      if (row.records) line += "  serves " + *row.records;
      field("", line);
    }
  }

  void field(const std::string& name, const std::string& value) {
    m_out << "  " << std::left << std::setw(14) << name << value << "\n";
  }

  void check_line(const std::optional<bool>& verdict, const std::string& text) {
    const Verdict v = !verdict ? Verdict::unknown : (*verdict ? Verdict::pass : Verdict::fail);
    std::string mark = word(v);
    // Pad on the visible width, not the escape codes.
    const std::size_t visible = to_string(v).size();
    m_out << "  " << mark << std::string(visible < 8 ? 8 - visible : 1, ' ') << text << "\n";
  }

  std::ostream& m_out;
  const TextOptions& m_options;
};

std::string json_bool(const std::optional<bool>& value) {
  if (!value) return "null";
  return *value ? "true" : "false";
}

std::string json_strings(const std::vector<std::string>& items) {
  std::string out = "[";
  // Appended piece by piece: `"," + json_string(...)` trips GCC 12's -Wrestrict false
  // positive at -O3 (operator+ on a literal and a temporary string).
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i != 0) out += ',';
    out += json_string(items[i]);
  }
  return out + "]";
}

std::string json_soa(const std::optional<checks::SoaInfo>& soa) {
  if (!soa) return "null";
  return "{\"zone\":" + json_string(soa->zone) + ",\"primary_ns\":" + json_string(soa->primary_ns) +
         ",\"responsible\":" + json_string(soa->responsible) + "}";
}

std::string json_forward(const ForwardCheck& check) {
  return "{\"hostname\":" + json_string(check.hostname) +
         ",\"status\":" + json_string(checks::to_string(check.status)) + ",\"detail\":" + json_string(check.detail) +
         ",\"addresses\":" + json_strings(check.addresses) + ",\"confirms\":" + (check.confirms ? "true" : "false") +
         "}";
}

// {"state", "reason", "zones": [{"zone", "soa", "problem", "servers": [{"nameserver", "address",
// "state", "up", "serial", "serves"}]}]}; null when the servers were not asked.
std::string json_zone_servers(const std::shared_ptr<const checks::PtrConsistency>& c) {
  if (!c) return "null";
  std::string out = "{\"state\":" + json_string(checks::to_string(c->state)) + ",\"reason\":" + json_string(c->reason) +
                    ",\"zones\":[";
  const auto rows = checks::zone::server_rows(*c);
  for (std::size_t z = 0; z < c->zones.size(); ++z) {
    const auto& zone = *c->zones[z];
    out += z ? "," : "";
    out += "{\"zone\":" + json_string(zone.zone) + ",\"soa\":" + json_soa(zone.soa) +
           ",\"problem\":" + json_string(zone.problem) + ",\"servers\":[";
    bool first = true;
    for (const auto& row : rows) {
      if (row.zone != zone.zone) continue;
      out += first ? "" : ",";
      first = false;
      out += "{\"nameserver\":" + json_string(row.nameserver) + ",\"address\":" + json_string(row.address) +
             ",\"state\":" + json_string(row.state) + ",\"up\":" + (row.up ? "true" : "false") +
             ",\"serial\":" + (row.serial ? std::to_string(*row.serial) : std::string("null")) +
             ",\"serves\":" + (row.records ? json_string(*row.records) : std::string("null")) + "}";
    }
    out += "]}";
  }
  return out + "]}";
}

}  // namespace

Verdict verdict_of(const CheckResult& result) {
  if (!result.success) return Verdict::unknown;
  return *result.success ? Verdict::pass : Verdict::fail;
}

std::string_view to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::pass: return "pass";
    case Verdict::fail: return "fail";
    case Verdict::unknown: return "unknown";
  }
  return "unknown";
}

int exit_status_for(const std::vector<CheckResult>& results) {
  bool unknown = false;
  for (const auto& result : results) {
    const Verdict verdict = verdict_of(result);
    if (verdict == Verdict::fail) return k_exit_check_failed;
    if (verdict == Verdict::unknown) unknown = true;
  }
  return unknown ? k_exit_undecided : k_exit_ok;
}

void write_text_report(std::ostream& out, const std::vector<CheckResult>& results, const TextOptions& options) {
  TextWriter writer(out, options);
  int counts[3] = {0, 0, 0};
  for (const auto& result : results) {
    writer.result(result);
    ++counts[static_cast<int>(verdict_of(result))];
  }
  out << results.size() << (results.size() == 1 ? " IP" : " IPs") << " checked: " << counts[0] << " "
      << writer.word(Verdict::pass) << ", " << counts[1] << " " << writer.word(Verdict::fail) << ", " << counts[2]
      << " " << writer.word(Verdict::unknown) << "\n";
}

// JSON schema (version 1):
// { "version": 1,
//   "summary": { "checked": N, "pass": N, "fail": N, "unknown": N, "exit_status": 0|1|2 },
//   "results": [ {
//     "ip", "reverse_name", "verdict": "pass"|"fail"|"unknown", "success": bool|null,
//     "ptr": { "status", "detail", "hostnames": [..], "ttl", "dnssec_secure", "canonical_name" },
//     "forward": { "status": str|null, "capped": bool,
//                  "names": [ { "hostname", "status", "detail", "addresses": [..], "confirms" } ] },
//     "checks": { "ptr_present", "ptr_hostname_valid", "fcrdns_pass", "expected_hostname_match",
//                 "helo_match": bool|null, "fcrdns_confirmed_names": N,
//                 "generic": { "generic", "score", "reason" } | null },
//     "expected_hostname": str|null, "helo_hostname": str|null, "helo_forward": {name as above}|null,
//     "reverse_zone_soa", "forward_zone_soa": { "zone", "primary_ns", "responsible" } | null,
//     "zone_servers": { "state": consistent|inconsistent|undecidable, "reason", "zones": [ { "zone",
//        "soa", "problem", "servers": [ { "nameserver", "address", "state", "up", "serial"|null,
//        "serves"|null } ] } ] } | null,
//     "remediation": [ str, .. ], "duration_seconds": num, "checked_at": "RFC 3339 UTC" } ] }
// null always means "not applicable or not decidable", never "failed".
void write_json_report(std::ostream& out, const std::vector<CheckResult>& results) {
  int counts[3] = {0, 0, 0};
  for (const auto& result : results) ++counts[static_cast<int>(verdict_of(result))];
  out << "{\"version\":1,\"summary\":{\"checked\":" << results.size() << ",\"pass\":" << counts[0]
      << ",\"fail\":" << counts[1] << ",\"unknown\":" << counts[2] << ",\"exit_status\":" << exit_status_for(results)
      << "},\"results\":[";
  for (std::size_t i = 0; i < results.size(); ++i) {
    const CheckResult& r = results[i];
    std::ostringstream duration;
    duration << std::fixed << std::setprecision(6) << r.duration.count();
    out << (i ? "," : "") << "\n{\"ip\":" << json_string(r.ip) << ",\"reverse_name\":" << json_string(r.reverse_name)
        << ",\"verdict\":" << json_string(to_string(verdict_of(r))) << ",\"success\":" << json_bool(r.success)
        << ",\"ptr\":{\"status\":" << json_string(checks::to_string(r.ptr_status))
        << ",\"detail\":" << json_string(r.ptr_detail) << ",\"hostnames\":" << json_strings(r.ptr_hostnames)
        << ",\"ttl\":" << r.ptr_ttl << ",\"dnssec_secure\":" << (r.dnssec_secure ? "true" : "false")
        << ",\"canonical_name\":" << json_string(r.ptr_canonical_name) << "}"
        << ",\"forward\":{\"status\":"
        << (r.forward_status ? json_string(checks::to_string(*r.forward_status)) : std::string("null"))
        << ",\"capped\":" << (r.forward_capped ? "true" : "false") << ",\"names\":[";
    for (std::size_t j = 0; j < r.forward.size(); ++j) out << (j ? "," : "") << json_forward(r.forward[j]);
    out << "]},\"checks\":{\"ptr_present\":" << json_bool(r.ptr_present)
        << ",\"ptr_hostname_valid\":" << json_bool(r.ptr_hostname_valid)
        << ",\"fcrdns_pass\":" << json_bool(r.fcrdns_pass) << ",\"fcrdns_confirmed_names\":" << r.fcrdns_confirmed_names
        << ",\"expected_hostname_match\":" << json_bool(r.expected_hostname_match)
        << ",\"helo_match\":" << json_bool(r.helo_match) << ",\"generic\":";
    if (r.generic) {
      std::ostringstream score;
      score << (std::isfinite(r.generic->score) ? r.generic->score : 0.0);  // JSON has no NaN
      out << "{\"generic\":" << (r.generic->generic ? "true" : "false") << ",\"score\":" << score.str()
          << ",\"reason\":" << json_string(r.generic->reason) << "}";
    } else {
      out << "null";
    }
    out << "},\"expected_hostname\":"
        << (r.expected_hostname.empty() ? std::string("null") : json_string(r.expected_hostname))
        << ",\"helo_hostname\":" << (r.helo_hostname.empty() ? std::string("null") : json_string(r.helo_hostname))
        << ",\"helo_forward\":" << (r.helo_forward ? json_forward(*r.helo_forward) : std::string("null"))
        << ",\"reverse_zone_soa\":" << json_soa(r.reverse_zone_soa)
        << ",\"forward_zone_soa\":" << json_soa(r.forward_zone_soa)
        << ",\"zone_servers\":" << json_zone_servers(r.ptr_consistency)
        << ",\"remediation\":" << json_strings(checks::remediation_hints(r))
        << ",\"duration_seconds\":" << duration.str() << ",\"checked_at\":" << json_string(util::rfc3339_utc(r.checked_at))
        << "}";
  }
  out << "\n]}\n";
}

}  // namespace rdns::agent
