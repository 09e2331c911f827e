// ShardedResolver over real UnboundResolvers (one libunbound context each) against the DNS
// world: answers as one resolver would give them, every name always in the same context,
// counts that add up, and every callback exactly once: on answer, past the deadline, and when
// the resolver is destroyed with queries in flight (also when a callback resubmits then).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "checks/counting_resolver.hpp"
#include "checks/sharded_resolver.hpp"
#include "checks/unbound/unbound_resolver.hpp"
#include "tests/integration/dns_world_fixture.hpp"
#include "tests/integration/resolve_sync.hpp"

namespace rdns::testing {
namespace {

using checks::DnsAnswer;
using checks::LookupStatus;
using checks::Resolver;
using checks::RrType;
using checks::ShardedResolver;
using checks::UnboundResolver;
using namespace std::chrono_literals;

// Which names reached which shard (test-only decorator in front of each UnboundResolver).
struct Seen {
  std::mutex mutex;
  std::map<std::string, std::set<std::size_t>> shards_of_name;  // lower-cased name -> shards
  std::vector<std::size_t> per_shard;
};

class RecordingResolver final : public Resolver {
public:
  RecordingResolver(std::unique_ptr<Resolver> inner, std::size_t index, std::shared_ptr<Seen> seen)
      : m_inner(std::move(inner)), m_index(index), m_seen(std::move(seen)) {}
  void resolve(std::string name, RrType type, Deadline deadline, Callback done) override {
    {
      std::lock_guard lock(m_seen->mutex);
      std::string lower = name;
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
      m_seen->shards_of_name[lower].insert(m_index);
      ++m_seen->per_shard[m_index];
    }
    m_inner->resolve(std::move(name), type, deadline, std::move(done));
  }

private:
  std::unique_ptr<Resolver> m_inner;
  std::size_t m_index;
  std::shared_ptr<Seen> m_seen;
};

std::unique_ptr<ShardedResolver> make_sharded(const checks::ResolverSettings& settings, std::size_t n,
                                              std::shared_ptr<Seen> seen = nullptr) {
  std::vector<std::unique_ptr<Resolver>> shards;
  if (seen) seen->per_shard.assign(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    auto made = UnboundResolver::create(settings);
    if (!made) {
      ADD_FAILURE() << made.error();
      return nullptr;
    }
    if (seen) {
      shards.push_back(std::make_unique<RecordingResolver>(std::move(*made), i, seen));
    } else {
      shards.push_back(std::move(*made));
    }
  }
  return std::make_unique<ShardedResolver>(std::move(shards));
}

class ShardedResolverWorld : public DnsWorldTest {};

// Every scenario's PTR status as world.toml says, through three contexts at once.
TEST_F(ShardedResolverWorld, EveryScenarioPtrAsOneResolver) {
  auto resolver = make_sharded(world().recursive_settings(), 3);
  ASSERT_TRUE(resolver);
  std::vector<Query> queries;
  for (const auto& s : world().scenarios) queries.push_back({s.reverse_name, RrType::PTR});
  const auto answers = resolve_all(*resolver, queries, 10s);
  for (std::size_t i = 0; i < answers.size(); ++i) {
    const Scenario& s = world().scenarios[i];
    SCOPED_TRACE(s.ip + ": " + s.description);
    const std::string got(checks::to_string(answers[i].status));
    EXPECT_TRUE(std::find(s.ptr.statuses.begin(), s.ptr.statuses.end(), got) != s.ptr.statuses.end())
        << status_text(answers[i]) << ", expected " << s.ptr.status;
    EXPECT_EQ(answers[i].secure, s.ptr.secure);
    if (s.ptr.status == "ok") {
      auto got_records = answers[i].records;
      auto want = s.ptr.records;
      std::sort(got_records.begin(), got_records.end());
      std::sort(want.begin(), want.end());
      EXPECT_EQ(got_records, want);
    }
  }
}

// A name (in any letter case, with or without a repeat) always reaches the same context, the
// one shard_of() names; every context gets a share; the counts above add up.
TEST_F(ShardedResolverWorld, NamesAlwaysGoToTheSameContextAndCountsAddUp) {
  auto seen = std::make_shared<Seen>();
  std::shared_ptr<ShardedResolver> sharded = make_sharded(world().recursive_settings(), 4, seen);
  ASSERT_TRUE(sharded);
  checks::CountingResolver counting(sharded);
  std::vector<Query> queries;
  for (int round = 0; round < 2; ++round) {
    for (int host = 0; host < 100; ++host) {
      const std::string name = std::to_string(host) + ".2.0.192.in-addr.arpa.";
      queries.push_back({round == 0 ? name : "" + std::to_string(host) + ".2.0.192.IN-ADDR.ARPA.", RrType::PTR});
    }
  }
  queries.push_back({"secure.example.test.", RrType::A});
  queries.push_back({"SECURE.example.TEST.", RrType::A});
  const auto answers = resolve_all(counting, queries, 10s);
  for (std::size_t i = 0; i < answers.size(); ++i) {
    EXPECT_TRUE(checks::is_definitive(answers[i].status)) << queries[i].name << ": " << status_text(answers[i]);
  }
  EXPECT_EQ(answers.back().records, std::vector<std::string>{"203.0.113.10"});

  std::lock_guard lock(seen->mutex);
  EXPECT_EQ(seen->shards_of_name.size(), 101u);
  for (const auto& [name, shards] : seen->shards_of_name) {
    ASSERT_EQ(shards.size(), 1u) << name << " went to more than one context";
    EXPECT_EQ(*shards.begin(), sharded->shard_of(name)) << name;
  }
  std::size_t total = 0;
  for (std::size_t i = 0; i < seen->per_shard.size(); ++i) {
    EXPECT_GT(seen->per_shard[i], 10u) << "context " << i << " got almost nothing";
    total += seen->per_shard[i];
  }
  EXPECT_EQ(total, queries.size());
  std::uint64_t counted = 0;
  for (const auto& c : counting.snapshot()) counted += c.count;
  EXPECT_EQ(counted, queries.size());
}

// Past the deadline each query ends once, as timeout, whichever context it is in.
TEST_F(ShardedResolverWorld, DeadlineEndsEveryQueryOnceAsTimeout) {
  auto resolver = make_sharded(world().recursive_settings(), 3);
  ASSERT_TRUE(resolver);
  world().server_stop();
  std::vector<Query> queries;
  for (int host = 0; host < 12; ++host)
    queries.push_back({std::to_string(host) + ".2.0.192.in-addr.arpa.", RrType::PTR});
  const auto started = std::chrono::steady_clock::now();
  const auto answers = resolve_all(*resolver, queries, 300ms);  // waits for exactly one answer each
  const auto took = std::chrono::steady_clock::now() - started;
  world().server_start();
  for (std::size_t i = 0; i < answers.size(); ++i) {
    EXPECT_EQ(answers[i].status, LookupStatus::timeout) << queries[i].name << ": " << status_text(answers[i]);
  }
  EXPECT_LT(took, 1500ms);
}

// Destroying it completes every outstanding query exactly once, in every context (ASan: no leak).
TEST_F(ShardedResolverWorld, DestroyWithQueriesInFlight) {
  auto resolver = make_sharded(world().recursive_settings(), 3);
  ASSERT_TRUE(resolver);
  auto calls = std::make_shared<std::atomic<int>>(0);
  auto errors = std::make_shared<std::atomic<int>>(0);
  constexpr int k_queries = 300;
  for (int i = 0; i < k_queries; ++i) {
    // The dead delegation keeps half of them pending for seconds.
    const std::string name = i % 2 == 0 ? std::to_string(i) + ".66.100.51.198.in-addr.arpa."
                                        : std::to_string(i % 256) + ".2.0.192.in-addr.arpa.";
    resolver->resolve(name, RrType::PTR, std::chrono::steady_clock::now() + 30s, [calls, errors](DnsAnswer a) {
      calls->fetch_add(1);
      if (a.status == LookupStatus::error) errors->fetch_add(1);
    });
  }
  std::this_thread::sleep_for(100ms);
  const auto started = std::chrono::steady_clock::now();
  resolver.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
  EXPECT_EQ(calls->load(), k_queries);
  EXPECT_GE(errors->load(), k_queries / 2);  // the dead delegation's, cancelled as "shutting down"
}

// A callback run while the contexts shut down may resolve again, into any context (also one
// already destroyed): it gets "resolver shutting down" at once, exactly once.
TEST_F(ShardedResolverWorld, ResubmitIntoAnyContextDuringShutdown) {
  auto resolver = make_sharded(world().recursive_settings(), 3);
  ASSERT_TRUE(resolver);
  auto first = std::make_shared<std::atomic<int>>(0);
  auto second = std::make_shared<std::atomic<int>>(0);
  auto* raw = resolver.get();
  constexpr int k_queries = 60;
  for (int i = 0; i < k_queries; ++i) {
    raw->resolve(std::to_string(i) + ".66.100.51.198.in-addr.arpa.", RrType::PTR,
                 std::chrono::steady_clock::now() + 30s, [raw, i, first, second](DnsAnswer a) {
                   first->fetch_add(1);
                   EXPECT_EQ(a.status, LookupStatus::error);
                   raw->resolve("h" + std::to_string(i) + ".example.test.", RrType::A,
                                std::chrono::steady_clock::now() + 30s, [second](DnsAnswer b) {
                                  EXPECT_EQ(b.status, LookupStatus::error);
                                  EXPECT_EQ(b.detail, "resolver shutting down");
                                  second->fetch_add(1);
                                });
                 });
  }
  std::this_thread::sleep_for(50ms);
  resolver.reset();
  EXPECT_EQ(first->load(), k_queries);
  EXPECT_EQ(second->load(), k_queries);
}

TEST(ShardedResolver, ShardOfIgnoresCaseAndTheTrailingDot) {
  std::vector<std::unique_ptr<Resolver>> shards;
  checks::ResolverSettings settings;  // system mode: no query is sent here
  for (int i = 0; i < 5; ++i) {
    auto made = UnboundResolver::create(settings);
    ASSERT_TRUE(made) << made.error();
    shards.push_back(std::move(*made));
  }
  const ShardedResolver sharded(std::move(shards));
  EXPECT_EQ(sharded.size(), 5u);
  std::set<std::size_t> used;
  for (int host = 0; host < 200; ++host) {
    const std::string name = "h-" + std::to_string(host) + ".Bench.Test.";
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    const std::size_t shard = sharded.shard_of(name);
    EXPECT_LT(shard, 5u);
    EXPECT_EQ(sharded.shard_of(lower), shard);
    EXPECT_EQ(sharded.shard_of(lower.substr(0, lower.size() - 1)), shard);
    used.insert(shard);
  }
  EXPECT_EQ(used.size(), 5u);  // 200 names spread over all five
}

TEST(ShardedResolver, RefusesNoShardsAndNullShards) {
  EXPECT_THROW(ShardedResolver(std::vector<std::unique_ptr<Resolver>>{}), std::invalid_argument);
  std::vector<std::unique_ptr<Resolver>> with_null;
  with_null.push_back(nullptr);
  EXPECT_THROW(ShardedResolver(std::move(with_null)), std::invalid_argument);
}

}  // namespace
}  // namespace rdns::testing
