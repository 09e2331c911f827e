#include "agent/metrics/target_families.hpp"

#include <array>
#include <vector>

namespace rdns::agent::metrics {
namespace {

using checks::LookupStatus;
using prometheus::MetricType;

// The config loader refuses more labels than this, so none is ever dropped here.
constexpr std::size_t k_max_extra = config::k_max_target_labels;

// Config labels as LabelRefs, reserved names dropped.
struct Extra {
  std::array<LabelRef, k_max_extra> refs;
  std::size_t size = 0;
  std::span<const LabelRef> span() const { return {refs.data(), size}; }
};

Extra extra_labels(const TargetRow& row) {
  Extra extra;
  if (!row.labels) return extra;
  for (const auto& [name, value] : *row.labels) {
    if (extra.size == k_max_extra) break;
    if (is_reserved_label(name)) continue;
    extra.refs[extra.size++] = LabelRef{name, value};
  }
  return extra;
}

// One gauge family with at most one `ip` series per target.
template <typename ValueFn>
void ip_gauge(std::span<const TargetRow> rows, SampleSink& sink, std::string_view name, std::string_view help,
              ValueFn value_of) {
  sink.family(name, help, MetricType::Gauge);
  for (const auto& row : rows) {
    if (!row.record) continue;
    std::optional<double> value = value_of(row);
    if (!value) continue;
    const LabelRef ip{"ip", row.ip};
    sink.sample({&ip, 1}, extra_labels(row).span(), *value);
  }
}

std::optional<double> tri_value(Tri tri) {
  if (tri == Tri::unknown) return std::nullopt;
  return tri == Tri::yes ? 1.0 : 0.0;
}

void state_set(std::span<const TargetRow> rows, SampleSink& sink, std::string_view name, std::string_view help,
               std::optional<LookupStatus> (*status_of)(const TargetRecord&)) {
  sink.family(name, help, MetricType::Gauge);
  for (const auto& row : rows) {
    if (!row.record) continue;
    const auto status = status_of(*row.record);
    if (!status) continue;
    const Extra extra = extra_labels(row);
    for (LookupStatus each : checks::k_all_lookup_statuses) {
      const std::array<LabelRef, 2> labels{LabelRef{"ip", row.ip}, LabelRef{"status", checks::to_string(each)}};
      sink.sample(labels, extra.span(), each == *status ? 1.0 : 0.0);
    }
  }
}

}  // namespace

bool is_reserved_label(std::string_view name) {
  return name == "ip" || name == "status" || name == "hostname" || name == "target" || name == "result" ||
         name == "__name__";
}

void emit_target_aggregates(std::span<const TargetRow> rows, SampleSink& sink) {
  sink.family("rdns_target_info",
              "1 per IP, naming the [[targets]] entry (its ip or cidr) the IP belongs to, for joining "
              "per-IP alerts to their entry.",
              MetricType::Gauge);
  for (const auto& row : rows) {
    const std::array<LabelRef, 2> labels{LabelRef{"ip", row.ip}, LabelRef{"target", row.entry}};
    sink.sample(labels, {}, 1.0);
  }

  sink.family("rdns_target_ips",
              "IPs of each [[targets]] entry by result: pass (every check passed), fail (a check failed), "
              "undecided (no decisive answer yet: lookups failed), pending (not checked yet).",
              MetricType::Gauge);
  // Rows of one entry are adjacent (config order), so one pass suffices.
  constexpr std::array<std::string_view, 4> k_results = {"pass", "fail", "undecided", "pending"};
  std::size_t begin = 0;
  while (begin < rows.size()) {
    std::array<std::size_t, 4> counts{};
    std::size_t end = begin;
    for (; end < rows.size() && rows[end].entry == rows[begin].entry; ++end) {
      const TargetRecord* record = rows[end].record;
      const std::size_t result = !record ? 3 : record->success == Tri::yes ? 0 : record->success == Tri::no ? 1 : 2;
      ++counts[result];
    }
    const Extra extra = extra_labels(rows[begin]);
    for (std::size_t i = 0; i < k_results.size(); ++i) {
      const std::array<LabelRef, 2> labels{LabelRef{"target", rows[begin].entry}, LabelRef{"result", k_results[i]}};
      sink.sample(labels, extra.span(), static_cast<double>(counts[i]));
    }
    begin = end;
  }
}

void emit_target_families(std::span<const TargetRow> rows, SampleSink& sink) {
  ip_gauge(rows, sink, "rdns_check_success",
           "1 when every enabled check of the IP definitively passed, 0 when one definitively failed. "
           "Absent until a check of the IP was decisive; while later lookups fail (SERVFAIL, timeout, "
           "bogus...) it keeps its last decisive value: a resolver problem never yields or changes a verdict; "
           "see rdns_ptr_lookup_status and rdns_verdict_timestamp_seconds.",
           [](const TargetRow& row) { return tri_value(row.record->success); });

  state_set(rows, sink, "rdns_ptr_lookup_status",
            "State set: 1 for the current outcome of the PTR lookup of the IP (ok, nxdomain, nodata, "
            "servfail, timeout, bogus, refused, error), 0 for the others.",
            [](const TargetRecord& record) -> std::optional<LookupStatus> { return record.ptr_status; });

  ip_gauge(rows, sink, "rdns_ptr_present",
           "1 when the IP has a PTR record, 0 when the DNS definitively said it has none (NXDOMAIN/NODATA). "
           "Absent until a lookup was definitive; kept while later lookups fail.",
           [](const TargetRow& row) { return tri_value(row.record->ptr_present); });

  ip_gauge(rows, sink, "rdns_ptr_records", "Number of PTR records of the IP (when the lookup was definitive).",
           [](const TargetRow& row) -> std::optional<double> {
             if (!checks::is_definitive(row.record->verdict_ptr_status)) return std::nullopt;
             return row.record->ptr_records;
           });

  sink.family("rdns_ptr_info",
              "1 per PTR hostname of the IP: lower case, no trailing dot, odd bytes as DNS presentation "
              "escapes.",
              MetricType::Gauge);
  for (const auto& row : rows) {
    if (!row.record || row.record->verdict_ptr_status != LookupStatus::ok) continue;
    const Extra extra = extra_labels(row);
    row.record->for_each_hostname([&](std::string_view hostname) {
      const std::array<LabelRef, 2> labels{LabelRef{"ip", row.ip}, LabelRef{"hostname", hostname}};
      sink.sample(labels, extra.span(), 1.0);
    });
  }

  state_set(rows, sink, "rdns_forward_lookup_status",
            "State set: 1 for the worst outcome of the A/AAAA lookups of the IP's PTR hostnames, 0 for "
            "the others. Absent without PTR names.",
            [](const TargetRecord& record) { return record.forward_lookup_status(); });

  ip_gauge(rows, sink, "rdns_fcrdns_pass",
           "1 when some PTR hostname's A (IPv4) / AAAA (IPv6) records contain the IP (forward-confirmed "
           "reverse DNS), 0 when none does. Absent until decidable (a forward lookup failed and no other "
           "name confirmed); kept while later lookups fail.",
           [](const TargetRow& row) { return tri_value(row.record->fcrdns_pass); });

  ip_gauge(rows, sink, "rdns_fcrdns_confirmed_names",
           "How many of the IP's PTR hostnames resolve back to the IP (when FCrDNS was decidable).",
           [](const TargetRow& row) -> std::optional<double> {
             if (row.record->fcrdns_pass == Tri::unknown) return std::nullopt;
             return row.record->fcrdns_confirmed_names;
           });

  ip_gauge(rows, sink, "rdns_ptr_hostname_valid",
           "1 when every PTR name is a valid host name (letters, digits, hyphens; labels of at most 63 "
           "octets; not all-numeric); receivers treat an invalid one as no name.",
           [](const TargetRow& row) { return tri_value(row.record->ptr_hostname_valid); });

  ip_gauge(rows, sink, "rdns_generic_hostname",
           "1 when the PTR hostname looks generic (ISP-assigned, dynamic or pool style), 0 when not. "
           "Absent without a PTR name.",
           [](const TargetRow& row) { return tri_value(row.record->generic); });

  ip_gauge(rows, sink, "rdns_expected_hostname_match",
           "1 when a PTR name equals the configured expected_hostname, 0 when none does (only for targets "
           "with expected_hostname, when decidable).",
           [](const TargetRow& row) { return tri_value(row.record->expected_hostname_match); });

  ip_gauge(rows, sink, "rdns_helo_match",
           "1 when the configured helo_hostname resolves to the IP and equals a PTR name (only for targets "
           "with helo_hostname, when decidable).",
           [](const TargetRow& row) { return tri_value(row.record->helo_match); });

  ip_gauge(rows, sink, "rdns_dnssec_secure",
           "1 when the PTR answer validated as DNSSEC secure, 0 when insecure (when the lookup was "
           "definitive).",
           [](const TargetRow& row) -> std::optional<double> {
             if (!checks::is_definitive(row.record->verdict_ptr_status)) return std::nullopt;
             return row.record->dnssec_secure ? 1.0 : 0.0;
           });

  ip_gauge(rows, sink, "rdns_ptr_ttl_seconds", "TTL of the PTR RRset of the IP (when it has one).",
           [](const TargetRow& row) -> std::optional<double> {
             if (row.record->verdict_ptr_status != LookupStatus::ok) return std::nullopt;
             return row.record->ptr_ttl;
           });

  ip_gauge(rows, sink, "rdns_last_check_timestamp_seconds", "Unix time the IP was last checked (whatever the outcome).",
           [](const TargetRow& row) -> std::optional<double> { return row.record->checked_at; });

  ip_gauge(rows, sink, "rdns_verdict_timestamp_seconds",
           "Unix time of the check the verdict gauges of the IP come from: its last decisive answer. "
           "While later lookups fail, the verdicts stay and this stays at that time. Absent when no "
           "check was decisive yet.",
           [](const TargetRow& row) -> std::optional<double> {
             if (row.record->verdict_at <= 0) return std::nullopt;
             return row.record->verdict_at;
           });

  ip_gauge(rows, sink, "rdns_ptr_last_change_timestamp_seconds",
           "Unix time the set of PTR names of the IP last changed (order-insensitive; the first definitive "
           "answer sets it, a resolver error is not a change).",
           [](const TargetRow& row) { return row.last_change; });
}

}  // namespace rdns::agent::metrics
