#include "agent/store/result_store.hpp"

#include <map>
#include <string_view>

namespace rdns::agent {

std::vector<TargetId> ResultStore::set_targets(const std::vector<config::Target>& targets) {
  // Every address of one CIDR target carries the same labels: share one copy.
  std::map<config::Labels, std::shared_ptr<const config::Labels>> interned;
  auto intern = [&](const config::Labels& labels) {
    auto [it, inserted] = interned.try_emplace(labels);
    if (inserted) it->second = std::make_shared<const config::Labels>(labels);
    return it->second;
  };
  std::map<std::string, std::shared_ptr<const std::string>, std::less<>> entries_interned;
  auto intern_entry = [&](const std::string& entry) {
    auto [it, inserted] = entries_interned.try_emplace(entry);
    if (inserted) it->second = std::make_shared<const std::string>(entry);
    return it->second;
  };

  std::vector<TargetId> ids;
  ids.reserve(targets.size());
  std::lock_guard lock(m_mutex);
  std::unordered_map<std::string_view, std::uint32_t> old_by_ip;
  old_by_ip.reserve(m_entries.size());
  for (std::uint32_t i = 0; i < m_entries.size(); ++i) old_by_ip.emplace(m_entries[i].ip, i);

  std::vector<Entry> entries;
  entries.reserve(targets.size());
  for (const auto& target : targets) {
    Entry entry;
    auto old = old_by_ip.find(target.ip);
    if (old != old_by_ip.end()) {
      Entry& previous = m_entries[old->second];
      if (previous.expected_hostname == target.expected_hostname && previous.helo_hostname == target.helo_hostname) {
        entry = std::move(previous);
      }
    }
    if (entry.id == 0) {
      entry.ip = target.ip;
      entry.expected_hostname = target.expected_hostname;
      entry.helo_hostname = target.helo_hostname;
      entry.id = m_next_id++;
    }
    entry.labels = intern(target.labels);
    entry.entry = intern_entry(target.entry.empty() ? target.ip : target.entry);
    entry.series = target.series;
    ids.push_back(TargetId{entry.id, entry.ip});
    entries.push_back(std::move(entry));
  }
  m_entries = std::move(entries);
  m_index.clear();
  m_index.reserve(m_entries.size());
  m_checked = 0;
  for (std::uint32_t i = 0; i < m_entries.size(); ++i) {
    m_index.emplace(m_entries[i].id, i);
    if (m_entries[i].record) ++m_checked;
  }
  ++m_generation;
  update_ready_locked();
  return ids;
}

std::optional<checks::CheckRequest> ResultStore::request_for(std::uint64_t id) const {
  std::lock_guard lock(m_mutex);
  auto it = m_index.find(id);
  if (it == m_index.end()) return std::nullopt;
  const Entry& entry = m_entries[it->second];
  checks::CheckRequest request;
  request.ip = entry.ip;
  request.expected_hostname = entry.expected_hostname;
  request.helo_hostname = entry.helo_hostname;
  return request;
}

bool ResultStore::record(std::uint64_t id, const checks::CheckResult& result) {
  TargetRecord record = make_record(result);  // outside the lock: it allocates
  const bool decided = record.verdict_at > 0;

  std::lock_guard lock(m_mutex);
  auto it = m_index.find(id);
  if (it == m_index.end()) return false;
  Entry& entry = m_entries[it->second];
  // A check that decided nothing keeps whatever was decided before, whole or partial; a partial
  // one does not replace a whole one (the forward verdicts would be lost to a lame server).
  const bool previous_decided = entry.record && entry.record->verdict_at > 0;
  const bool previous_whole = previous_decided && !entry.record->verdict_partial;
  const bool keep = previous_decided && (!decided || (record.verdict_partial && previous_whole));
  auto consistency = kept_consistency(entry.record ? entry.record->consistency : nullptr, record.consistency);
  if (keep) {
    record = keep_verdicts(*entry.record, std::move(record));
  } else if (checks::is_definitive(record.verdict_ptr_status)) {
    // The names shown come from this answer: did the set change?
    const std::uint64_t hash = hostname_set_hash(record);
    if (!entry.has_definitive || entry.names_hash != hash) {
      entry.has_definitive = true;
      entry.names_hash = hash;
      entry.last_change = record.checked_at;
    }
  }
  if (!entry.record) ++m_checked;
  record.consistency = std::move(consistency);
  entry.record = std::move(record);
  ++m_generation;
  update_ready_locked();
  return true;
}

std::size_t ResultStore::restore(std::vector<PersistedTarget> targets) {
  std::lock_guard lock(m_mutex);
  std::unordered_map<std::string_view, std::uint32_t> by_ip;
  by_ip.reserve(m_entries.size());
  for (std::uint32_t i = 0; i < m_entries.size(); ++i) by_ip.emplace(m_entries[i].ip, i);
  std::size_t restored = 0;
  for (auto& target : targets) {
    auto it = by_ip.find(target.ip);
    if (it == by_ip.end()) continue;
    Entry& entry = m_entries[it->second];
    if (entry.record || entry.expected_hostname != target.expected_hostname ||
        entry.helo_hostname != target.helo_hostname) {
      continue;
    }
    entry.record = std::move(target.record);
    entry.has_definitive = target.last_change.has_value();
    entry.last_change = target.last_change.value_or(0);
    entry.names_hash = target.names_hash;
    ++m_checked;
    ++restored;
  }
  if (restored) ++m_generation;
  update_ready_locked();
  return restored;
}

std::uint64_t ResultStore::generation() const {
  std::lock_guard lock(m_mutex);
  return m_generation;
}

void ResultStore::update_ready_locked() {
  if (!m_ready && m_checked == m_entries.size()) m_ready = true;
}

ResultStore::Row ResultStore::row_of(const Entry& entry) {
  Row row;
  row.ip = entry.ip;
  row.expected_hostname = entry.expected_hostname;
  row.helo_hostname = entry.helo_hostname;
  row.labels = entry.labels;
  row.entry = entry.entry;
  row.series = entry.series;
  row.record = entry.record;
  if (entry.has_definitive) {
    row.last_change = entry.last_change;
    row.names_hash = entry.names_hash;
  }
  return row;
}

ResultStore::Snapshot ResultStore::snapshot() const {
  Snapshot snapshot;
  std::lock_guard lock(m_mutex);
  snapshot.rows.reserve(m_entries.size());
  for (const auto& entry : m_entries) snapshot.rows.push_back(row_of(entry));
  snapshot.generation = m_generation;
  return snapshot;
}

std::vector<ResultStore::Row> ResultStore::pick_rows(const Visit& visit, const Pick& pick) const {
  std::vector<Row> rows;
  std::lock_guard lock(m_mutex);
  for (std::size_t i = 0; i < m_entries.size(); ++i) {
    const Entry& entry = m_entries[i];
    visit(i, RowView{entry.ip, entry.record ? &*entry.record : nullptr});
  }
  const std::vector<std::size_t> picked = pick();
  rows.reserve(picked.size());
  for (std::size_t index : picked) {
    if (index < m_entries.size()) rows.push_back(row_of(m_entries[index]));
  }
  return rows;
}

std::size_t ResultStore::target_count() const {
  std::lock_guard lock(m_mutex);
  return m_entries.size();
}

bool ResultStore::first_cycle_done() const {
  std::lock_guard lock(m_mutex);
  return m_ready;
}

}  // namespace rdns::agent
