#include "agent/status/status_rows.hpp"

#include <algorithm>
#include <charconv>
#include <optional>
#include <utility>

#include "util/ascii.hpp"

namespace rdns::agent {
namespace {

using util::ascii_lower;

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

// IPs are canonical (lower-case hex for IPv6) and PTR names lower case, and the needle is
// lowered once: a plain substring search, no allocation per row.
bool record_matches(std::string_view ip, const TargetRecord* record, const std::string& needle) {
  if (needle.empty() || contains(ip, needle)) return true;
  bool found = false;
  if (record) record->for_each_hostname([&](std::string_view name) { found = found || contains(name, needle); });
  return found;
}

bool status_matches(const TargetStatus& status, const std::string& needle) {
  if (needle.empty() || contains(ascii_lower(status.target.ip), needle)) return true;
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

// Counts every target offered, and keeps the indices of the first offset + limit matching ones
// of each state (no page can show more), so that page() can lay out failing first, then
// undecided, unchecked, passing, config order within a state, and cut the page out of that.
class Selection {
public:
  explicit Selection(const StatusPageQuery& query)
      : m_query(query), m_keep(std::min(query.offset, k_status_page_max_offset) + query.limit) {
    m_model.offset = query.offset;
  }

  void offer(std::size_t index, TargetState state, bool matches) {
    ++m_model.total;
    ++m_model.counts[static_cast<std::size_t>(state)];
    if (m_query.filter != "all" && m_query.filter != state_name(state)) return;
    if (!matches) return;
    ++m_model.matching;
    auto& bucket = m_selected[static_cast<std::size_t>(state)];
    if (bucket.size() < m_keep) bucket.push_back(index);
  }
  bool wants_match(TargetState state) const { return m_query.filter == "all" || m_query.filter == state_name(state); }

  // The indices of the page, in page order, with their states.
  std::vector<std::pair<std::size_t, TargetState>> page() const {
    std::vector<std::pair<std::size_t, TargetState>> out;
    std::size_t skip = m_query.offset;
    for (TargetState state : k_state_order) {
      for (std::size_t index : m_selected[static_cast<std::size_t>(state)]) {
        if (out.size() >= m_query.limit) return out;
        if (skip > 0) {
          --skip;
          continue;
        }
        out.emplace_back(index, state);
      }
    }
    return out;
  }

  StatusPageModel& model() { return m_model; }

private:
  const StatusPageQuery& m_query;
  std::size_t m_keep;
  StatusPageModel m_model;
  std::array<std::vector<std::size_t>, 4> m_selected;
};

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
  query.ip = ascii_lower(param("ip").substr(0, 256));
  const auto number = [&](const std::string& name) -> std::optional<std::size_t> {
    const std::string text = param(name);
    std::size_t value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
    return value;
  };
  query.limit =
      std::clamp<std::size_t>(number("limit").value_or(k_status_page_default_rows), 1, k_status_page_max_rows);
  query.offset = std::min<std::size_t>(number("offset").value_or(0), k_status_page_max_offset);
  return query;
}

StatusPageModel select_status_rows(const ResultStore& store, const StatusPageQuery& query) {
  Selection selection(query);
  std::vector<std::pair<std::size_t, TargetState>> page;
  // Under the store's lock: a pass over the compact records in place, then a copy of the rows
  // shown only. The search is a substring test per row, without allocation.
  const std::vector<ResultStore::Row> rows = store.pick_rows(
      [&](std::size_t index, const ResultStore::RowView& row) {
        const TargetState state = target_state(row.record);
        selection.offer(index, state, selection.wants_match(state) && record_matches(row.ip, row.record, query.ip));
      },
      [&] {
        page = selection.page();
        std::vector<std::size_t> indices;
        indices.reserve(page.size());
        for (const auto& [index, state] : page) indices.push_back(index);
        return indices;
      });
  StatusPageModel& model = selection.model();
  model.shown.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size() && i < page.size(); ++i) {
    model.shown.push_back(ShownTarget{unpack(rows[i]), page[i].second});
  }
  return std::move(model);
}

StatusPageModel select_status_rows(std::span<const ResultStore::Row> rows, const StatusPageQuery& query) {
  Selection selection(query);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const TargetRecord* record = rows[i].record ? &*rows[i].record : nullptr;
    const TargetState state = target_state(record);
    selection.offer(i, state, selection.wants_match(state) && record_matches(rows[i].ip, record, query.ip));
  }
  StatusPageModel& model = selection.model();
  for (const auto& [index, state] : selection.page()) model.shown.push_back(ShownTarget{unpack(rows[index]), state});
  return std::move(model);
}

StatusPageModel select_status_rows(const std::vector<TargetStatus>& targets, const StatusPageQuery& query) {
  Selection selection(query);
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const TargetState state = target_state(targets[i]);
    selection.offer(i, state, selection.wants_match(state) && status_matches(targets[i], query.ip));
  }
  StatusPageModel& model = selection.model();
  for (const auto& [index, state] : selection.page()) model.shown.push_back(ShownTarget{targets[index], state});
  return std::move(model);
}

}  // namespace rdns::agent
