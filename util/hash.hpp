// FNV-1a, 64 bit: the one stable, portable hash of the project (shard ownership, schedule
// phases, resolver shards, the state file's checksum, the PTR-set fingerprint). Fixed constants,
// not std::hash, so every build and version of the agent computes the same value for the same
// bytes. Not a defence against chosen inputs.
//
// Thread-safety: pure functions and a value type.
#pragma once

#include <cstdint>
#include <string_view>

#include "util/ascii.hpp"

namespace rdns::util {

// Fed byte by byte, for inputs that are not one contiguous string.
class Fnv1a64 {
public:
  static constexpr std::uint64_t k_offset_basis = 14695981039346656037ull;
  static constexpr std::uint64_t k_prime = 1099511628211ull;

  constexpr void add(unsigned char byte) {
    m_hash ^= byte;
    m_hash *= k_prime;
  }
  constexpr void add(std::string_view bytes) {
    for (const char c : bytes) add(static_cast<unsigned char>(c));
  }
  constexpr std::uint64_t value() const { return m_hash; }

private:
  std::uint64_t m_hash = k_offset_basis;
};

// FNV-1a 64 of `bytes`. Any single changed byte changes it (each step is a bijection).
constexpr std::uint64_t fnv1a64(std::string_view bytes) {
  Fnv1a64 hash;
  hash.add(bytes);
  return hash.value();
}

// FNV-1a 64 of `text` with ASCII letters folded to lower case (DNS names compare so).
constexpr std::uint64_t fnv1a64_ascii_folded(std::string_view text) {
  Fnv1a64 hash;
  for (const char c : text) hash.add(static_cast<unsigned char>(ascii_lower(c)));
  return hash.value();
}

// Two 64-bit finalisers, bijections that spread every input bit over the whole word. Their
// constants are part of what users rely on: schedule phases and shard owners must not move
// between versions.

// MurmurHash3's fmix64: FNV's low bits mix poorly for short, similar keys (IPs that differ in
// the last bytes).
constexpr std::uint64_t murmur3_fmix64(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  x ^= x >> 33;
  return x;
}

// splitmix64's finaliser.
constexpr std::uint64_t splitmix64_mix(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

}  // namespace rdns::util
