// The state file behind --storage.path=DIR: the last result of every target, so a restarted
// agent serves what it knew at once, with the original check, verdict and PTR-change times.
//
// Format (version 1), all integers little-endian, floats as their IEEE-754 bit patterns (so
// every value, NaN included, round-trips exactly):
//
//   header   magic "RDNSSTAT" (8 bytes), u32 version, f64 written_at (Unix seconds),
//            u64 record count, u64 total file size in bytes (header, records and checksum)
//   records  count times:
//              str ip, str expected_hostname, str helo_hostname, str hostnames,
//              u8 flags (bit 0: details follow, bit 1: last_change follows, bit 2: the verdict is
//              partial; others must be 0),
//              [str details->packed], f64 checked_at, f64 verdict_at, f32 duration_seconds,
//              f32 generic_score, u32 ptr_ttl, u16 ptr_records, u16 fcrdns_confirmed_names,
//              u8 ptr_status, u8 forward_status, u8 verdict_ptr_status, u8 dnssec_secure,
//              7 x u8 Tri (ptr_present, ptr_hostname_valid, generic, fcrdns_pass,
//              expected_hostname_match, helo_match, success), [f64 last_change], u64 names_hash
//            where str is a u32 length (at most k_max_state_string) and the bytes.
//   trailer  u64 FNV-1a 64 of every byte before it.
//
// The total size in the header tells truncation apart from corruption; the checksum catches
// any changed byte. Every enum byte is validated, and no length is trusted beyond the bytes
// that are actually there, so a hostile file costs at most its own size in memory.
//
// Versioning: the magic and the u32 version after it start every version, whatever follows;
// any change to the layout after them gets a new version number. A build reads only the
// versions it knows; a file of a newer version is reported (the caller logs it) and ignored,
// never misread. A file that cannot be read for any reason is never a verdict: the agent
// starts empty and checks as usual.
//
// Thread-safety: every function is pure or works only on its arguments and the files named;
// two writers on the same directory at once are not supported (the agent has one).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "agent/store/result_store.hpp"
#include "agent/store/target_types.hpp"

namespace rdns::agent::state {

inline constexpr std::uint32_t k_state_version = 1;
inline constexpr std::string_view k_state_file_name = "rdns_exporter.state";
inline constexpr std::string_view k_state_temp_name = "state.tmp";
// A DNS message is at most 64 KiB, its names in presentation form (\DDD) at most four times
// that: no string the agent keeps comes close to this cap.
inline constexpr std::size_t k_max_state_string = 1 << 20;
// A /16 is 8-20 MB (more when many targets fail); this only stops a wrong path (a disk
// image, /dev/zero) from being read.
inline constexpr std::size_t k_max_state_bytes = std::size_t{512} << 20;

// One target's last result, identity and PTR-change tracking (agent/store/target_types.hpp: the
// store takes it back with ResultStore::restore()).
using agent::PersistedTarget;

struct DecodedState {
  std::uint32_t version = 0;
  double written_at = 0;  // Unix seconds
  std::vector<PersistedTarget> targets;
};

std::string encode_state(std::span<const PersistedTarget> targets, double written_at_unix);

// The error is one line for the log, e.g. "checksum mismatch", "truncated at record 12 of 40",
// "record 3: bad lookup status 200" (records are counted from 1).
[[nodiscard]] tl::expected<DecodedState, std::string> decode_state(std::string_view bytes);

// Atomically replaces DIR/rdns_exporter.state with `bytes`: DIR/state.tmp (mode 0600) is
// written, fsynced and renamed over it, then DIR is fsynced. On any error (which names the path
// and the system's reason) the temp file is removed and the previous state file is untouched.
[[nodiscard]] tl::expected<void, std::string> write_state_file(const std::string& dir, std::string_view bytes);

// The bytes of DIR/rdns_exporter.state; nullopt when there is none (a first start: not an
// error). A file above `max_bytes`, not a regular file, or unreadable is an error.
[[nodiscard]] tl::expected<std::optional<std::string>, std::string> read_state_file(
    const std::string& dir, std::size_t max_bytes = k_max_state_bytes);

// The same for another file of the storage directory (name and temp name in DIR): the egress
// addresses of target discovery.
[[nodiscard]] tl::expected<void, std::string> replace_file(const std::string& dir, std::string_view name,
                                                           std::string_view temp_name, std::string_view bytes);
[[nodiscard]] tl::expected<std::optional<std::string>, std::string> read_file(const std::string& dir,
                                                                              std::string_view name,
                                                                              std::size_t max_bytes);

// What to write: the targets of a store snapshot that have a result, in config order.
std::vector<PersistedTarget> persisted_targets(const ResultStore::Snapshot& snapshot);

// Field-by-field equality, floats by bit pattern and details by content (for the tests and the
// fuzzer's round-trip check).
bool identical(const PersistedTarget& a, const PersistedTarget& b);

}  // namespace rdns::agent::state
