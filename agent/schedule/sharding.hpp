// Splitting the targets among N agents: `--shard=I/N` makes an agent check only the targets
// it owns. Ownership is rendezvous (highest random weight) hashing of the canonical IP text:
// every agent computes the same owner for an IP without talking to the others, N agents
// together cover every target exactly once, and going from N to N+1 agents moves only the
// ~1/(N+1) of targets the new agent wins (the others keep theirs).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "agent/metrics/exposition_writer.hpp"
#include "config/model.hpp"

namespace rdns::agent {

struct Shard {
  std::uint32_t index = 0;  // 0-based
  std::uint32_t count = 1;  // >= 1
};

inline constexpr std::uint32_t k_max_shards = 4096;

// "I/N" (0 <= I < N <= k_max_shards), or "auto/N": I is the number after the last '-' of
// `hostname` (a StatefulSet pod is named <set>-<ordinal>, and that is its HOSTNAME). The error
// says what is wrong in words a user can act on.
[[nodiscard]] tl::expected<Shard, std::string> parse_shard(std::string_view text, std::string_view hostname);

// Which of `count` shards owns `ip` (canonical text, as in the config).
std::uint32_t shard_owner(std::string_view ip, std::uint32_t count);

inline bool owns(std::string_view ip, Shard shard) { return shard_owner(ip, shard.count) == shard.index; }

// Removes the targets another shard owns; with no shard, keeps all.
void retain_owned_targets(std::vector<config::Target>& targets, const std::optional<Shard>& shard);

// `rdns_shard_info{index="I",count="N"} 1` into the exposition; nothing with no shard.
void emit_shard_info(const std::optional<Shard>& shard, metrics::SampleSink& sink);

}  // namespace rdns::agent
