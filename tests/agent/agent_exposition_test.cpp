// The per-target exposition: which series exist (withholding), their values, escaping, and
// that the direct text writer and prometheus-cpp's TextSerializer say the same thing.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include "agent/metrics/exposition_writer.hpp"
#include "agent/metrics/target_families.hpp"
#include "agent/store/result_store.hpp"
#include "agent/service/service.hpp"
#include "agent/status/status_rows.hpp"
#include "tests/agent/agent_test_results.hpp"
#include "tests/agent/exposition_parse.hpp"

namespace rdns::agent {
namespace {

using testing::parse_exposition;
using namespace rdns::agent::testing;

config::Target target(std::string ip, config::Labels labels = {}) {
  config::Target t;
  t.ip = std::move(ip);
  t.labels = std::move(labels);
  return t;
}

std::string text_of(const ResultStore& store) {
  auto snapshot = store.snapshot();
  auto views = exposition_rows(snapshot);
  metrics::TextSink sink;
  metrics::emit_target_families(views, sink);
  sink.finish();
  return sink.text();
}

std::string serializer_text_of(const ResultStore& store) {
  auto snapshot = store.snapshot();
  auto views = exposition_rows(snapshot);
  metrics::FamilySink sink;
  metrics::emit_target_families(views, sink);
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, sink.take());
  return out.str();
}

std::uint64_t id_of(const std::vector<TargetId>& ids, const std::string& ip) {
  for (const auto& id : ids) {
    if (id.ip == ip) return id.id;
  }
  return 0;
}

TEST(AgentExposition, PassingTargetHasEveryVerdictAndStateSet) {
  ResultStore store;
  auto ids = store.set_targets({target("192.0.2.10", {{"pool", "outbound"}})});
  ASSERT_TRUE(store.record(ids[0].id, passing_result("192.0.2.10", {"mail.example.com"})));
  const auto parsed = parse_exposition(text_of(store));
  ASSERT_EQ(parsed.error, "");
  const std::map<std::string, std::string> ip{{"ip", "192.0.2.10"}, {"pool", "outbound"}};
  EXPECT_EQ(parsed.value("rdns_check_success", ip), 1.0);
  EXPECT_EQ(parsed.value("rdns_ptr_present", ip), 1.0);
  EXPECT_EQ(parsed.value("rdns_ptr_records", ip), 1.0);
  EXPECT_EQ(
      parsed.value("rdns_ptr_info", {{"ip", "192.0.2.10"}, {"hostname", "mail.example.com"}, {"pool", "outbound"}}),
      1.0);
  EXPECT_EQ(parsed.value("rdns_fcrdns_pass", ip), 1.0);
  EXPECT_EQ(parsed.value("rdns_fcrdns_confirmed_names", ip), 1.0);
  EXPECT_EQ(parsed.value("rdns_ptr_hostname_valid", ip), 1.0);
  EXPECT_EQ(parsed.value("rdns_generic_hostname", ip), 0.0);
  EXPECT_EQ(parsed.value("rdns_ptr_ttl_seconds", ip), 3600.0);
  EXPECT_EQ(parsed.value("rdns_dnssec_secure", ip), 0.0);
  EXPECT_EQ(parsed.value("rdns_last_check_timestamp_seconds", ip), 1700000000.5);
  EXPECT_EQ(parsed.value("rdns_ptr_last_change_timestamp_seconds", ip), 1700000000.5);
  // Not configured: not exported.
  EXPECT_TRUE(parsed.find("rdns_expected_hostname_match").empty());
  EXPECT_TRUE(parsed.find("rdns_helo_match").empty());
  // State sets: all 8 statuses, exactly one 1.
  for (const char* family : {"rdns_ptr_lookup_status", "rdns_forward_lookup_status"}) {
    auto states = parsed.find(family, ip);
    ASSERT_EQ(states.size(), 8u) << family;
    double sum = 0;
    for (const auto& s : states) sum += s.value;
    EXPECT_EQ(sum, 1.0);
    EXPECT_EQ(parsed.value(family, {{"ip", "192.0.2.10"}, {"status", "ok"}}), 1.0);
  }
  EXPECT_EQ(parsed.types.at("rdns_ptr_lookup_status"), "gauge");
}

TEST(AgentExposition, ResolverProblemWithholdsEveryVerdict) {
  for (auto status : {checks::LookupStatus::servfail, checks::LookupStatus::timeout, checks::LookupStatus::bogus,
                      checks::LookupStatus::refused, checks::LookupStatus::error}) {
    ResultStore store;
    auto ids = store.set_targets({target("192.0.2.11")});
    ASSERT_TRUE(store.record(ids[0].id, failed_lookup_result("192.0.2.11", status)));
    const auto parsed = parse_exposition(text_of(store));
    ASSERT_EQ(parsed.error, "");
    const std::string name(checks::to_string(status));
    EXPECT_EQ(parsed.value("rdns_ptr_lookup_status", {{"status", name}}), 1.0) << name;
    EXPECT_EQ(parsed.find("rdns_ptr_lookup_status").size(), 8u);
    // Nothing that could read as "PTR missing" or "check failed".
    for (const char* withheld :
         {"rdns_check_success", "rdns_ptr_present", "rdns_ptr_records", "rdns_ptr_info", "rdns_fcrdns_pass",
          "rdns_fcrdns_confirmed_names", "rdns_ptr_hostname_valid", "rdns_generic_hostname", "rdns_dnssec_secure",
          "rdns_ptr_ttl_seconds", "rdns_forward_lookup_status", "rdns_ptr_last_change_timestamp_seconds"}) {
      EXPECT_TRUE(parsed.find(withheld).empty()) << withheld << " for " << name;
    }
    EXPECT_EQ(parsed.value("rdns_last_check_timestamp_seconds"), 1700000100.0);
  }
}

TEST(AgentExposition, MissingPtrIsAVerdict) {
  ResultStore store;
  auto ids = store.set_targets({target("192.0.2.12")});
  ASSERT_TRUE(store.record(ids[0].id, missing_ptr_result("192.0.2.12")));
  const auto parsed = parse_exposition(text_of(store));
  ASSERT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.value("rdns_ptr_present"), 0.0);
  EXPECT_EQ(parsed.value("rdns_ptr_records"), 0.0);
  EXPECT_EQ(parsed.value("rdns_check_success"), 0.0);
  EXPECT_EQ(parsed.value("rdns_ptr_lookup_status", {{"status", "nxdomain"}}), 1.0);
  EXPECT_TRUE(parsed.find("rdns_forward_lookup_status").empty());
  EXPECT_TRUE(parsed.find("rdns_ptr_info").empty());
  EXPECT_EQ(parsed.value("rdns_ptr_last_change_timestamp_seconds"), 1700000200.0);
}

TEST(AgentExposition, UncheckedTargetsHaveNoSeries) {
  ResultStore store;
  store.set_targets({target("192.0.2.13")});
  const auto parsed = parse_exposition(text_of(store));
  ASSERT_EQ(parsed.error, "");
  EXPECT_TRUE(parsed.samples.empty());
}

TEST(AgentExposition, HostileNamesAreEscapedAndStayValid) {
  ResultStore store;
  auto ids = store.set_targets({target("2001:db8::1", {{"site", "a\"b\\c\nd"}})});
  ASSERT_TRUE(store.record(ids[0].id, passing_result("2001:db8::1", {"we\\\"ird\\032name.example", "x.example"})));
  const std::string text = text_of(store);
  EXPECT_NE(text.find(R"(hostname="we\\\"ird\\032name.example")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(site="a\"b\\c\nd")"), std::string::npos) << text;
  const auto parsed = parse_exposition(text);
  ASSERT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.value("rdns_ptr_info", {{"hostname", "we\\\"ird\\032name.example"}, {"site", "a\"b\\c\nd"}}), 1.0);
  EXPECT_EQ(parsed.value("rdns_ptr_records"), 2.0);
}

TEST(AgentExposition, ReservedConfigLabelsAreDropped) {
  ResultStore store;
  auto ids = store.set_targets({target("192.0.2.14", {{"ip", "spoof"}, {"status", "x"}, {"zone", "a"}})});
  ASSERT_TRUE(store.record(ids[0].id, passing_result("192.0.2.14", {"mail.example.com"})));
  const auto parsed = parse_exposition(text_of(store));
  ASSERT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.value("rdns_check_success", {{"ip", "192.0.2.14"}, {"zone", "a"}}), 1.0);
}

TEST(AgentExposition, GoldenSnippet) {
  ResultStore store;
  auto ids = store.set_targets({target("192.0.2.10", {{"pool", "out"}})});
  ASSERT_TRUE(store.record(ids[0].id, passing_result("192.0.2.10", {"mail.example.com"})));
  const std::string text = text_of(store);
  EXPECT_NE(text.find("# TYPE rdns_check_success gauge\n"
                      "rdns_check_success{ip=\"192.0.2.10\",pool=\"out\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("rdns_ptr_lookup_status{ip=\"192.0.2.10\",status=\"ok\",pool=\"out\"} 1\n"
                      "rdns_ptr_lookup_status{ip=\"192.0.2.10\",status=\"nxdomain\",pool=\"out\"} 0\n"),
            std::string::npos);
  EXPECT_NE(text.find("rdns_ptr_info{ip=\"192.0.2.10\",hostname=\"mail.example.com\",pool=\"out\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("rdns_last_check_timestamp_seconds{ip=\"192.0.2.10\",pool=\"out\"} 1700000000.5\n"),
            std::string::npos);
}

TEST(AgentExposition, TextWriterAgreesWithPrometheusCppSerializer) {
  ResultStore store;
  auto ids = store.set_targets({target("192.0.2.1", {{"pool", "a"}}), target("192.0.2.2"), target("192.0.2.3"),
                                target("2001:db8::5"), target("192.0.2.4")});
  store.record(ids[0].id, passing_result("192.0.2.1", {"a.example", "b.example"}));
  store.record(ids[1].id, failed_lookup_result("192.0.2.2", checks::LookupStatus::timeout));
  store.record(ids[2].id, missing_ptr_result("192.0.2.3"));
  store.record(ids[3].id, passing_result("2001:db8::5", {"v6.example"}, 1700000123.25));
  const auto direct = parse_exposition(text_of(store));
  const auto library = parse_exposition(serializer_text_of(store));
  ASSERT_EQ(direct.error, "");
  ASSERT_EQ(library.error, "");
  ASSERT_EQ(direct.samples.size(), library.samples.size());
  for (std::size_t i = 0; i < direct.samples.size(); ++i) {
    EXPECT_EQ(direct.samples[i].name, library.samples[i].name);
    EXPECT_EQ(direct.samples[i].labels, library.samples[i].labels);
    EXPECT_DOUBLE_EQ(direct.samples[i].value, library.samples[i].value) << direct.samples[i].name;
  }
  EXPECT_EQ(direct.types, library.types);
  EXPECT_EQ(direct.helps, library.helps);
}

TEST(AgentExposition, PromtoolAcceptsIt) {
  // promtool is a test dependency (scripts/debian-packages.txt installs it): missing, the
  // test fails rather than skips, so a run without it never looks like a pass.
  ASSERT_EQ(::access("/usr/bin/promtool", X_OK), 0)
      << "/usr/bin/promtool is missing: install the Debian package prometheus (scripts/install-deps.sh)";
  ResultStore store;
  auto ids = store.set_targets({target("192.0.2.1", {{"pool", "a"}}), target("192.0.2.2"), target("192.0.2.3")});
  store.record(ids[0].id, passing_result("192.0.2.1", {"a.example", "we\\\"ird.example"}));
  store.record(ids[1].id, failed_lookup_result("192.0.2.2", checks::LookupStatus::servfail));
  store.record(ids[2].id, missing_ptr_result("192.0.2.3"));
  const std::string path = ::testing::TempDir() + "/agent_exposition_promtool.txt";
  {
    std::ofstream out(path);
    out << text_of(store);
  }
  const std::string command = "/usr/bin/promtool check metrics < " + path + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe)) output += buffer;
  const int status = pclose(pipe);
  // promtool exits 3 for lint problems only (e.g. naming advice), 1 for invalid input.
  EXPECT_TRUE(status == 0) << output;
}

TEST(AgentResultStore, LastChangeTracksTheNameSetNotItsOrderNorErrors) {
  ResultStore store;
  auto ids = store.set_targets({target("192.0.2.20")});
  const auto id = ids[0].id;
  auto last_change = [&] {
    auto snapshot = store.snapshot();
    return snapshot.rows[0].last_change;
  };
  EXPECT_FALSE(last_change());
  store.record(id, failed_lookup_result("192.0.2.20", checks::LookupStatus::servfail, 100));
  EXPECT_FALSE(last_change()) << "an error is not a first definitive answer";
  store.record(id, passing_result("192.0.2.20", {"a.example", "b.example"}, 200));
  EXPECT_EQ(last_change(), 200.0);
  store.record(id, passing_result("192.0.2.20", {"b.example", "a.example"}, 300));
  EXPECT_EQ(last_change(), 200.0) << "order does not matter";
  store.record(id, failed_lookup_result("192.0.2.20", checks::LookupStatus::timeout, 400));
  EXPECT_EQ(last_change(), 200.0) << "a timeout is not a change";
  store.record(id, passing_result("192.0.2.20", {"a.example", "b.example"}, 500));
  EXPECT_EQ(last_change(), 200.0) << "same set after an error is not a change";
  store.record(id, passing_result("192.0.2.20", {"a.example"}, 600));
  EXPECT_EQ(last_change(), 600.0);
  store.record(id, missing_ptr_result("192.0.2.20", 700));
  EXPECT_EQ(last_change(), 700.0) << "losing the PTR is a change";
}

TEST(AgentResultStore, ReloadKeepsUnchangedTargetsAndDropsRemovedOnes) {
  ResultStore store;
  auto ids = store.set_targets({target("192.0.2.1"), target("192.0.2.2"), target("192.0.2.3")});
  for (const auto& id : ids) store.record(id.id, passing_result(id.ip, {"h.example"}));
  EXPECT_TRUE(store.first_cycle_done());

  config::Target changed = target("192.0.2.2");
  changed.expected_hostname = "other.example";
  auto new_ids = store.set_targets({target("192.0.2.1", {{"pool", "new"}}), changed, target("192.0.2.9")});
  EXPECT_EQ(id_of(new_ids, "192.0.2.1"), id_of(ids, "192.0.2.1")) << "unchanged target keeps its id";
  EXPECT_NE(id_of(new_ids, "192.0.2.2"), id_of(ids, "192.0.2.2")) << "changed expectation: a new target";
  EXPECT_FALSE(store.record(id_of(ids, "192.0.2.3"), passing_result("192.0.2.3", {"h.example"})))
      << "a late result of a removed target is dropped";
  EXPECT_FALSE(store.record(id_of(ids, "192.0.2.2"), passing_result("192.0.2.2", {"h.example"})))
      << "a late result for the old identity is dropped";

  const auto parsed = parse_exposition(text_of(store));
  ASSERT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.value("rdns_check_success", {{"ip", "192.0.2.1"}, {"pool", "new"}}), 1.0) << "kept, relabelled";
  EXPECT_TRUE(parsed.find("rdns_check_success", {{"ip", "192.0.2.2"}}).empty());
  EXPECT_TRUE(parsed.find("rdns_ptr_lookup_status", {{"ip", "192.0.2.3"}}).empty()) << "removed: no series";
  EXPECT_TRUE(store.first_cycle_done()) << "readiness latches";
  auto request = store.request_for(id_of(new_ids, "192.0.2.2"));
  ASSERT_TRUE(request);
  EXPECT_EQ(request->expected_hostname, "other.example");
}

TEST(AgentResultStore, ReadyOnlyWhenEveryTargetHasAResult) {
  ResultStore store;
  auto ids = store.set_targets({target("192.0.2.1"), target("192.0.2.2")});
  EXPECT_FALSE(store.first_cycle_done());
  store.record(ids[0].id, passing_result("192.0.2.1", {"h.example"}));
  EXPECT_FALSE(store.first_cycle_done());
  store.record(ids[1].id, failed_lookup_result("192.0.2.2", checks::LookupStatus::servfail));
  EXPECT_TRUE(store.first_cycle_done()) << "a failed lookup is a result too";
}

TEST(AgentResultStore, StatusPageRowsCarryTheRemediationInputs) {
  ResultStore store;
  config::Target t = target("192.0.2.3");
  t.expected_hostname = "mail.example.com";
  auto ids = store.set_targets({t, target("192.0.2.4")});
  store.record(ids[0].id, missing_ptr_result("192.0.2.3"));
  StatusPageQuery query;
  query.limit = 10;
  const auto snapshot = store.snapshot();
  const auto model = select_status_rows(snapshot.rows, query);
  ASSERT_EQ(model.shown.size(), 2u);
  ASSERT_EQ(model.shown[0].status.target.ip, "192.0.2.3");  // failing first
  const TargetStatus rows[] = {model.shown[0].status, model.shown[1].status};
  ASSERT_TRUE(rows[0].result);
  EXPECT_EQ(rows[0].result->ptr_status, checks::LookupStatus::nxdomain);
  EXPECT_EQ(rows[0].result->ptr_present, false);
  EXPECT_EQ(rows[0].result->expected_hostname, "mail.example.com");
  ASSERT_TRUE(rows[0].result->reverse_zone_soa);
  EXPECT_EQ(rows[0].result->reverse_zone_soa->primary_ns, "ns1.example.net");
  EXPECT_FALSE(rows[1].result);
}

}  // namespace
}  // namespace rdns::agent

namespace rdns::agent {
namespace {

TEST(AgentTargetRecord, FailureDetailsSurviveTheCompactForm) {
  checks::CheckResult result = testing::passing_result("192.0.2.30", {"a.example", "b\\032c.example"});
  result.success = false;
  result.generic = checks::GenericVerdict{true, 0.9, "embeds IP (dynamic)"};
  result.ptr_detail = "odd\x1f text";
  result.ptr_canonical_name = "30.16-31.2.0.192.in-addr.arpa.";
  result.forward[1].status = checks::LookupStatus::servfail;
  result.forward[1].addresses = {};
  result.forward[1].confirms = false;
  result.forward[1].detail = "lame delegation";
  result.forward[0].addresses = {"192.0.2.30", "192.0.2.31"};
  result.forward_capped = true;
  checks::ForwardCheck helo;
  helo.hostname = "mx.example";
  helo.status = checks::LookupStatus::nxdomain;
  result.helo_forward = helo;
  result.reverse_zone_soa = checks::SoaInfo{"2.0.192.in-addr.arpa", "ns1.example.net", "hostmaster@example.net"};
  result.forward_zone_soa = checks::SoaInfo{"example", "ns.example", "admin@example"};

  const TargetRecord record = make_record(result);
  ASSERT_TRUE(record.details);
  EXPECT_LT(record.details->packed.size(), 300u);
  const checks::CheckResult back = to_check_result(record, "192.0.2.30");
  EXPECT_EQ(back.reverse_name, "30.2.0.192.in-addr.arpa.");
  EXPECT_EQ(back.ptr_hostnames, result.ptr_hostnames);
  EXPECT_EQ(back.ptr_detail, "odd? text");
  EXPECT_EQ(back.ptr_canonical_name, result.ptr_canonical_name);
  ASSERT_TRUE(back.generic);
  EXPECT_TRUE(back.generic->generic);
  EXPECT_EQ(back.generic->reason, "embeds IP (dynamic)");
  ASSERT_EQ(back.forward.size(), 2u);
  EXPECT_EQ(back.forward[0].hostname, "a.example");
  EXPECT_EQ(back.forward[0].addresses, (std::vector<std::string>{"192.0.2.30", "192.0.2.31"}));
  EXPECT_TRUE(back.forward[0].confirms);
  EXPECT_EQ(back.forward[1].hostname, "b\\032c.example");
  EXPECT_EQ(back.forward[1].status, checks::LookupStatus::servfail);
  EXPECT_TRUE(back.forward[1].addresses.empty());
  EXPECT_EQ(back.forward[1].detail, "lame delegation");
  EXPECT_TRUE(back.forward_capped);
  ASSERT_TRUE(back.helo_forward);
  EXPECT_EQ(back.helo_forward->status, checks::LookupStatus::nxdomain);
  EXPECT_EQ(back.reverse_zone_soa, result.reverse_zone_soa);
  EXPECT_EQ(back.forward_zone_soa, result.forward_zone_soa);
  EXPECT_EQ(back.success, false);
  EXPECT_EQ(back.fcrdns_pass, true);
  EXPECT_EQ(back.ptr_ttl, 3600u);
}

TEST(AgentTargetRecord, CleanPassKeepsNoDetails) {
  const TargetRecord record = make_record(testing::passing_result("192.0.2.31", {"mail.example"}));
  EXPECT_FALSE(record.details);
  // 96 bytes of check results + 16 for the pointer to the zone-server result its zone's IPs
  // share (1 MB at a /16).
  EXPECT_LE(sizeof(TargetRecord), 112u);
}

}  // namespace
}  // namespace rdns::agent

namespace rdns::agent {
namespace {

using namespace rdns::agent::testing;
using rdns::agent::testing::parse_exposition;

std::string all_text_of(const ResultStore& store) {
  const auto snapshot = store.snapshot();
  const auto rows = exposition_rows(snapshot);
  metrics::TextSink sink;
  metrics::emit_target_families(rows, sink);
  metrics::emit_target_aggregates(rows, sink);
  sink.finish();
  return sink.text();
}

config::Target entry_target(std::string ip, std::string entry) {
  config::Target t;
  t.ip = std::move(ip);
  t.entry = std::move(entry);
  return t;
}

// A resolver hiccup after a decisive answer: the verdicts stay (so alerts keep their for:
// timers), the lookup status shows the failure, and the verdict timestamp says when the
// verdicts were decided.
TEST(AgentContinuity, VerdictsSurviveFailedLookupsWithTheirTimestamp) {
  ResultStore store;
  auto ids = store.set_targets({target("192.0.2.11"), target("192.0.2.12")});
  ASSERT_TRUE(store.record(ids[0].id, missing_ptr_result("192.0.2.11", 1700000100.0)));
  ASSERT_TRUE(store.record(ids[0].id, failed_lookup_result("192.0.2.11", checks::LookupStatus::timeout, 1700000400.0)));
  ASSERT_TRUE(
      store.record(ids[1].id, failed_lookup_result("192.0.2.12", checks::LookupStatus::servfail, 1700000400.0)));

  const auto parsed = parse_exposition(all_text_of(store));
  ASSERT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.value("rdns_ptr_present", {{"ip", "192.0.2.11"}}), 0.0) << "the missing PTR stays reported";
  EXPECT_EQ(parsed.value("rdns_check_success", {{"ip", "192.0.2.11"}}), 0.0);
  EXPECT_EQ(parsed.value("rdns_ptr_lookup_status", {{"ip", "192.0.2.11"}, {"status", "timeout"}}), 1.0);
  EXPECT_EQ(parsed.value("rdns_verdict_timestamp_seconds", {{"ip", "192.0.2.11"}}), 1700000100.0);
  EXPECT_EQ(parsed.value("rdns_last_check_timestamp_seconds", {{"ip", "192.0.2.11"}}), 1700000400.0);

  // Never decisive: no verdict at all, only the lookup status (the contract's rule).
  EXPECT_TRUE(parsed.find("rdns_check_success", {{"ip", "192.0.2.12"}}).empty());
  EXPECT_TRUE(parsed.find("rdns_ptr_present", {{"ip", "192.0.2.12"}}).empty());
  EXPECT_TRUE(parsed.find("rdns_verdict_timestamp_seconds", {{"ip", "192.0.2.12"}}).empty());
  EXPECT_EQ(parsed.value("rdns_ptr_lookup_status", {{"ip", "192.0.2.12"}, {"status", "servfail"}}), 1.0);
}

// The HELO lookup is one of the lookups a verdict depends on: when it alone fails (PTR and
// forward answered), helo_match and check_success must stay at their last decisive values, not
// vanish for a check (which would reset RdnsHeloMismatch's for: timer).
TEST(AgentContinuity, AFailedHeloLookupKeepsTheVerdicts) {
  auto with_helo = [](checks::LookupStatus helo_status, double at) {
    checks::CheckResult result = passing_result("192.0.2.10", {"mail.example.com"}, at);
    result.helo_hostname = "mail.example.com";
    checks::ForwardCheck helo;
    helo.hostname = "mail.example.com";
    helo.status = helo_status;
    helo.confirms = helo_status == checks::LookupStatus::ok;
    if (helo.confirms) helo.addresses = {"192.0.2.10"};
    result.helo_forward = helo;
    result.helo_match = helo.confirms ? std::optional<bool>(true) : std::nullopt;
    result.success = result.helo_match;  // what evaluate() says: undecided without the HELO answer
    return result;
  };
  EXPECT_TRUE(is_decisive(with_helo(checks::LookupStatus::ok, 1700000100.0)));
  EXPECT_FALSE(is_decisive(with_helo(checks::LookupStatus::timeout, 1700000100.0)));
  EXPECT_FALSE(is_decisive(with_helo(checks::LookupStatus::servfail, 1700000100.0)));

  ResultStore store;
  auto ids = store.set_targets({entry_target("192.0.2.10", "192.0.2.10")});
  ASSERT_TRUE(store.record(ids[0].id, with_helo(checks::LookupStatus::ok, 1700000100.0)));
  ASSERT_TRUE(store.record(ids[0].id, with_helo(checks::LookupStatus::timeout, 1700000200.0)));
  const auto parsed = parse_exposition(all_text_of(store));
  ASSERT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.value("rdns_helo_match", {{"ip", "192.0.2.10"}}), 1.0);
  EXPECT_EQ(parsed.value("rdns_check_success", {{"ip", "192.0.2.10"}}), 1.0);
  EXPECT_EQ(parsed.value("rdns_verdict_timestamp_seconds", {{"ip", "192.0.2.10"}}), 1700000100.0);
  EXPECT_EQ(parsed.value("rdns_last_check_timestamp_seconds", {{"ip", "192.0.2.10"}}), 1700000200.0);
  EXPECT_EQ(parsed.value("rdns_target_ips", {{"target", "192.0.2.10"}, {"result", "pass"}}), 1.0)
      << "still counted as passing, not undecided";
}

TEST(AgentContinuity, ADecisiveAnswerReplacesKeptVerdictsAndCountsAsAChange) {
  ResultStore store;
  auto ids = store.set_targets({target("192.0.2.10")});
  ASSERT_TRUE(store.record(ids[0].id, passing_result("192.0.2.10", {"mail.example.com"}, 1700000100.0)));
  ASSERT_TRUE(
      store.record(ids[0].id, failed_lookup_result("192.0.2.10", checks::LookupStatus::servfail, 1700000200.0)));
  auto parsed = parse_exposition(all_text_of(store));
  EXPECT_EQ(parsed.value("rdns_ptr_info", {{"ip", "192.0.2.10"}, {"hostname", "mail.example.com"}}), 1.0);
  EXPECT_EQ(parsed.value("rdns_ptr_records", {{"ip", "192.0.2.10"}}), 1.0);
  EXPECT_EQ(parsed.value("rdns_ptr_last_change_timestamp_seconds", {{"ip", "192.0.2.10"}}), 1700000100.0);

  ASSERT_TRUE(store.record(ids[0].id, passing_result("192.0.2.10", {"other.example.com"}, 1700000300.0)));
  parsed = parse_exposition(all_text_of(store));
  EXPECT_TRUE(parsed.find("rdns_ptr_info", {{"hostname", "mail.example.com"}}).empty());
  EXPECT_EQ(parsed.value("rdns_ptr_info", {{"ip", "192.0.2.10"}, {"hostname", "other.example.com"}}), 1.0);
  EXPECT_EQ(parsed.value("rdns_verdict_timestamp_seconds", {{"ip", "192.0.2.10"}}), 1700000300.0);
  EXPECT_EQ(parsed.value("rdns_ptr_last_change_timestamp_seconds", {{"ip", "192.0.2.10"}}), 1700000300.0);
}

TEST(AgentContinuity, TargetIpsPerEntryAddUpToTheEntry) {
  ResultStore store;
  const std::string net = "198.51.100.0/30";
  auto ids = store.set_targets({entry_target("198.51.100.0", net), entry_target("198.51.100.1", net),
                                entry_target("198.51.100.2", net), entry_target("198.51.100.3", net),
                                entry_target("192.0.2.10", "192.0.2.10")});
  ASSERT_TRUE(store.record(ids[0].id, passing_result("198.51.100.0", {"a.example.com"})));
  ASSERT_TRUE(store.record(ids[1].id, missing_ptr_result("198.51.100.1")));
  ASSERT_TRUE(store.record(ids[2].id, failed_lookup_result("198.51.100.2", checks::LookupStatus::timeout)));
  const auto parsed = parse_exposition(all_text_of(store));
  ASSERT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.value("rdns_target_ips", {{"target", net}, {"result", "pass"}}), 1.0);
  EXPECT_EQ(parsed.value("rdns_target_ips", {{"target", net}, {"result", "fail"}}), 1.0);
  EXPECT_EQ(parsed.value("rdns_target_ips", {{"target", net}, {"result", "undecided"}}), 1.0);
  EXPECT_EQ(parsed.value("rdns_target_ips", {{"target", net}, {"result", "pending"}}), 1.0);
  EXPECT_EQ(parsed.value("rdns_target_ips", {{"target", "192.0.2.10"}, {"result", "pending"}}), 1.0);
  EXPECT_EQ(parsed.value("rdns_target_info", {{"ip", "198.51.100.3"}, {"target", net}}), 1.0);
  EXPECT_EQ(parsed.find("rdns_target_info").size(), 5u);
}

}  // namespace
}  // namespace rdns::agent

namespace rdns::agent::metrics {
namespace {

// Label values are appended in runs between escapes: escapes first, last, adjacent, alone.
TEST(AgentExposition, LabelValueEscapesAtEveryPosition) {
  const std::pair<std::string, std::string> cases[] = {
      {"", ""},
      {"198.51.100.7", "198.51.100.7"},
      {"\\", "\\\\"},
      {"\"", "\\\""},
      {"\n", "\\n"},
      {"a\"b", "a\\\"b"},
      {"\"start", "\\\"start"},
      {"end\\", "end\\\\"},
      {"\\\"\n", "\\\\\\\"\\n"},
      {"x\n\ny", "x\\n\\ny"},
      {std::string("nul\0byte", 8), std::string("nul\0byte", 8)},  // only \, " and LF are escaped
  };
  for (const auto& [value, expected] : cases) {
    std::string out = "prefix=";
    append_escaped_label_value(out, value);
    EXPECT_EQ(out, "prefix=" + expected);
  }
}

}  // namespace
}  // namespace rdns::agent::metrics
