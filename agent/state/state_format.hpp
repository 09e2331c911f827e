// The layout constants of the state file (described in state_file.hpp) and its checksum, apart
// from the codec so the fuzzer can reseal a mutated file and reach the record parser behind the
// checksum.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/hash.hpp"

namespace rdns::agent::state::format {

inline constexpr std::string_view k_magic = "RDNSSTAT";
inline constexpr std::size_t k_version_at = 8;
inline constexpr std::size_t k_written_at = 12;
inline constexpr std::size_t k_count_at = 20;
inline constexpr std::size_t k_total_size_at = 28;
inline constexpr std::size_t k_header_size = 36;
inline constexpr std::size_t k_checksum_size = 8;
// The smallest record: four empty strings, flags, the fixed fields and names_hash. Bounds the
// record count a file of a given size can claim.
inline constexpr std::size_t k_min_record_size = 4 * 4 + 1 + 8 + 8 + 4 + 4 + 4 + 2 + 2 + 4 + 7 + 8;

inline constexpr std::uint8_t k_flag_details = 1;
inline constexpr std::uint8_t k_flag_last_change = 2;
// The verdict fields are partial (TargetRecord::verdict_partial). Files without it: whole.
inline constexpr std::uint8_t k_flag_partial_verdict = 4;

// FNV-1a 64: any single changed byte always changes it (each step is a bijection of the state).
inline std::uint64_t checksum(std::string_view bytes) { return util::fnv1a64(bytes); }

inline void store_u64(char* at, std::uint64_t value) {
  for (int i = 0; i < 8; ++i) at[i] = static_cast<char>((value >> (8 * i)) & 0xff);
}

inline std::uint64_t load_u64(const char* at) {
  std::uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value |= std::uint64_t{static_cast<unsigned char>(at[i])} << (8 * i);
  return value;
}

// Rewrites the total size and the checksum of a (deliberately changed) file, so the change
// reaches the checks behind them: for the tests and the fuzzer, never the agent.
inline void reseal(std::string& bytes) {
  if (bytes.size() < k_header_size + k_checksum_size) return;
  store_u64(bytes.data() + k_total_size_at, bytes.size());
  const std::size_t body = bytes.size() - k_checksum_size;
  store_u64(bytes.data() + body, checksum(std::string_view(bytes).substr(0, body)));
}

}  // namespace rdns::agent::state::format
