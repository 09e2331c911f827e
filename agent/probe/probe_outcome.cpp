#include "agent/probe/probe_outcome.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "agent/report/check_report.hpp"
#include "agent/metrics/exposition_writer.hpp"
#include "agent/metrics/target_families.hpp"
#include "agent/store/target_record.hpp"
#include "checks/counting_resolver.hpp"
#include "config/duration.hpp"
#include "util/text_escape.hpp"

namespace rdns::agent {
namespace {

using namespace std::chrono;

constexpr const char* k_exposition_note = "The exposition Prometheus would get (without debug=true):";

std::string seconds_text(double seconds) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3fs", seconds);
  return buffer;
}

void emit_lookup_status(metrics::TextSink& sink, std::string_view type, checks::LookupStatus status) {
  for (const auto candidate : checks::k_all_lookup_statuses) {
    const metrics::LabelRef labels[] = {{"type", type}, {"status", checks::to_string(candidate)}};
    sink.sample(labels, {}, candidate == status ? 1.0 : 0.0);
  }
}

void emit_host_families(const ProbeOutcome& outcome, metrics::TextSink& sink) {
  const HostLookup& host = *outcome.host;
  sink.family("probe_host_lookup_status", "State set: the status of the A and AAAA lookups of the host-name target.",
              prometheus::MetricType::Gauge);
  emit_lookup_status(sink, "A", host.a_status);
  emit_lookup_status(sink, "AAAA", host.aaaa_status);
  sink.family("probe_host_addresses",
              "Addresses of the host-name target: checked, refused by [probe] allow_cidrs, or dropped "
              "beyond the cap.",
              prometheus::MetricType::Gauge);
  const std::size_t checked = outcome.results.size();
  const std::pair<std::string_view, std::size_t> counts[] = {
      {"checked", checked}, {"refused", outcome.refused.size()}, {"dropped", host.dropped}};
  for (const auto& [result, count] : counts) {
    const metrics::LabelRef labels[] = {{"result", result}};
    sink.sample(labels, {}, static_cast<double>(count));
  }
}

std::string dnssec_state(const checks::DnsAnswer& answer) {
  if (answer.status == checks::LookupStatus::bogus) return "bogus";
  if (!checks::is_definitive(answer.status)) return "unknown";
  return answer.secure ? "secure" : "insecure";
}

void write_lookup(std::ostream& out, const checks::TracedLookup& lookup) {
  out << "  +" << seconds_text(lookup.sent_after.count()) << "  " << text::one_line(lookup.name) << " "
      << checks::rr_type_name(lookup.type);
  if (!lookup.took) {
    out << "  no answer yet\n";
    return;
  }
  const checks::DnsAnswer& answer = lookup.answer;
  out << "  " << checks::to_string(answer.status) << " in " << seconds_text(lookup.took->count());
  if (checks::is_definitive(answer.status)) out << "  ttl=" << answer.ttl;
  out << "  dnssec=" << dnssec_state(answer) << "\n";
  if (!answer.canonical_name.empty()) out << "      via CNAME to " << text::one_line(answer.canonical_name) << "\n";
  for (const auto& record : answer.records) out << "      answer: " << text::one_line(record) << "\n";
  if (answer.authority_soa) {
    out << "      authority SOA: " << text::one_line(answer.authority_soa->zone) << "\n";
  }
  if (!answer.detail.empty()) out << "      detail: " << text::one_line(answer.detail) << "\n";
}

}  // namespace

ProbeBudget probe_budget(std::optional<double> scrape_timeout_seconds, milliseconds offset, milliseconds configured) {
  ProbeBudget out;
  const std::string configured_text = config::format_duration(configured);
  if (!scrape_timeout_seconds) {
    out.budget = configured;
    out.reason = "[schedule] timeout " + configured_text + " (no X-Prometheus-Scrape-Timeout-Seconds header)";
    return out;
  }
  const double scrape_ms = *scrape_timeout_seconds * 1000.0;
  const double offset_ms = static_cast<double>(offset.count());
  const double wanted_ms = scrape_ms > offset_ms ? scrape_ms - offset_ms : scrape_ms / 2;
  const std::string header_text = seconds_text(*scrape_timeout_seconds);
  if (wanted_ms >= static_cast<double>(configured.count())) {
    out.budget = configured;
    out.reason = "[schedule] timeout " + configured_text + " (shorter than the scrape timeout " + header_text +
                 " minus --probe.timeout-offset " + config::format_duration(offset) + ")";
    return out;
  }
  out.budget = milliseconds(std::max<long long>(1, std::llround(wanted_ms)));
  out.from_scrape_timeout = true;
  out.reason =
      scrape_ms > offset_ms
          ? "scrape timeout " + header_text + " minus --probe.timeout-offset " + config::format_duration(offset)
          : "half the scrape timeout " + header_text + " (not longer than --probe.timeout-offset " +
                config::format_duration(offset) + ")";
  return out;
}

bool probe_succeeded(const ProbeOutcome& outcome) {
  if (outcome.results.empty() || !outcome.refused.empty()) return false;
  return std::all_of(outcome.results.begin(), outcome.results.end(),
                     [](const checks::CheckResult& r) { return r.success == true; });
}

std::string probe_exposition(const ProbeOutcome& outcome) {
  metrics::TextSink sink;
  sink.family("probe_success", "1 when every address of the target was checked and definitively passed, else 0.",
              prometheus::MetricType::Gauge);
  sink.sample({}, {}, probe_succeeded(outcome) ? 1.0 : 0.0);
  sink.family("probe_duration_seconds", "How long the probe took.", prometheus::MetricType::Gauge);
  sink.sample({}, {}, outcome.elapsed.count());
  if (outcome.host) emit_host_families(outcome, sink);
  std::vector<TargetRecord> records;
  records.reserve(outcome.results.size());
  for (const auto& result : outcome.results) records.push_back(make_record(result));
  std::vector<metrics::TargetRow> rows;
  for (std::size_t i = 0; i < records.size(); ++i) {
    const std::string& ip = outcome.results[i].ip;
    rows.push_back(metrics::TargetRow{ip, ip, nullptr, &records[i], std::nullopt});
  }
  metrics::emit_target_families(rows, sink);
  sink.finish();
  return sink.text();
}

std::string probe_debug_text(const ProbeOutcome& outcome, const std::vector<checks::TracedLookup>& lookups) {
  std::ostringstream out;
  out << "Probe of " << outcome.target << ": " << (probe_succeeded(outcome) ? "success" : "failure") << " in "
      << seconds_text(outcome.elapsed.count())
      << "\nDeadline: " << seconds_text(duration<double>(outcome.budget.budget).count()) << ", from "
      << outcome.budget.reason << "\n";
  if (outcome.host) {
    const HostLookup& host = *outcome.host;
    out << "Host name " << host.name << ": A " << checks::to_string(host.a_status) << ", AAAA "
        << checks::to_string(host.aaaa_status) << "; " << host.addresses.size() << " address(es)";
    if (host.dropped > 0) out << ", " << host.dropped << " more dropped beyond the cap";
    out << "\n";
  }
  for (const auto& ip : outcome.refused) out << "Not checked: " << ip << " is outside [probe] allow_cidrs\n";
  for (std::size_t i = 0; i < outcome.results.size(); ++i) {
    if (outcome.timed_out[i]) out << "Deadline: the check of " << outcome.results[i].ip << " had not finished\n";
  }

  out << "\nLookups (time sent since the probe began, name, type, status, answers):\n";
  if (lookups.empty()) out << "  none\n";
  for (const auto& lookup : lookups) write_lookup(out, lookup);

  out << "\nVerdicts:\n";
  if (outcome.results.empty()) {
    out << "  no address was checked\n";
  } else {
    write_text_report(out, outcome.results);
  }
  out << "\n" << k_exposition_note << "\n" << probe_exposition(outcome);
  return out.str();
}

}  // namespace rdns::agent
