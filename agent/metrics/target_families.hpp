// The per-target families of the contract (rdns_check_success ... rdns_ptr_last_change_...):
// which series exist for a target, and with which value. The one place that decides it, used
// by /metrics and /probe (TextSink), and by the tests that check it against prometheus-cpp
// (FamilySink).
//
// The rule of the contract: a resolver problem is never a record verdict. A verdict gauge is
// written only when the CheckResult carried a definitive value; the state set
// rdns_ptr_lookup_status is written for every checked target.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "agent/metrics/exposition_writer.hpp"
#include "agent/target_record.hpp"
#include "config/model.hpp"

namespace rdns::agent::metrics {

struct TargetRow {
  std::string_view ip;
  std::string_view entry;                  // the [[targets]] entry (its ip or cidr), for rdns_target_*
  const config::Labels* labels = nullptr;  // config labels appended to every series; may be null
  const TargetRecord* record = nullptr;    // null: not checked yet, no series
  std::optional<double> last_change;       // Unix seconds the PTR name set last changed
};

// Label names the exporter sets itself; a config label of that name is left out rather than
// producing a duplicate label (an invalid exposition).
bool is_reserved_label(std::string_view name);

void emit_target_families(std::span<const TargetRow> rows, SampleSink& sink);

// rdns_target_ips{target, result}: per [[targets]] entry, how many IPs pass, fail, are
// undecided (never had a decisive answer) or pending (not checked yet). Every result value of
// every entry is written, 0 included, so a sum over results is the entry's size.
void emit_target_aggregates(std::span<const TargetRow> rows, SampleSink& sink);

}  // namespace rdns::agent::metrics
