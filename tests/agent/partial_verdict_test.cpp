// Partial verdicts: a check whose PTR answer was definitive but whose forward lookup was not (a
// lame forward zone) decides the PTR-level verdicts only. Those are shown with their time, kept
// through a later PTR timeout and a restart like a whole verdict, and never replace a whole one.
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "agent/store/result_store.hpp"
#include "agent/service/service.hpp"
#include "agent/state/state_file.hpp"
#include "tests/agent/agent_test_results.hpp"

namespace rdns::agent {
namespace {

using namespace rdns::agent::testing;

constexpr const char* k_ip = "192.0.2.40";

// PTR mail.example.org (secure), its A lookup SERVFAILed: no FCrDNS verdict, no success.
checks::CheckResult lame_forward_result(double checked_at) {
  auto result = passing_result(k_ip, {"mail.example.org"}, checked_at);
  result.forward.front().status = checks::LookupStatus::servfail;
  result.forward.front().addresses.clear();
  result.forward.front().confirms = false;
  result.forward_status = checks::LookupStatus::servfail;
  result.fcrdns_pass.reset();
  result.fcrdns_confirmed_names = 0;
  result.success.reset();
  result.dnssec_secure = true;
  return result;
}

std::string exposition(const ResultStore& store) {
  const auto snapshot = store.snapshot();
  const auto rows = exposition_rows(snapshot);
  std::string text;
  metrics::TextSink sink([&](std::string_view chunk) { text += chunk; });
  metrics::emit_target_families(rows, sink);
  sink.finish();
  return text;
}

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}

// Every PTR-level verdict of the lame-forward check, with its time.
void expect_partial_verdicts(const std::string& text, const std::string& verdict_time) {
  const std::string ip = std::string("ip=\"") + k_ip + "\"";
  EXPECT_TRUE(has_line(text, "rdns_ptr_present{" + ip + "} 1")) << text;
  EXPECT_TRUE(has_line(text, "rdns_ptr_info{" + ip + ",hostname=\"mail.example.org\"} 1")) << text;
  EXPECT_TRUE(has_line(text, "rdns_generic_hostname{" + ip + "} 0")) << text;
  EXPECT_TRUE(has_line(text, "rdns_dnssec_secure{" + ip + "} 1")) << text;
  EXPECT_TRUE(has_line(text, "rdns_verdict_timestamp_seconds{" + ip + "} " + verdict_time)) << text;
  EXPECT_TRUE(has_line(text, "rdns_ptr_last_change_timestamp_seconds{" + ip + "} " + verdict_time)) << text;
  EXPECT_EQ(text.find("rdns_check_success{" + ip), std::string::npos) << text;
  EXPECT_EQ(text.find("rdns_fcrdns_pass{" + ip), std::string::npos) << text;
}

class PartialVerdict : public ::testing::Test {
protected:
  void SetUp() override {
    config::Target target;
    target.ip = k_ip;
    m_id = m_store.set_targets({target}).front().id;
  }
  ResultStore m_store;
  std::uint64_t m_id = 0;
};

TEST_F(PartialVerdict, ShownWithItsTimeAndKeptThroughATimeoutAndARestart) {
  m_store.record(m_id, lame_forward_result(1700000123.5));
  expect_partial_verdicts(exposition(m_store), "1700000123.5");

  m_store.record(m_id, failed_lookup_result(k_ip, checks::LookupStatus::timeout, 1700000423.5));
  const std::string after_timeout = exposition(m_store);
  expect_partial_verdicts(after_timeout, "1700000123.5");
  EXPECT_TRUE(has_line(after_timeout, std::string("rdns_ptr_lookup_status{ip=\"") + k_ip + "\",status=\"timeout\"} 1"));

  // The restart: encode, decode, restore into a fresh store.
  const auto bytes = state::encode_state(state::persisted_targets(m_store.snapshot()), 1700000523.5);
  auto decoded = state::decode_state(bytes);
  ASSERT_TRUE(decoded) << decoded.error();
  ResultStore restarted;
  config::Target target;
  target.ip = k_ip;
  const auto id = restarted.set_targets({target}).front().id;
  ASSERT_EQ(restarted.restore(std::move(decoded->targets)), 1u);
  expect_partial_verdicts(exposition(restarted), "1700000123.5");

  // ...and a timeout after the restart keeps them still.
  restarted.record(id, failed_lookup_result(k_ip, checks::LookupStatus::timeout, 1700000723.5));
  expect_partial_verdicts(exposition(restarted), "1700000123.5");
}

TEST_F(PartialVerdict, AWholeVerdictReplacesItButAPartialOneNeverReplacesAWholeOne) {
  m_store.record(m_id, lame_forward_result(1700000123.5));
  m_store.record(m_id, passing_result(k_ip, {"mail.example.org"}, 1700000423.5));
  std::string text = exposition(m_store);
  EXPECT_TRUE(has_line(text, std::string("rdns_check_success{ip=\"") + k_ip + "\"} 1")) << text;
  EXPECT_TRUE(has_line(text, std::string("rdns_verdict_timestamp_seconds{ip=\"") + k_ip + "\"} 1700000423.5")) << text;

  // The forward zone goes lame again: the whole verdict (FCrDNS included) stays.
  m_store.record(m_id, lame_forward_result(1700000723.5));
  text = exposition(m_store);
  EXPECT_TRUE(has_line(text, std::string("rdns_check_success{ip=\"") + k_ip + "\"} 1")) << text;
  EXPECT_TRUE(has_line(text, std::string("rdns_fcrdns_pass{ip=\"") + k_ip + "\"} 1")) << text;
  EXPECT_TRUE(has_line(text, std::string("rdns_verdict_timestamp_seconds{ip=\"") + k_ip + "\"} 1700000423.5")) << text;
}

TEST_F(PartialVerdict, ALaterPartialOneReplacesAnEarlierPartialOne) {
  m_store.record(m_id, lame_forward_result(1700000123.5));
  auto renamed = lame_forward_result(1700000423.5);
  renamed.ptr_hostnames = {"smtp.example.org"};
  renamed.forward.front().hostname = "smtp.example.org";
  m_store.record(m_id, renamed);
  const std::string text = exposition(m_store);
  EXPECT_TRUE(has_line(text, std::string("rdns_ptr_info{ip=\"") + k_ip + "\",hostname=\"smtp.example.org\"} 1"))
      << text;
  EXPECT_TRUE(has_line(text, std::string("rdns_ptr_last_change_timestamp_seconds{ip=\"") + k_ip + "\"} 1700000423.5"))
      << text;
}

}  // namespace
}  // namespace rdns::agent
