// encode_state / decode_state: the binary format described in state_file.hpp.
#include <bit>
#include <cstring>
#include <memory>

#include "agent/state/state_file.hpp"
#include "agent/state/state_format.hpp"

namespace rdns::agent::state {
namespace {

using namespace format;

class Writer {
public:
  explicit Writer(std::string& out) : m_out(out) {}
  void u8(std::uint8_t value) { m_out += static_cast<char>(value); }
  void u16(std::uint16_t value) { little(value, 2); }
  void u32(std::uint32_t value) { little(value, 4); }
  void u64(std::uint64_t value) { little(value, 8); }
  void f32(float value) { u32(std::bit_cast<std::uint32_t>(value)); }
  void f64(double value) { u64(std::bit_cast<std::uint64_t>(value)); }
  // Longer strings cannot come from a DNS answer (see k_max_state_string); cut rather than
  // write a file this build would refuse to read.
  void str(std::string_view text) {
    text = text.substr(0, k_max_state_string);
    u32(static_cast<std::uint32_t>(text.size()));
    m_out += text;
  }

private:
  void little(std::uint64_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) m_out += static_cast<char>((value >> (8 * i)) & 0xff);
  }
  std::string& m_out;
};

// Reads within [pos, end); every read fails (and leaves the reader failed) past the end.
class Reader {
public:
  Reader(std::string_view data, std::size_t pos, std::size_t end) : m_data(data), m_pos(pos), m_end(end) {}
  bool out_of_bytes() const { return m_short; }
  std::size_t pos() const { return m_pos; }

  std::uint8_t u8() { return static_cast<std::uint8_t>(little(1)); }
  std::uint16_t u16() { return static_cast<std::uint16_t>(little(2)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(little(4)); }
  std::uint64_t u64() { return little(8); }
  float f32() { return std::bit_cast<float>(u32()); }
  double f64() { return std::bit_cast<double>(u64()); }
  // False for a length above the cap (corruption); a length past the end sets out_of_bytes().
  bool str(std::string& text) {
    const std::uint32_t size = u32();
    if (size > k_max_state_string) return false;
    if (!take(size)) return true;
    text.assign(m_data.substr(m_pos - size, size));
    return true;
  }

private:
  bool take(std::size_t bytes) {
    if (m_short || m_end - m_pos < bytes) {
      m_short = true;
      return false;
    }
    m_pos += bytes;
    return true;
  }
  std::uint64_t little(int bytes) {
    if (!take(static_cast<std::size_t>(bytes))) return 0;
    std::uint64_t value = 0;
    for (int i = 0; i < bytes; ++i) {
      value |= std::uint64_t{static_cast<unsigned char>(m_data[m_pos - bytes + i])} << (8 * i);
    }
    return value;
  }

  std::string_view m_data;
  std::size_t m_pos;
  std::size_t m_end;
  bool m_short = false;
};

constexpr std::uint8_t k_max_lookup_status = static_cast<std::uint8_t>(checks::LookupStatus::error);

void encode_target(Writer& out, const PersistedTarget& target) {
  const TargetRecord& r = target.record;
  out.str(target.ip);
  out.str(target.expected_hostname);
  out.str(target.helo_hostname);
  out.str(r.hostnames);
  out.u8(static_cast<std::uint8_t>((r.details ? k_flag_details : 0) | (target.last_change ? k_flag_last_change : 0) |
                                   (r.verdict_partial ? k_flag_partial_verdict : 0)));
  if (r.details) out.str(r.details->packed);
  out.f64(r.checked_at);
  out.f64(r.verdict_at);
  out.f32(r.duration_seconds);
  out.f32(r.generic_score);
  out.u32(r.ptr_ttl);
  out.u16(r.ptr_records);
  out.u16(r.fcrdns_confirmed_names);
  out.u8(static_cast<std::uint8_t>(r.ptr_status));
  out.u8(r.forward_status);
  out.u8(static_cast<std::uint8_t>(r.verdict_ptr_status));
  out.u8(r.dnssec_secure ? 1 : 0);
  for (Tri tri : {r.ptr_present, r.ptr_hostname_valid, r.generic, r.fcrdns_pass, r.expected_hostname_match,
                  r.helo_match, r.success}) {
    out.u8(static_cast<std::uint8_t>(tri));
  }
  if (target.last_change) out.f64(*target.last_change);
  out.u64(target.names_hash);
}

// Empty when the record is good or the bytes ran out (the reader tells which); otherwise what
// is wrong with it.
std::string decode_target(Reader& in, PersistedTarget& target) {
  TargetRecord& r = target.record;
  for (std::string* text : {&target.ip, &target.expected_hostname, &target.helo_hostname, &r.hostnames}) {
    if (!in.str(*text)) return "string longer than " + std::to_string(k_max_state_string) + " bytes";
  }
  const std::uint8_t flags = in.u8();
  if (in.out_of_bytes()) return {};
  if (flags & ~(k_flag_details | k_flag_last_change | k_flag_partial_verdict)) {
    return "bad flags " + std::to_string(flags);
  }
  r.verdict_partial = (flags & k_flag_partial_verdict) != 0;
  if (flags & k_flag_details) {
    RecordDetails details;
    if (!in.str(details.packed)) return "details longer than " + std::to_string(k_max_state_string) + " bytes";
    r.details = std::make_shared<const RecordDetails>(std::move(details));
  }
  r.checked_at = in.f64();
  r.verdict_at = in.f64();
  r.duration_seconds = in.f32();
  r.generic_score = in.f32();
  r.ptr_ttl = in.u32();
  r.ptr_records = in.u16();
  r.fcrdns_confirmed_names = in.u16();
  const std::uint8_t ptr_status = in.u8();
  const std::uint8_t forward_status = in.u8();
  const std::uint8_t verdict_ptr_status = in.u8();
  const std::uint8_t dnssec_secure = in.u8();
  std::uint8_t tris[7];
  for (auto& tri : tris) tri = in.u8();
  if (flags & k_flag_last_change) target.last_change = in.f64();
  target.names_hash = in.u64();
  if (in.out_of_bytes()) return {};

  if (ptr_status > k_max_lookup_status) return "bad lookup status " + std::to_string(ptr_status);
  if (forward_status > k_max_lookup_status && forward_status != k_no_status) {
    return "bad forward lookup status " + std::to_string(forward_status);
  }
  if (verdict_ptr_status > k_max_lookup_status) {
    return "bad verdict lookup status " + std::to_string(verdict_ptr_status);
  }
  if (dnssec_secure > 1) return "bad dnssec flag " + std::to_string(dnssec_secure);
  for (auto tri : tris) {
    if (tri > static_cast<std::uint8_t>(Tri::yes)) return "bad tri-state " + std::to_string(tri);
  }
  if (target.ip.empty()) return "empty ip";
  r.ptr_status = static_cast<checks::LookupStatus>(ptr_status);
  r.forward_status = forward_status;
  r.verdict_ptr_status = static_cast<checks::LookupStatus>(verdict_ptr_status);
  r.dnssec_secure = dnssec_secure == 1;
  Tri* fields[] = {&r.ptr_present, &r.ptr_hostname_valid,      &r.generic,
                   &r.fcrdns_pass, &r.expected_hostname_match, &r.helo_match,
                   &r.success};
  for (int i = 0; i < 7; ++i) *fields[i] = static_cast<Tri>(tris[i]);
  return {};
}

std::string record_of(std::uint64_t index, std::uint64_t count) {
  return "record " + std::to_string(index + 1) + " of " + std::to_string(count);
}

// Where a file shorter than its header says runs out: at which record, or in the checksum.
std::string truncation_error(std::string_view bytes, std::uint64_t count, std::uint64_t total) {
  const std::string sizes = " (" + std::to_string(bytes.size()) + " of " + std::to_string(total) + " bytes)";
  Reader in(bytes, k_header_size, bytes.size());
  for (std::uint64_t i = 0; i < count; ++i) {
    PersistedTarget scratch;
    if (!decode_target(in, scratch).empty()) break;  // the bytes that are there are bad too
    if (in.out_of_bytes()) return "truncated at " + record_of(i, count) + sizes;
  }
  return "truncated" + sizes;
}

}  // namespace

std::string encode_state(std::span<const PersistedTarget> targets, double written_at_unix) {
  std::string out;
  std::size_t estimate = k_header_size + k_checksum_size;
  for (const auto& target : targets) {
    estimate += k_min_record_size + 8 + target.ip.size() + target.expected_hostname.size() +
                target.helo_hostname.size() + target.record.hostnames.size() +
                (target.record.details ? 4 + target.record.details->packed.size() : 0);
  }
  out.reserve(estimate);
  Writer writer(out);
  out += k_magic;
  writer.u32(k_state_version);
  writer.f64(written_at_unix);
  writer.u64(targets.size());
  writer.u64(0);  // total size, known at the end
  for (const auto& target : targets) encode_target(writer, target);
  out.resize(out.size() + k_checksum_size);
  store_u64(out.data() + k_total_size_at, out.size());
  const std::size_t body = out.size() - k_checksum_size;
  store_u64(out.data() + body, checksum(std::string_view(out).substr(0, body)));
  return out;
}

[[nodiscard]] tl::expected<DecodedState, std::string> decode_state(std::string_view bytes) {
  if (bytes.empty()) return tl::unexpected(std::string("empty file"));
  if (!bytes.starts_with(k_magic)) return tl::unexpected(std::string("not a rdns_exporter state file"));
  // The magic and the version are the part every version shares: read nothing else before
  // knowing the layout.
  Reader header(bytes, k_version_at, bytes.size());
  DecodedState state;
  state.version = header.u32();
  if (header.out_of_bytes()) return tl::unexpected(std::string("truncated in the header"));
  if (state.version > k_state_version) {
    return tl::unexpected("version " + std::to_string(state.version) + " is newer than this build understands (" +
                          std::to_string(k_state_version) + ")");
  }
  if (state.version != k_state_version) {
    return tl::unexpected("unknown version " + std::to_string(state.version));
  }
  state.written_at = header.f64();
  const std::uint64_t count = header.u64();
  const std::uint64_t total = header.u64();
  if (header.out_of_bytes()) return tl::unexpected(std::string("truncated in the header"));
  if (total < k_header_size + k_checksum_size) {
    return tl::unexpected("bad header: total size " + std::to_string(total));
  }
  if (bytes.size() < total) return tl::unexpected(truncation_error(bytes, count, total));
  if (bytes.size() > total) {
    return tl::unexpected(std::to_string(bytes.size() - total) + " unexpected bytes after the checksum");
  }
  const std::size_t end = bytes.size() - k_checksum_size;
  if (load_u64(bytes.data() + end) != checksum(bytes.substr(0, end))) {
    return tl::unexpected(std::string("checksum mismatch"));
  }
  // Bounds the allocation below by the file's size, whatever the header claims.
  if (count > (end - k_header_size) / k_min_record_size) {
    return tl::unexpected("record count " + std::to_string(count) + " does not fit in " + std::to_string(bytes.size()) +
                          " bytes");
  }
  state.targets.resize(count);
  Reader in(bytes, k_header_size, end);
  for (std::uint64_t i = 0; i < count; ++i) {
    std::string error = decode_target(in, state.targets[i]);
    if (!error.empty()) return tl::unexpected("record " + std::to_string(i + 1) + ": " + error);
    if (in.out_of_bytes()) return tl::unexpected("truncated at " + record_of(i, count));
  }
  if (in.pos() != end) {
    return tl::unexpected(std::to_string(end - in.pos()) + " unexpected bytes after the last record");
  }
  return state;
}

std::vector<PersistedTarget> persisted_targets(const ResultStore::Snapshot& snapshot) {
  std::vector<PersistedTarget> targets;
  targets.reserve(snapshot.rows.size());
  for (const auto& row : snapshot.rows) {
    if (!row.record) continue;  // never checked: nothing to keep
    targets.push_back(PersistedTarget{row.ip, row.expected_hostname, row.helo_hostname, *row.record, row.last_change,
                                      row.names_hash});
  }
  return targets;
}

bool identical(const PersistedTarget& a, const PersistedTarget& b) {
  const TargetRecord& x = a.record;
  const TargetRecord& y = b.record;
  auto same = [](auto u, auto v) { return std::memcmp(&u, &v, sizeof u) == 0; };
  const bool details = (!x.details && !y.details) || (x.details && y.details && x.details->packed == y.details->packed);
  const bool last_change = a.last_change.has_value() == b.last_change.has_value() &&
                           (!a.last_change || same(*a.last_change, *b.last_change));
  return a.ip == b.ip && a.expected_hostname == b.expected_hostname && a.helo_hostname == b.helo_hostname &&
         a.names_hash == b.names_hash && last_change && details && x.hostnames == y.hostnames &&
         same(x.checked_at, y.checked_at) && same(x.verdict_at, y.verdict_at) &&
         x.verdict_partial == y.verdict_partial && same(x.duration_seconds, y.duration_seconds) &&
         same(x.generic_score, y.generic_score) && x.ptr_ttl == y.ptr_ttl && x.ptr_records == y.ptr_records &&
         x.fcrdns_confirmed_names == y.fcrdns_confirmed_names && x.ptr_status == y.ptr_status &&
         x.forward_status == y.forward_status && x.verdict_ptr_status == y.verdict_ptr_status &&
         x.dnssec_secure == y.dnssec_secure && x.ptr_present == y.ptr_present &&
         x.ptr_hostname_valid == y.ptr_hostname_valid && x.generic == y.generic && x.fcrdns_pass == y.fcrdns_pass &&
         x.expected_hostname_match == y.expected_hostname_match && x.helo_match == y.helo_match &&
         x.success == y.success;
}

}  // namespace rdns::agent::state
