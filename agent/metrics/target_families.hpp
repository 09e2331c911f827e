// The per-target families of the contract (rdns_check_success ... rdns_ptr_last_change_...):
// which series exist for a target, and with which value. The one place that decides it, used
// by /metrics and /probe (TextSink), and by the tests that check it against prometheus-cpp
// (FamilySink).
//
// The rule of the contract: a resolver problem is never a record verdict. A verdict gauge is
// written only when the CheckResult carried a definitive value; the state set
// rdns_ptr_lookup_status is written for every checked target that has per-IP series.
//
// Cardinality: a target of a `series = "failing"` entry has per-IP series (every family keyed
// by `ip`, rdns_target_info included) only while it does not pass (has_ip_series()); the
// per-entry aggregates are written for every entry in both modes, so alerts and dashboards
// that need counts never depend on per-IP series of passing IPs.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "agent/metrics/exposition_writer.hpp"
#include "agent/store/target_record.hpp"
#include "config/model.hpp"

namespace rdns::agent::metrics {

struct TargetRow {
  std::string_view ip;
  std::string_view entry;                  // the [[targets]] entry (its ip or cidr), for rdns_target_*
  const config::Labels* labels = nullptr;  // config labels appended to every series; may be null
  const TargetRecord* record = nullptr;    // null: not checked yet, no series
  std::optional<double> last_change;       // Unix seconds the PTR name set last changed
  config::SeriesMode series = config::SeriesMode::all;
};

// True when the latest check of the record had a lookup that was not definitive (PTR, or the
// worst A/AAAA of its names: servfail, timeout, bogus, refused, error).
bool has_lookup_problem(const TargetRecord& record);

// Whether the target's per-IP series are written: never before its first check; with
// series = "all" always after it; with "failing" unless it passes, i.e. unless its verdict is
// pass, its latest lookups were all definitive and its reverse zone's servers agree. So a
// definitive fail, a lookup problem (also with a pass kept from an earlier answer), an
// undecided IP (checked, never a decisive answer: its lookups failed) and a pass whose zone
// servers serve different PTR sets have series; a pending or passing one has none.
bool has_ip_series(const TargetRow& row);

// Label names the exporter sets itself; a config label of that name is left out rather than
// producing a duplicate label (an invalid exposition).
bool is_reserved_label(std::string_view name);

void emit_target_families(std::span<const TargetRow> rows, SampleSink& sink);

// Per [[targets]] entry, in both series modes (rows of one entry must be adjacent, as in config
// order):
// - rdns_target_info{ip, target}: 1 per IP that has per-IP series (has_ip_series(), or not
//   checked yet with series = "all");
// - rdns_target_ips{target, result}: how many IPs pass, fail, are undecided (never had a
//   decisive answer) or pending (not checked yet). Every result value of every entry is
//   written, 0 included, so a sum over results is the entry's size;
// - rdns_target_check_failures{target, check}: how many IPs fail each check now (check =
//   ptr, fcrdns, hostname_valid, generic, expected_hostname, helo: the verdict gauges
//   rdns_ptr_present == 0, rdns_fcrdns_pass == 0, rdns_ptr_hostname_valid == 0,
//   rdns_generic_hostname == 1, rdns_expected_hostname_match == 0, rdns_helo_match == 0; an IP
//   without a PTR counts under ptr only, as the alert rules count it); only counts above 0;
// - rdns_target_lookup_problems{target}: how many IPs had a lookup problem in their latest check
//   (has_lookup_problem()); only when above 0;
// - rdns_target_oldest_check_timestamp_seconds{target}: for entries with series = "failing",
//   the oldest last-check time of the entry's checked IPs (absent while none is checked), for
//   staleness without per-IP series.
// Counts of 0 are left out so that a config of many single-ip entries does not gain several
// series per IP; rdns_target_ips is complete (its four results add up to the entry's size).
void emit_target_aggregates(std::span<const TargetRow> rows, SampleSink& sink);

}  // namespace rdns::agent::metrics
