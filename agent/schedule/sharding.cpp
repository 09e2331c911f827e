#include "agent/schedule/sharding.hpp"

#include <algorithm>
#include <charconv>

#include "util/hash.hpp"

namespace rdns::agent {
namespace {

// Fixed hash functions, not std::hash: every agent binary, whatever its standard library or
// version, must agree on the owner of an IP.
// splitmix64's finaliser: spreads (key, shard) pairs over 64 bits so each shard's score for a
// key is independent of the others'.
std::uint64_t mix(std::uint64_t x) { return util::splitmix64_mix(x); }

[[nodiscard]] tl::expected<std::uint32_t, std::string> parse_number(std::string_view text, std::string_view what) {
  std::uint32_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) {
    return tl::make_unexpected(std::string(what) + " must be a whole number, got \"" + std::string(text) + "\"");
  }
  return value;
}

}  // namespace

tl::expected<Shard, std::string> parse_shard(std::string_view text, std::string_view hostname) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) {
    return tl::make_unexpected("--shard must be I/N or auto/N (e.g. 0/3), got \"" + std::string(text) + "\"");
  }
  auto count = parse_number(text.substr(slash + 1), "--shard: the shard count N");
  if (!count) return tl::make_unexpected(count.error());
  if (*count < 1 || *count > k_max_shards) {
    return tl::make_unexpected("--shard: the shard count N must be 1 to " + std::to_string(k_max_shards) + ", got " +
                               std::to_string(*count));
  }
  const std::string_view index_text = text.substr(0, slash);
  tl::expected<std::uint32_t, std::string> index;
  if (index_text == "auto") {
    const auto dash = hostname.rfind('-');
    if (hostname.empty() || dash == std::string_view::npos) {
      return tl::make_unexpected("--shard=auto/N: HOSTNAME \"" + std::string(hostname) +
                                 "\" does not end in -<ordinal> (as a StatefulSet pod's does)");
    }
    index = parse_number(hostname.substr(dash + 1), "--shard=auto/N: the ordinal after the last '-' of HOSTNAME");
  } else {
    index = parse_number(index_text, "--shard: the shard index I");
  }
  if (!index) return tl::make_unexpected(index.error());
  if (*index >= *count) {
    return tl::make_unexpected("--shard: the index must be below the count (0-based: 0 to " +
                               std::to_string(*count - 1) + "), got " + std::to_string(*index) + "/" +
                               std::to_string(*count));
  }
  return Shard{*index, *count};
}

std::uint32_t shard_owner(std::string_view ip, std::uint32_t count) {
  const std::uint64_t key = util::fnv1a64(ip);
  std::uint32_t best = 0;
  std::uint64_t best_score = 0;
  for (std::uint32_t shard = 0; shard < count; ++shard) {
    const std::uint64_t score = mix(key ^ mix(0x9e3779b97f4a7c15ULL * (shard + 1)));
    if (shard == 0 || score > best_score) {
      best = shard;
      best_score = score;
    }
  }
  return best;
}

void retain_owned_targets(std::vector<config::Target>& targets, const std::optional<Shard>& shard) {
  if (!shard || shard->count <= 1) return;
  std::erase_if(targets, [&](const config::Target& target) { return !owns(target.ip, *shard); });
}

void emit_shard_info(const std::optional<Shard>& shard, metrics::SampleSink& sink) {
  if (!shard) return;
  sink.family("rdns_shard_info", "Always 1; this agent checks the targets of shard index (0-based) of count.",
              prometheus::MetricType::Gauge);
  const std::string index = std::to_string(shard->index);
  const std::string count = std::to_string(shard->count);
  const metrics::LabelRef labels[] = {{"index", index}, {"count", count}};
  sink.sample(labels, {}, 1.0);
}

}  // namespace rdns::agent
