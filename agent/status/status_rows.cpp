#include "agent/status/status_rows.hpp"

#include <algorithm>
#include <charconv>

namespace rdns::agent {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

bool row_matches(const ResultStore::Row& row, const std::string& needle) {
  if (needle.empty() || contains(lower(row.ip), needle)) return true;
  bool found = false;
  if (row.record)
    row.record->for_each_hostname([&](std::string_view name) { found = found || contains(name, needle); });
  return found;
}

bool status_matches(const TargetStatus& status, const std::string& needle) {
  if (needle.empty() || contains(lower(status.target.ip), needle)) return true;
  if (status.result) {
    for (const auto& name : status.result->ptr_hostnames) {
      if (contains(name, needle)) return true;
    }
  }
  return false;
}

TargetStatus unpack(const ResultStore::Row& row) {
  TargetStatus status;
  status.target.ip = row.ip;
  status.target.expected_hostname = row.expected_hostname;
  status.target.helo_hostname = row.helo_hostname;
  if (row.labels) status.target.labels = *row.labels;
  if (row.record) {
    status.result = to_check_result(*row.record, row.ip);
    status.result->expected_hostname = row.expected_hostname;
    status.result->helo_hostname = row.helo_hostname;
  }
  return status;
}

// Counts every item, keeps the indices of at most `limit` matching ones per state (never more
// than could be rendered), then materialises them in page order.
template <typename Item, typename StateOf, typename Matches, typename Materialise>
StatusPageModel select(std::span<const Item> items, const StatusPageQuery& query, StateOf state_of, Matches matches,
                       Materialise materialise) {
  StatusPageModel model;
  model.total = items.size();
  std::array<std::vector<std::size_t>, 4> selected;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const TargetState state = state_of(items[i]);
    ++model.counts[static_cast<std::size_t>(state)];
    if (query.filter != "all" && query.filter != state_name(state)) continue;
    if (!matches(items[i], query.ip)) continue;
    ++model.matching;
    auto& bucket = selected[static_cast<std::size_t>(state)];
    if (bucket.size() < query.limit) bucket.push_back(i);
  }
  for (TargetState state : k_state_order) {
    for (std::size_t index : selected[static_cast<std::size_t>(state)]) {
      if (model.shown.size() >= query.limit) break;
      model.shown.push_back(ShownTarget{materialise(items[index]), state});
    }
  }
  return model;
}

}  // namespace

std::string_view state_name(TargetState state) {
  switch (state) {
    case TargetState::failing: return "failing";
    case TargetState::undecided: return "undecided";
    case TargetState::unchecked: return "unchecked";
    case TargetState::passing: return "passing";
  }
  return "unchecked";
}

std::string_view state_label(TargetState state) {
  switch (state) {
    case TargetState::failing: return "Failing";
    case TargetState::undecided: return "Undecided";
    case TargetState::unchecked: return "Not yet checked";
    case TargetState::passing: return "Passing";
  }
  return "";
}

TargetState target_state(const TargetRecord* record) {
  if (!record) return TargetState::unchecked;
  if (record->success == Tri::unknown) return TargetState::undecided;
  return record->success == Tri::yes ? TargetState::passing : TargetState::failing;
}

TargetState target_state(const TargetStatus& status) {
  if (!status.result) return TargetState::unchecked;
  if (!status.result->success) return TargetState::undecided;
  return *status.result->success ? TargetState::passing : TargetState::failing;
}

StatusPageQuery make_status_page_query(const std::function<std::string(const std::string&)>& param) {
  StatusPageQuery query;
  const std::string filter = param("filter");
  for (std::string_view known : {"failing", "undecided", "unchecked", "passing"}) {
    if (filter == known) query.filter = filter;
  }
  query.ip = lower(param("ip").substr(0, 256));
  query.limit = k_status_page_default_rows;
  const std::string limit = param("limit");
  std::size_t value = 0;
  auto [ptr, ec] = std::from_chars(limit.data(), limit.data() + limit.size(), value);
  if (!limit.empty() && ec == std::errc() && ptr == limit.data() + limit.size()) {
    query.limit = std::clamp<std::size_t>(value, 1, k_status_page_max_rows);
  }
  return query;
}

StatusPageModel select_status_rows(std::span<const ResultStore::Row> rows, const StatusPageQuery& query) {
  return select<ResultStore::Row>(
      rows, query, [](const ResultStore::Row& row) { return target_state(row.record ? &*row.record : nullptr); },
      row_matches, unpack);
}

StatusPageModel select_status_rows(const std::vector<TargetStatus>& targets, const StatusPageQuery& query) {
  return select<TargetStatus>(
      targets, query, [](const TargetStatus& status) { return target_state(status); }, status_matches,
      [](const TargetStatus& status) { return status; });
}

}  // namespace rdns::agent
