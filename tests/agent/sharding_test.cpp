// Sharding: exact coverage of a /16 for N = 1..8, the movement from N to N+1 (printed, and
// bounded near the ideal 1/(N+1)), and the --shard parser's messages.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "agent/schedule/sharding.hpp"

namespace rdns::agent {
namespace {

std::vector<std::string> benchmark_network() {  // 198.18.0.0/16, RFC 2544
  std::vector<std::string> ips;
  ips.reserve(65536);
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) ips.push_back("198.18." + std::to_string(a) + "." + std::to_string(b));
  }
  return ips;
}

TEST(Sharding, EveryTargetOwnedByExactlyOneShard) {
  const auto ips = benchmark_network();
  for (std::uint32_t count = 1; count <= 8; ++count) {
    std::vector<std::size_t> per_shard(count, 0);
    for (const auto& ip : ips) {
      int owners = 0;
      for (std::uint32_t index = 0; index < count; ++index) {
        if (owns(ip, Shard{index, count})) {
          ++owners;
          ++per_shard[index];
        }
      }
      ASSERT_EQ(owners, 1) << ip << " with " << count << " shards";
    }
    // Balanced within 5% of the fair share (a /16 is plenty for that).
    for (std::size_t n : per_shard) {
      EXPECT_NEAR(static_cast<double>(n), 65536.0 / count, 65536.0 / count * 0.05) << count << " shards";
    }
  }
}

TEST(Sharding, GrowingByOneMovesAboutOneInNPlusOneAndOnlyToTheNewShard) {
  const auto ips = benchmark_network();
  for (std::uint32_t count = 1; count < 8; ++count) {
    std::size_t moved = 0;
    for (const auto& ip : ips) {
      const auto before = shard_owner(ip, count);
      const auto after = shard_owner(ip, count + 1);
      if (before != after) {
        ++moved;
        ASSERT_EQ(after, count) << ip << ": moved between two old shards";
      }
    }
    const double fraction = static_cast<double>(moved) / ips.size();
    const double ideal = 1.0 / (count + 1);
    std::printf("shards %u -> %u: %zu of %zu targets move (%.2f%%, ideal %.2f%%)\n", count, count + 1, moved,
                ips.size(), 100 * fraction, 100 * ideal);
    EXPECT_NEAR(fraction, ideal, ideal * 0.05);
  }
}

TEST(Sharding, OwnerIsStableAcrossReleases) {
  // Pinned: a change of the hash would silently reshuffle every fleet on upgrade.
  EXPECT_EQ(shard_owner("192.0.2.10", 1), 0u);
  const std::uint32_t pinned[] = {shard_owner("192.0.2.10", 5), shard_owner("2001:db8::25", 5),
                                  shard_owner("198.51.100.7", 5)};
  std::printf("pinned owners of 5 shards: %u %u %u\n", pinned[0], pinned[1], pinned[2]);
  EXPECT_EQ(pinned[0], 2u);
  EXPECT_EQ(pinned[1], 3u);
  EXPECT_EQ(pinned[2], 3u);
}

TEST(Sharding, ParsesIndexOverCount) {
  auto shard = parse_shard("2/5", "");
  ASSERT_TRUE(shard) << shard.error();
  EXPECT_EQ(shard->index, 2u);
  EXPECT_EQ(shard->count, 5u);
  shard = parse_shard("0/1", "");
  ASSERT_TRUE(shard);
  EXPECT_EQ(shard->count, 1u);
}

TEST(Sharding, AutoTakesTheOrdinalOfAStatefulSetPodName) {
  auto shard = parse_shard("auto/3", "rdns-exporter-2");
  ASSERT_TRUE(shard) << shard.error();
  EXPECT_EQ(shard->index, 2u);
  EXPECT_EQ(shard->count, 3u);
  EXPECT_NE(parse_shard("auto/3", "rdns-exporter-3").error().find("below the count"), std::string::npos);
  EXPECT_NE(parse_shard("auto/3", "mail").error().find("does not end in -<ordinal>"), std::string::npos);
  EXPECT_NE(parse_shard("auto/3", "").error().find("HOSTNAME"), std::string::npos);
  EXPECT_NE(parse_shard("auto/3", "rdns-exporter-x").error().find("ordinal"), std::string::npos);
}

TEST(Sharding, RejectsMalformedValuesWithAReason) {
  EXPECT_NE(parse_shard("3", "").error().find("I/N"), std::string::npos);
  EXPECT_NE(parse_shard("3/3", "").error().find("below the count"), std::string::npos);
  EXPECT_NE(parse_shard("0/0", "").error().find("1 to"), std::string::npos);
  EXPECT_NE(parse_shard("-1/3", "").error().find("whole number"), std::string::npos);
  EXPECT_NE(parse_shard("1/3x", "").error().find("whole number"), std::string::npos);
  EXPECT_NE(parse_shard("/3", "").error().find("whole number"), std::string::npos);
  EXPECT_NE(parse_shard("0/99999", "").error().find("1 to 4096"), std::string::npos);
}

TEST(Sharding, RetainsOnlyOwnedTargetsAndExportsInfo) {
  std::vector<config::Target> targets;
  for (int i = 0; i < 100; ++i) {
    config::Target target;
    target.ip = "192.0.2." + std::to_string(i);
    targets.push_back(std::move(target));
  }
  auto all = targets;
  retain_owned_targets(all, std::nullopt);
  EXPECT_EQ(all.size(), 100u);
  std::size_t total = 0;
  for (std::uint32_t index = 0; index < 3; ++index) {
    auto mine = targets;
    retain_owned_targets(mine, Shard{index, 3});
    for (const auto& t : mine) EXPECT_TRUE(owns(t.ip, Shard{index, 3}));
    total += mine.size();
  }
  EXPECT_EQ(total, 100u);
  metrics::TextSink none;
  emit_shard_info(std::nullopt, none);
  none.finish();
  EXPECT_EQ(none.text(), "");
  metrics::TextSink sink;
  emit_shard_info(Shard{1, 3}, sink);
  sink.finish();
  EXPECT_NE(sink.text().find("# TYPE rdns_shard_info gauge\n"), std::string::npos) << sink.text();
  EXPECT_NE(sink.text().find("rdns_shard_info{index=\"1\",count=\"3\"} 1\n"), std::string::npos) << sink.text();
}

}  // namespace
}  // namespace rdns::agent
