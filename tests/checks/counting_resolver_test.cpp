// CountingResolver: counts by (type, outcome) when the inner resolver completes, passes answers
// through unchanged, and is safe to use from several threads.
#include "checks/counting_resolver.hpp"

#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace rdns::checks {
namespace {

// Answers at once, on the caller's thread, with the status encoded in the name's first char.
class ScriptedResolver final : public Resolver {
public:
  void resolve(std::string name, RrType, Deadline, Callback done) override {
    DnsAnswer answer;
    answer.status = static_cast<LookupStatus>(name.at(0) - '0');
    answer.records = {name};
    done(std::move(answer));
  }
};

// Keeps callbacks to complete later.
class HeldResolver final : public Resolver {
public:
  void resolve(std::string, RrType, Deadline, Callback done) override { held.push_back(std::move(done)); }
  std::vector<Callback> held;
};

std::uint64_t count_of(const std::vector<CountingResolver::QueryCount>& counts, RrType type, LookupStatus status) {
  for (const auto& c : counts) {
    if (c.type == type && c.status == status) {
      return c.count;
    }
  }
  return 0;
}

TEST(CountingResolver, CountsByTypeAndStatus) {
  CountingResolver counting(std::make_shared<ScriptedResolver>());
  const auto deadline = std::chrono::steady_clock::now();
  std::vector<std::string> seen;
  const auto keep = [&seen](DnsAnswer a) { seen.push_back(a.records.at(0)); };
  counting.resolve("0-ok", RrType::PTR, deadline, keep);
  counting.resolve("0-ok", RrType::PTR, deadline, keep);
  counting.resolve("1-nx", RrType::PTR, deadline, keep);
  counting.resolve("4-timeout", RrType::A, deadline, keep);
  counting.resolve("5-bogus", RrType::AAAA, deadline, keep);
  counting.resolve("0-soa", RrType::SOA, deadline, keep);
  EXPECT_EQ(seen.size(), 6u);
  EXPECT_EQ(seen.at(2), "1-nx");
  const auto snap = counting.snapshot();
  EXPECT_EQ(snap.size(), 5u);
  EXPECT_EQ(count_of(snap, RrType::PTR, LookupStatus::ok), 2u);
  EXPECT_EQ(count_of(snap, RrType::PTR, LookupStatus::nxdomain), 1u);
  EXPECT_EQ(count_of(snap, RrType::A, LookupStatus::timeout), 1u);
  EXPECT_EQ(count_of(snap, RrType::AAAA, LookupStatus::bogus), 1u);
  EXPECT_EQ(count_of(snap, RrType::SOA, LookupStatus::ok), 1u);
  EXPECT_EQ(count_of(snap, RrType::A, LookupStatus::ok), 0u);
}

TEST(CountingResolver, CountsOnCompletionNotOnSubmit) {
  auto held = std::make_shared<HeldResolver>();
  auto counting = std::make_unique<CountingResolver>(held);
  counting->resolve("x.", RrType::PTR, std::chrono::steady_clock::now(), [](DnsAnswer) {});
  EXPECT_TRUE(counting->snapshot().empty());
  DnsAnswer servfail;
  servfail.status = LookupStatus::servfail;
  held->held.at(0)(servfail);
  EXPECT_EQ(count_of(counting->snapshot(), RrType::PTR, LookupStatus::servfail), 1u);
  // A completion after the decorator is gone is harmless.
  counting->resolve("y.", RrType::A, std::chrono::steady_clock::now(), [](DnsAnswer) {});
  counting.reset();
  held->held.at(1)(servfail);
}

TEST(CountingResolver, ConcurrentCallers) {
  CountingResolver counting(std::make_shared<ScriptedResolver>());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&counting] {
      for (int i = 0; i < 10000; ++i) {
        counting.resolve(i % 2 ? "0" : "2", RrType::PTR, std::chrono::steady_clock::now(), [](DnsAnswer) {});
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  const auto snap = counting.snapshot();
  EXPECT_EQ(count_of(snap, RrType::PTR, LookupStatus::ok), 20000u);
  EXPECT_EQ(count_of(snap, RrType::PTR, LookupStatus::nodata), 20000u);
}

TEST(CountingResolver, TypeNames) {
  EXPECT_EQ(rr_type_name(RrType::PTR), "PTR");
  EXPECT_EQ(rr_type_name(RrType::AAAA), "AAAA");
  EXPECT_EQ(rr_type_name(RrType::SOA), "SOA");
}

}  // namespace
}  // namespace rdns::checks
