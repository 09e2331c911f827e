#include "agent/metrics/target_families.hpp"

#include <algorithm>
#include <array>
#include <limits>
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
    if (!has_ip_series(row)) continue;
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
    if (!has_ip_series(row)) continue;
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
         name == "check" || name == "__name__";
}

bool has_lookup_problem(const TargetRecord& record) {
  if (!checks::is_definitive(record.ptr_status)) return true;
  const auto forward = record.forward_lookup_status();
  return forward && !checks::is_definitive(*forward);
}

bool has_ip_series(const TargetRow& row) {
  if (!row.record) return false;
  if (row.series == config::SeriesMode::all) return true;
  // A pass whose reverse-zone servers disagree is still a problem to page on (RdnsPtrInconsistent
  // needs rdns_ptr_consistent per IP): a secondary serving another PTR set is what some
  // receivers will see.
  const auto& consistency = row.record->consistency;
  const bool inconsistent = consistency && consistency->state == checks::Consistency::inconsistent;
  return row.record->success != Tri::yes || has_lookup_problem(*row.record) || inconsistent;
}

namespace {

// The check kinds of rdns_target_check_failures, each with the verdict that counts as failing.
// An IP without a PTR counts under `ptr` only (its FCrDNS, expected and HELO verdicts are 0
// too, for the same reason), as the per-IP alert rules and the dashboard count it.
struct CheckKind {
  std::string_view name;
  bool (*fails)(const TargetRecord&);
};
constexpr bool has_no_ptr(const TargetRecord& r) { return r.ptr_present == Tri::no; }
constexpr std::array<CheckKind, 6> k_check_kinds = {{
    {"ptr", [](const TargetRecord& r) { return has_no_ptr(r); }},
    {"fcrdns", [](const TargetRecord& r) { return !has_no_ptr(r) && r.fcrdns_pass == Tri::no; }},
    {"hostname_valid", [](const TargetRecord& r) { return !has_no_ptr(r) && r.ptr_hostname_valid == Tri::no; }},
    {"generic", [](const TargetRecord& r) { return !has_no_ptr(r) && r.generic == Tri::yes; }},
    {"expected_hostname", [](const TargetRecord& r) { return !has_no_ptr(r) && r.expected_hostname_match == Tri::no; }},
    {"helo", [](const TargetRecord& r) { return !has_no_ptr(r) && r.helo_match == Tri::no; }},
}};

// What the aggregates need of one entry, counted in one pass over its rows.
struct EntryCounts {
  std::array<std::size_t, 4> results{};  // pass, fail, undecided, pending
  std::array<std::size_t, k_check_kinds.size()> check_failures{};
  std::size_t lookup_problems = 0;
  double oldest_check = std::numeric_limits<double>::infinity();
};

EntryCounts count_entry(std::span<const TargetRow> rows) {
  EntryCounts counts;
  for (const auto& row : rows) {
    const TargetRecord* record = row.record;
    const std::size_t result = !record ? 3 : record->success == Tri::yes ? 0 : record->success == Tri::no ? 1 : 2;
    ++counts.results[result];
    if (!record) continue;
    for (std::size_t i = 0; i < k_check_kinds.size(); ++i) {
      if (k_check_kinds[i].fails(*record)) ++counts.check_failures[i];
    }
    if (has_lookup_problem(*record)) ++counts.lookup_problems;
    counts.oldest_check = std::min(counts.oldest_check, record->checked_at);
  }
  return counts;
}

// Calls fn(rows of one entry) for each entry: rows of one entry are adjacent (config order).
template <typename Fn>
void for_each_entry(std::span<const TargetRow> rows, Fn&& fn) {
  for (std::size_t begin = 0; begin < rows.size();) {
    std::size_t end = begin;
    while (end < rows.size() && rows[end].entry == rows[begin].entry) ++end;
    fn(rows.subspan(begin, end - begin));
    begin = end;
  }
}

}  // namespace

void emit_target_aggregates(std::span<const TargetRow> rows, SampleSink& sink) {
  sink.family("rdns_target_info",
              "1 per IP that has per-IP series (with series = \"failing\" only the IPs that do not pass), "
              "naming the [[targets]] entry (its ip or cidr) the IP belongs to, for joining per-IP alerts "
              "to their entry.",
              MetricType::Gauge);
  for (const auto& row : rows) {
    if (row.series == config::SeriesMode::failing && !has_ip_series(row)) continue;
    const std::array<LabelRef, 2> labels{LabelRef{"ip", row.ip}, LabelRef{"target", row.entry}};
    sink.sample(labels, {}, 1.0);
  }

  // Each family counts every entry afresh (a pass over the rows per family, no allocation: a
  // /16 of single-ip entries is 65,536 entries); a family's samples must be contiguous.
  sink.family("rdns_target_ips",
              "IPs of each [[targets]] entry by result: pass (every check passed), fail (a check failed), "
              "undecided (no decisive answer yet: lookups failed), pending (not checked yet).",
              MetricType::Gauge);
  constexpr std::array<std::string_view, 4> k_results = {"pass", "fail", "undecided", "pending"};
  for_each_entry(rows, [&](std::span<const TargetRow> entry) {
    const EntryCounts counts = count_entry(entry);
    const Extra extra = extra_labels(entry.front());
    for (std::size_t i = 0; i < k_results.size(); ++i) {
      const std::array<LabelRef, 2> labels{LabelRef{"target", entry.front().entry}, LabelRef{"result", k_results[i]}};
      sink.sample(labels, extra.span(), static_cast<double>(counts.results[i]));
    }
  });

  // Only the counts that are not 0 (absent means 0): a config of many single-ip entries must not
  // gain several series per IP. Queries use `sum(...) or vector(0)`.
  sink.family("rdns_target_check_failures",
              "IPs of each [[targets]] entry whose verdict for a check is a failure now: ptr (rdns_ptr_present "
              "0), fcrdns (rdns_fcrdns_pass 0), hostname_valid, generic (rdns_generic_hostname 1), "
              "expected_hostname, helo; an IP without a PTR counts under ptr only. Verdicts kept while lookups "
              "fail count. Absent when 0. Written in both series modes.",
              MetricType::Gauge);
  for_each_entry(rows, [&](std::span<const TargetRow> entry) {
    const EntryCounts counts = count_entry(entry);
    const Extra extra = extra_labels(entry.front());
    for (std::size_t i = 0; i < k_check_kinds.size(); ++i) {
      if (counts.check_failures[i] == 0) continue;
      const std::array<LabelRef, 2> labels{LabelRef{"target", entry.front().entry},
                                           LabelRef{"check", k_check_kinds[i].name}};
      sink.sample(labels, extra.span(), static_cast<double>(counts.check_failures[i]));
    }
  });

  sink.family("rdns_target_lookup_problems",
              "IPs of each [[targets]] entry whose latest check had a lookup that was not definitive "
              "(PTR or A/AAAA: servfail, timeout, bogus, refused, error). Absent when 0. Written in both series "
              "modes.",
              MetricType::Gauge);
  for_each_entry(rows, [&](std::span<const TargetRow> entry) {
    const EntryCounts counts = count_entry(entry);
    if (counts.lookup_problems == 0) return;
    const Extra extra = extra_labels(entry.front());
    const LabelRef target{"target", entry.front().entry};
    sink.sample({&target, 1}, extra.span(), static_cast<double>(counts.lookup_problems));
  });

  // Only where per-IP rdns_last_check_timestamp_seconds does not cover every IP.
  sink.family("rdns_target_oldest_check_timestamp_seconds",
              "Unix time of the oldest last check among the checked IPs of each [[targets]] entry with series = "
              "\"failing\" (absent while none is checked): staleness without per-IP series.",
              MetricType::Gauge);
  for_each_entry(rows, [&](std::span<const TargetRow> entry) {
    if (entry.front().series != config::SeriesMode::failing) return;
    const EntryCounts counts = count_entry(entry);
    if (counts.oldest_check == std::numeric_limits<double>::infinity()) return;
    const Extra extra = extra_labels(entry.front());
    const LabelRef target{"target", entry.front().entry};
    sink.sample({&target, 1}, extra.span(), counts.oldest_check);
  });
}

namespace {

// The PTR side: the overall verdict, the PTR lookup, its records and their consistency.
void emit_ptr_families(std::span<const TargetRow> rows, SampleSink& sink) {
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

  ip_gauge(rows, sink, "rdns_ptr_consistent",
           "1 when every answering authoritative server of the IP's reverse zone (for RFC 2317 both the zone "
           "holding the CNAME and the delegated one) serves the same PTR set, 0 when they differ (a "
           "secondary serving a stale copy). Absent when undecidable; kept while later surveys cannot decide.",
           [](const TargetRow& row) -> std::optional<double> {
             const auto& c = row.record->consistency;
             if (!c || c->state == checks::Consistency::undecidable) return std::nullopt;
             return c->state == checks::Consistency::consistent ? 1.0 : 0.0;
           });

  sink.family("rdns_ptr_info",
              "1 per PTR hostname of the IP: lower case, no trailing dot, odd bytes as DNS presentation "
              "escapes.",
              MetricType::Gauge);
  for (const auto& row : rows) {
    if (!has_ip_series(row) || row.record->verdict_ptr_status != LookupStatus::ok) continue;
    const Extra extra = extra_labels(row);
    row.record->for_each_hostname([&](std::string_view hostname) {
      const std::array<LabelRef, 2> labels{LabelRef{"ip", row.ip}, LabelRef{"hostname", hostname}};
      sink.sample(labels, extra.span(), 1.0);
    });
  }

}

// The names: forward confirmation, validity, generic look, expected and HELO names, DNSSEC.
void emit_name_families(std::span<const TargetRow> rows, SampleSink& sink) {
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

}

// Times: the TTL, the last check, the last verdict, the last change of the PTR set.
void emit_time_families(std::span<const TargetRow> rows, SampleSink& sink) {
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

}  // namespace

void emit_target_families(std::span<const TargetRow> rows, SampleSink& sink) {
  emit_ptr_families(rows, sink);
  emit_name_families(rows, sink);
  emit_time_families(rows, sink);
}

}  // namespace rdns::agent::metrics
