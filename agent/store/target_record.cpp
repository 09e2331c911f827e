#include "agent/store/target_record.hpp"

#include <algorithm>
#include <chrono>
#include <string_view>

#include "checks/reverse_name.hpp"
#include "util/hash.hpp"

namespace rdns::agent {
namespace {

// Separators of the packed details. Presentation-form names escape control bytes (\DDD), so
// these only ever appear in free text (error details), where they are replaced.
constexpr char k_field = '\x1f';
constexpr char k_item = '\x1e';
constexpr char k_part = '\x1d';
constexpr int k_fields = 8;

void put(std::string& out, std::string_view text) {
  for (char c : text) out += (c == k_field || c == k_item || c == k_part) ? '?' : c;
}

void put_forward(std::string& out, const checks::ForwardCheck& check) {
  put(out, check.hostname);
  out += k_part;
  out += static_cast<char>('0' + static_cast<int>(check.status));
  out += k_part;
  out += check.confirms ? '1' : '0';
  out += k_part;
  for (std::size_t i = 0; i < check.addresses.size(); ++i) {
    if (i) out += ' ';
    put(out, check.addresses[i]);
  }
  out += k_part;
  put(out, check.detail);
}

void put_soa(std::string& out, const std::optional<checks::SoaInfo>& soa) {
  if (!soa) return;
  put(out, soa->zone);
  out += k_part;
  put(out, soa->primary_ns);
  out += k_part;
  put(out, soa->responsible);
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  for (;;) {
    auto at = text.find(separator);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) break;
    text.remove_prefix(at + 1);
  }
  return parts;
}

std::optional<checks::ForwardCheck> get_forward(std::string_view text) {
  if (text.empty()) return std::nullopt;
  auto parts = split(text, k_part);
  if (parts.size() != 5 || parts[1].size() != 1) return std::nullopt;
  checks::ForwardCheck check;
  check.hostname = std::string(parts[0]);
  check.status = static_cast<checks::LookupStatus>(parts[1][0] - '0');
  check.confirms = parts[2] == "1";
  if (!parts[3].empty()) {
    for (auto address : split(parts[3], ' ')) check.addresses.emplace_back(address);
  }
  check.detail = std::string(parts[4]);
  return check;
}

std::optional<checks::SoaInfo> get_soa(std::string_view text) {
  if (text.empty()) return std::nullopt;
  auto parts = split(text, k_part);
  if (parts.size() != 3) return std::nullopt;
  return checks::SoaInfo{std::string(parts[0]), std::string(parts[1]), std::string(parts[2])};
}

std::string pack(const checks::CheckResult& result) {
  std::string out;
  put(out, result.ptr_detail);
  out += k_field;
  put(out, result.ptr_canonical_name);
  out += k_field;
  if (result.generic) put(out, result.generic->reason);
  out += k_field;
  if (result.forward_capped) out += '1';
  out += k_field;
  for (std::size_t i = 0; i < result.forward.size(); ++i) {
    if (i) out += k_item;
    put_forward(out, result.forward[i]);
  }
  out += k_field;
  if (result.helo_forward) put_forward(out, *result.helo_forward);
  out += k_field;
  put_soa(out, result.reverse_zone_soa);
  out += k_field;
  put_soa(out, result.forward_zone_soa);
  out.shrink_to_fit();
  return out;
}

void unpack(std::string_view packed, checks::CheckResult& result) {
  auto fields = split(packed, k_field);
  if (fields.size() != k_fields) return;
  result.ptr_detail = std::string(fields[0]);
  result.ptr_canonical_name = std::string(fields[1]);
  if (result.generic) result.generic->reason = std::string(fields[2]);
  result.forward_capped = fields[3] == "1";
  if (!fields[4].empty()) {
    for (auto item : split(fields[4], k_item)) {
      if (auto check = get_forward(item)) result.forward.push_back(std::move(*check));
    }
  }
  result.helo_forward = get_forward(fields[5]);
  result.reverse_zone_soa = get_soa(fields[6]);
  result.forward_zone_soa = get_soa(fields[7]);
}

}  // namespace

bool is_decisive(const checks::CheckResult& result) {
  // The HELO lookup counts too: a failed one leaves helo_match (and so success) undecided, and
  // taking such a result as decisive would drop those verdicts until the next good answer.
  return checks::is_definitive(result.ptr_status) &&
         (!result.forward_status || checks::is_definitive(*result.forward_status)) &&
         (!result.helo_forward || checks::is_definitive(result.helo_forward->status));
}

TargetRecord keep_verdicts(const TargetRecord& previous, TargetRecord latest) {
  TargetRecord kept = previous;
  kept.checked_at = latest.checked_at;
  kept.duration_seconds = latest.duration_seconds;
  kept.ptr_status = latest.ptr_status;
  kept.forward_status = latest.forward_status;
  kept.details = std::move(latest.details);  // why the latest check was undecided
  return kept;
}

std::shared_ptr<const checks::PtrConsistency> kept_consistency(std::shared_ptr<const checks::PtrConsistency> previous,
                                                               std::shared_ptr<const checks::PtrConsistency> latest) {
  const auto decided = [](const auto& c) { return c && c->state != checks::Consistency::undecidable; };
  if (decided(latest) || !decided(previous)) return latest;
  return previous;
}

TargetRecord make_record(const checks::CheckResult& result) {
  TargetRecord record;
  record.consistency = result.ptr_consistency;
  for (const auto& name : result.ptr_hostnames) {
    if (!record.hostnames.empty()) record.hostnames += '\n';
    record.hostnames += name;
  }
  record.checked_at = std::chrono::duration<double>(result.checked_at.time_since_epoch()).count();
  record.duration_seconds = static_cast<float>(result.duration.count());
  record.ptr_ttl = result.ptr_ttl;
  record.ptr_records = static_cast<std::uint16_t>(std::min<std::size_t>(result.ptr_hostnames.size(), 0xffff));
  record.fcrdns_confirmed_names = static_cast<std::uint16_t>(std::clamp(result.fcrdns_confirmed_names, 0, 0xffff));
  record.ptr_status = result.ptr_status;
  record.verdict_ptr_status = result.ptr_status;
  if (checks::is_definitive(result.ptr_status)) {
    record.verdict_at = record.checked_at;
    record.verdict_partial = !is_decisive(result);
  }
  if (result.forward_status) record.forward_status = static_cast<std::uint8_t>(*result.forward_status);
  record.dnssec_secure = result.dnssec_secure;
  record.ptr_present = to_tri(result.ptr_present);
  record.ptr_hostname_valid = to_tri(result.ptr_hostname_valid);
  if (result.generic) {
    record.generic = to_tri(result.generic->generic);
    record.generic_score = static_cast<float>(result.generic->score);
  }
  record.fcrdns_pass = to_tri(result.fcrdns_pass);
  record.expected_hostname_match = to_tri(result.expected_hostname_match);
  record.helo_match = to_tri(result.helo_match);
  record.success = to_tri(result.success);

  const bool clean_pass = result.success == true && result.ptr_detail.empty() && result.ptr_canonical_name.empty();
  if (!clean_pass) record.details = std::make_shared<const RecordDetails>(RecordDetails{pack(result)});
  return record;
}

checks::CheckResult to_check_result(const TargetRecord& record, std::string_view ip) {
  checks::CheckResult result;
  result.ip = std::string(ip);
  record.for_each_hostname([&](std::string_view name) { result.ptr_hostnames.emplace_back(name); });
  result.checked_at =
      std::chrono::system_clock::time_point(std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::duration<double>(record.checked_at)));
  result.duration = std::chrono::duration<double>(record.duration_seconds);
  result.ptr_ttl = record.ptr_ttl;
  result.fcrdns_confirmed_names = record.fcrdns_confirmed_names;
  result.ptr_status = record.ptr_status;
  result.ptr_consistency = record.consistency;
  result.forward_status = record.forward_lookup_status();
  result.dnssec_secure = record.dnssec_secure;
  result.ptr_present = from_tri(record.ptr_present);
  result.ptr_hostname_valid = from_tri(record.ptr_hostname_valid);
  if (record.generic != Tri::unknown) {
    result.generic = checks::GenericVerdict{record.generic == Tri::yes, record.generic_score, {}};
  }
  result.fcrdns_pass = from_tri(record.fcrdns_pass);
  result.expected_hostname_match = from_tri(record.expected_hostname_match);
  result.helo_match = from_tri(record.helo_match);
  result.success = from_tri(record.success);
  if (auto reverse = checks::reverse_name(ip)) result.reverse_name = std::move(*reverse);
  if (record.details) unpack(record.details->packed, result);
  // A clean pass keeps no per-name forward detail: `forward` stays empty.
  return result;
}

std::uint64_t hostname_set_hash(const TargetRecord& record) {
  std::vector<std::string_view> names;
  record.for_each_hostname([&](std::string_view name) { names.push_back(name); });
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  util::Fnv1a64 hash;
  for (auto name : names) {
    hash.add(name);
    hash.add('\n');
  }
  hash.add(static_cast<unsigned char>(names.size() & 0xff));
  return hash.value();
}

}  // namespace rdns::agent
