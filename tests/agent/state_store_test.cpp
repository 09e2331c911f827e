// The state file and the store together: what a store holds survives encode -> decode ->
// restore into a fresh store (the restart), with its original times; targets no longer
// configured, or configured differently, are dropped; a restored PTR set keeps its last-change
// time until the set really changes.
#include <stdexcept>

#include <gtest/gtest.h>

#include "agent/store/result_store.hpp"
#include "agent/state/state_file.hpp"
#include "agent/state/state_writer.hpp"
#include "tests/agent/agent_test_results.hpp"

namespace rdns::agent::state {
namespace {

using namespace rdns::agent::testing;

config::Target target(std::string ip, std::string helo = {}) {
  config::Target t;
  t.ip = std::move(ip);
  t.helo_hostname = std::move(helo);
  return t;
}

std::uint64_t id_of(const std::vector<TargetId>& ids, const std::string& ip) {
  for (const auto& id : ids) {
    if (id.ip == ip) return id.id;
  }
  return 0;
}

const ResultStore::Row& row_of(const ResultStore::Snapshot& snapshot, const std::string& ip) {
  for (const auto& row : snapshot.rows) {
    if (row.ip == ip) return row;
  }
  throw std::runtime_error("no row for " + ip);
}

// The store before the restart: a pass whose set changed once, a kept verdict, a missing PTR,
// one never-decided target (a timeout after an undecided check), and targets to be dropped.
ResultStore& filled(ResultStore& store) {
  auto ids = store.set_targets({target("192.0.2.1"), target("192.0.2.2"), target("192.0.2.3"), target("192.0.2.4"),
                                target("192.0.2.5"), target("192.0.2.6", "mx.example.com")});
  store.record(id_of(ids, "192.0.2.1"), passing_result("192.0.2.1", {"old.example.com"}, 1700000000));
  store.record(id_of(ids, "192.0.2.1"), passing_result("192.0.2.1", {"new.example.com"}, 1700003600));
  store.record(id_of(ids, "192.0.2.1"), passing_result("192.0.2.1", {"new.example.com"}, 1700007200));
  store.record(id_of(ids, "192.0.2.2"), passing_result("192.0.2.2", {"mail.example.net"}, 1700000000));
  store.record(id_of(ids, "192.0.2.2"), failed_lookup_result("192.0.2.2", checks::LookupStatus::servfail, 1700003600));
  store.record(id_of(ids, "192.0.2.3"), missing_ptr_result("192.0.2.3", 1700000500));
  // PTR names found, forward lookups timed out: undecided, yet the set is definitive...
  auto undecided = passing_result("192.0.2.4", {"mx4.example.org"}, 1700000000);
  undecided.forward_status = checks::LookupStatus::timeout;
  store.record(id_of(ids, "192.0.2.4"), undecided);
  // ...then a SERVFAIL: no names shown, but the last definitive set is still mx4's.
  store.record(id_of(ids, "192.0.2.4"), failed_lookup_result("192.0.2.4", checks::LookupStatus::servfail, 1700003600));
  store.record(id_of(ids, "192.0.2.5"), passing_result("192.0.2.5", {"gone.example.com"}));
  store.record(id_of(ids, "192.0.2.6"), passing_result("192.0.2.6", {"mx.example.com"}));
  return store;
}

TEST(StateStore, RestartServesTheSameResultsWithTheirTimes) {
  ResultStore before;
  const auto snapshot = filled(before).snapshot();
  const std::string bytes = encode_state(persisted_targets(snapshot), 1700010000);
  auto decoded = decode_state(bytes);
  ASSERT_TRUE(decoded) << decoded.error();
  ASSERT_EQ(decoded->targets.size(), 6u);

  // The restart: 192.0.2.5 is no longer configured, 192.0.2.6 has another HELO name, 192.0.2.7 is new.
  ResultStore after;
  auto ids = after.set_targets({target("192.0.2.1"), target("192.0.2.2"), target("192.0.2.3"), target("192.0.2.4"),
                                target("192.0.2.6", "other.example.com"), target("192.0.2.7")});
  const auto generation = after.generation();
  EXPECT_EQ(after.restore(std::move(decoded->targets)), 4u);
  EXPECT_NE(after.generation(), generation);
  EXPECT_FALSE(after.first_cycle_done());  // 192.0.2.6 and .7 still need a check

  const auto restored = after.snapshot();
  for (const char* ip : {"192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"}) {
    const auto was = row_of(snapshot, ip);  // copies: GCC 14 warns of a dangling reference
    const auto is = row_of(restored, ip);
    ASSERT_TRUE(is.record) << ip;
    EXPECT_TRUE(identical(
        PersistedTarget{was.ip, was.expected_hostname, was.helo_hostname, *was.record, was.last_change, was.names_hash},
        PersistedTarget{is.ip, is.expected_hostname, is.helo_hostname, *is.record, is.last_change, is.names_hash}))
        << ip;
  }
  EXPECT_EQ(row_of(restored, "192.0.2.1").last_change, 1700003600.0);  // when the set changed, not the last check
  EXPECT_EQ(row_of(restored, "192.0.2.1").record->checked_at, 1700007200.0);
  EXPECT_EQ(row_of(restored, "192.0.2.2").record->verdict_at, 1700000000.0);  // the kept verdict's time
  EXPECT_EQ(row_of(restored, "192.0.2.2").record->checked_at, 1700003600.0);
  EXPECT_FALSE(row_of(restored, "192.0.2.6").record);
  EXPECT_FALSE(row_of(restored, "192.0.2.7").record);

  // The same PTR set again: the restored last-change time stays. A new set moves it.
  after.record(id_of(ids, "192.0.2.1"), passing_result("192.0.2.1", {"new.example.com"}, 1700020000));
  EXPECT_EQ(row_of(after.snapshot(), "192.0.2.1").last_change, 1700003600.0);
  after.record(id_of(ids, "192.0.2.4"), passing_result("192.0.2.4", {"mx4.example.org"}, 1700020000));
  EXPECT_EQ(row_of(after.snapshot(), "192.0.2.4").last_change, 1700000000.0);
  after.record(id_of(ids, "192.0.2.1"), passing_result("192.0.2.1", {"newer.example.com"}, 1700030000));
  EXPECT_EQ(row_of(after.snapshot(), "192.0.2.1").last_change, 1700030000.0);
}

TEST(StateStore, AFreshResultWinsOverTheFile) {
  ResultStore before;
  auto persisted = persisted_targets(filled(before).snapshot());
  ResultStore after;
  auto ids = after.set_targets({target("192.0.2.1")});
  after.record(id_of(ids, "192.0.2.1"), passing_result("192.0.2.1", {"fresh.example.com"}, 1800000000));
  EXPECT_EQ(after.restore(std::move(persisted)), 0u);
  EXPECT_EQ(row_of(after.snapshot(), "192.0.2.1").record->hostnames, "fresh.example.com");
}

TEST(StateStore, AllRestoredMeansReadyAtOnce) {
  ResultStore before;
  auto persisted = persisted_targets(filled(before).snapshot());
  ResultStore after;
  after.set_targets({target("192.0.2.1"), target("192.0.2.3")});
  EXPECT_FALSE(after.first_cycle_done());
  EXPECT_EQ(after.restore(std::move(persisted)), 2u);
  EXPECT_TRUE(after.first_cycle_done());
}

TEST(StateStore, GenerationDrivesTheWriter) {
  using namespace std::chrono_literals;
  ResultStore store;
  auto ids = store.set_targets({target("192.0.2.1")});
  StateWriter writer(60s, store.generation());
  const StateWriter::Clock::time_point start{};
  EXPECT_FALSE(writer.due(start, store.generation()));
  store.record(ids[0].id, passing_result("192.0.2.1", {"a.example.com"}));
  const auto snapshot = store.snapshot();
  EXPECT_EQ(snapshot.generation, store.generation());
  ASSERT_TRUE(writer.due(start, snapshot.generation));
  writer.wrote(start, snapshot.generation, true);
  EXPECT_FALSE(writer.due_at_shutdown(store.generation()));
  store.record(ids[0].id, passing_result("192.0.2.1", {"a.example.com"}));  // even the same result
  EXPECT_TRUE(writer.due_at_shutdown(store.generation()));
  const auto generation = store.generation();
  EXPECT_FALSE(store.record(12345, passing_result("192.0.2.9", {"x.example.com"})));  // not stored...
  EXPECT_EQ(store.generation(), generation);                                          // ...no change
}

}  // namespace
}  // namespace rdns::agent::state
