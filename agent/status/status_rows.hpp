// What the "/" status page shows: the state of each target, the query (filter, search, limit,
// offset) and the selection of rows. The selection visits the store's compact records in place
// (ResultStore::pick_rows): it counts and filters every target without copying or allocating per
// target, then copies and unpacks into a full CheckResult only the rows of the page shown.
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "agent/store/result_store.hpp"
#include "agent/store/target_record.hpp"
#include "agent/store/target_types.hpp"

namespace rdns::agent {

// How a target is summarised on the page and in its counts (also the order of the page).
enum class TargetState { failing, undecided, unchecked, passing };
inline constexpr std::array<TargetState, 4> k_state_order = {TargetState::failing, TargetState::undecided,
                                                             TargetState::unchecked, TargetState::passing};
TargetState target_state(const TargetStatus& status);
TargetState target_state(const TargetRecord* record);  // null: not checked yet
std::string_view state_name(TargetState state);        // failing | undecided | unchecked | passing
std::string_view state_label(TargetState state);       // "Failing", ..., "Not yet checked"

inline constexpr std::size_t k_status_page_default_rows = 500;
inline constexpr std::size_t k_status_page_max_rows = 5000;
inline constexpr std::size_t k_status_page_max_offset = 1 << 20;  // every target of the largest config

struct StatusPageQuery {
  std::string filter = "all";                      // all | failing | undecided | unchecked | passing
  std::string ip;                                  // lower-case substring of the IP or of a PTR name; empty = all
  std::size_t limit = k_status_page_default_rows;  // rows rendered at most
  std::size_t offset = 0;                          // matching rows skipped (page order) before those
  std::string telemetry_path = "/metrics";         // linked from the footer
};

// From the request's query parameters; unknown filters fall back to "all", the limit is clamped
// to 1..k_status_page_max_rows, the offset to 0..k_status_page_max_offset (an unparsable one is
// 0). `param` returns "" for an absent parameter.
StatusPageQuery make_status_page_query(const std::function<std::string(const std::string&)>& param);

// One rendered row: the target with its result unpacked.
struct ShownTarget {
  TargetStatus status;
  TargetState state;
};

struct StatusPageModel {
  std::array<std::size_t, 4> counts{};  // every target, by TargetState
  std::size_t total = 0;
  std::size_t matching = 0;        // targets that pass the filter and search
  std::size_t offset = 0;          // matching targets before the first one shown (the query's)
  std::vector<ShownTarget> shown;  // failing first, then undecided, unchecked, passing; config order
  // A problem of the resolver itself, shown once above the targets (plain text; "" = none).
  std::string resolver_problem;
};

// The model for `query` from the store itself (what "/" serves): no snapshot of every row.
StatusPageModel select_status_rows(const ResultStore& store, const StatusPageQuery& query);
// The same from a snapshot's rows (config order).
StatusPageModel select_status_rows(std::span<const ResultStore::Row> rows, const StatusPageQuery& query);
// The same from already unpacked targets (tests, the screenshot fixture).
StatusPageModel select_status_rows(const std::vector<TargetStatus>& targets, const StatusPageQuery& query);

}  // namespace rdns::agent
