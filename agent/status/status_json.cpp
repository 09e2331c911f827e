#include "agent/status/status_json.hpp"

#include <ctime>

#include "util/text_escape.hpp"
#include "util/time_text.hpp"

namespace rdns::agent {
namespace {

using text::json_string;

std::string json_bool(const std::optional<bool>& value) {
  if (!value) return "null";
  return *value ? "true" : "false";
}

std::string json_optional(const std::string& value) { return value.empty() ? "null" : json_string(value); }

void append_result(std::string& out, const checks::CheckResult& r) {
  const char* verdict = !r.success ? "unknown" : (*r.success ? "pass" : "fail");
  out += "{\"verdict\":\"";
  out += verdict;
  out += "\",\"ptr_status\":";
  out += json_string(checks::to_string(r.ptr_status));
  out += ",\"ptr_hostnames\":[";
  for (std::size_t i = 0; i < r.ptr_hostnames.size(); ++i) {
    if (i != 0) out += ',';
    out += json_string(r.ptr_hostnames[i]);
  }
  out += "],\"forward_status\":";
  out += r.forward_status ? json_string(checks::to_string(*r.forward_status)) : std::string("null");
  out += ",\"ptr_present\":" + json_bool(r.ptr_present);
  out += ",\"fcrdns_pass\":" + json_bool(r.fcrdns_pass);
  out += ",\"ptr_hostname_valid\":" + json_bool(r.ptr_hostname_valid);
  out += ",\"generic\":" + json_bool(r.generic ? std::optional<bool>(r.generic->generic) : std::nullopt);
  out += ",\"generic_reason\":";
  out += r.generic ? json_string(r.generic->reason) : std::string("null");
  out += ",\"expected_hostname_match\":" + json_bool(r.expected_hostname_match);
  out += ",\"helo_match\":" + json_bool(r.helo_match);
  out += ",\"dnssec_secure\":";
  out += r.dnssec_secure ? "true" : "false";
  out += ",\"ptr_ttl\":" + std::to_string(r.ptr_ttl);
  out += ",\"checked_at\":" + json_string(util::rfc3339_utc(r.checked_at)) + "}";
}

void append_target(std::string& out, const ShownTarget& shown) {
  const config::Target& t = shown.status.target;
  out += "{\"ip\":" + json_string(t.ip);
  out += ",\"state\":" + json_string(state_name(shown.state));
  out += ",\"expected_hostname\":" + json_optional(t.expected_hostname);
  out += ",\"helo_hostname\":" + json_optional(t.helo_hostname);
  out += ",\"labels\":{";
  bool first = true;
  for (const auto& [name, value] : t.labels) {
    if (!first) out += ',';
    first = false;
    out += json_string(name) + ":" + json_string(value);
  }
  out += "},\"result\":";
  if (shown.status.result) {
    append_result(out, *shown.status.result);
  } else {
    out += "null";
  }
  out += "}";
}

}  // namespace

std::string render_status_json(const StatusPageModel& model, const StatusPageQuery& query) {
  std::string out = "{\"version\":1,\"counts\":{";
  for (std::size_t i = 0; i < k_state_order.size(); ++i) {
    if (i != 0) out += ',';
    out += json_string(state_name(k_state_order[i])) + ":" +
           std::to_string(model.counts[static_cast<std::size_t>(k_state_order[i])]);
  }
  out += "},\"total\":" + std::to_string(model.total) + ",\"matching\":" + std::to_string(model.matching);
  out += ",\"offset\":" + std::to_string(model.offset) + ",\"limit\":" + std::to_string(query.limit);
  out += ",\"filter\":" + json_string(query.filter) + ",\"ip\":" + json_string(query.ip) + ",\"targets\":[";
  for (std::size_t i = 0; i < model.shown.size(); ++i) {
    if (i != 0) out += ',';
    out += '\n';
    append_target(out, model.shown[i]);
  }
  out += "]}\n";
  return out;
}

}  // namespace rdns::agent
