// The latest result of every configured target, and the target set itself.
// Scrapes read a snapshot; checks write one record at a time. No DNS here.
//
// Thread-safety: every method may be called from any thread (one mutex; each holds it briefly:
// a snapshot copies the compact records, the text is written afterwards without the lock).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "agent/store/target_record.hpp"
#include "agent/store/target_types.hpp"
#include "checks/check_result.hpp"
#include "config/model.hpp"

namespace rdns::agent {

class ResultStore {
public:
  // One target in a snapshot: compact (the record is not unpacked into a CheckResult).
  struct Row {
    std::string ip;
    std::string expected_hostname;
    std::string helo_hostname;
    std::shared_ptr<const config::Labels> labels;
    std::shared_ptr<const std::string> entry;  // the [[targets]] entry (its ip or cidr)
    std::optional<TargetRecord> record;
    std::optional<double> last_change;                    // Unix seconds the PTR name set last changed
    std::uint64_t names_hash = 0;                         // hostname_set_hash() of that set (with last_change)
    config::SeriesMode series = config::SeriesMode::all;  // of its [[targets]] entry
  };
  struct Snapshot {
    std::vector<Row> rows;         // config order
    std::uint64_t generation = 0;  // generation() of the store these rows are
  };

  // Replaces the target set. A target whose ip, expected_hostname and helo_hostname are
  // unchanged keeps its id, its result and its last-change time (its labels and series mode
  // are updated); removed targets and all their series are gone. Returns the new set in config
  // order.
  std::vector<TargetId> set_targets(const std::vector<config::Target>& targets);

  // What to check for `id`; nullopt when the target is gone.
  std::optional<checks::CheckRequest> request_for(std::uint64_t id) const;

  // Stores the result of a check of `id`; false (and nothing stored) when the target was
  // removed or changed since the check started. A result whose lookups failed keeps the verdicts
  // of the last decisive one (keep_verdicts()).
  bool record(std::uint64_t id, const checks::CheckResult& result);

  // Puts results loaded from the state file back, with their check, verdict and last-change
  // times, for the targets configured now with the same identity (ip, expected and HELO name)
  // that have no result yet: a check that finished first is newer than the file. Returns how
  // many were restored; the others are dropped. Restored targets count for first_cycle_done().
  std::size_t restore(std::vector<PersistedTarget> targets);

  // Moves on with every change of what a snapshot would hold (a result, a restore, a new target
  // set): the state file is rewritten only when it moved.
  std::uint64_t generation() const;

  Snapshot snapshot() const;

  // A target as pick_rows() shows it to its visitor; valid during the call only.
  struct RowView {
    std::string_view ip;
    const TargetRecord* record = nullptr;  // null: not checked yet
  };
  using Visit = std::function<void(std::size_t index, const RowView& row)>;
  using Pick = std::function<std::vector<std::size_t>()>;
  // For views that show a few targets of many (the status page): calls `visit` for every target
  // in config order, then copies only the rows at the indices `pick` returns, in that order
  // (indices out of range are skipped). Both run under one hold of the lock, so the rows copied
  // are the ones visited; a snapshot() would copy every row. So both must be quick, should not
  // allocate per row, and must not call into the store: results of checks wait meanwhile.
  std::vector<Row> pick_rows(const Visit& visit, const Pick& pick) const;

  std::size_t target_count() const;
  // True once every target has had a first result; stays true afterwards (a reload that adds
  // targets does not take a serving agent out of rotation).
  bool first_cycle_done() const;

private:
  struct Entry {
    std::string ip;
    std::string expected_hostname;
    std::string helo_hostname;
    std::shared_ptr<const config::Labels> labels;
    std::shared_ptr<const std::string> entry;
    std::uint64_t id = 0;
    std::optional<TargetRecord> record;
    std::uint64_t names_hash = 0;  // of the last definitive PTR name set
    double last_change = 0;
    bool has_definitive = false;
    config::SeriesMode series = config::SeriesMode::all;
  };
  void update_ready_locked();
  static Row row_of(const Entry& entry);

  mutable std::mutex m_mutex;  // guards every member below (entries, index, counters, generation)
  std::vector<Entry> m_entries;
  std::unordered_map<std::uint64_t, std::uint32_t> m_index;  // id -> m_entries index
  std::uint64_t m_next_id = 1;
  std::size_t m_checked = 0;  // entries with a record
  std::uint64_t m_generation = 0;
  bool m_ready = false;
};

}  // namespace rdns::agent
