// The zone-server families from the stored results: one series per zone and server address
// (the newest survey of a zone wins), 0 for lame and unreachable, serials only for answering
// servers; rdns_ptr_consistent per IP; and the store keeps the last decided consistency when a
// later survey cannot decide (a resolver or network problem changes nothing).
#include <gtest/gtest.h>

#include "agent/metrics/exposition_writer.hpp"
#include "agent/metrics/target_families.hpp"
#include "agent/metrics/zone_families.hpp"
#include "agent/store/target_record.hpp"

namespace rdns::agent {
namespace {

std::shared_ptr<const checks::ZoneSurvey> survey(double at, std::uint32_t serial, checks::ServerState second) {
  auto s = std::make_shared<checks::ZoneSurvey>();
  s->zone = "1.18.198.in-addr.arpa";
  s->surveyed_at = at;
  s->servers = {{"ns1.example.net", "192.0.2.53", checks::ServerState::answering, "", serial},
                {"ns2.example.net", "2001:db8::53", second, second == checks::ServerState::lame ? "REFUSED" : "", 0}};
  return s;
}

std::shared_ptr<const checks::PtrConsistency> consistency(checks::Consistency state,
                                                          std::shared_ptr<const checks::ZoneSurvey> zone) {
  auto c = std::make_shared<checks::PtrConsistency>();
  c->state = state;
  if (zone) c->zones.push_back(std::move(zone));
  return c;
}

TEST(ZoneFamilies, NewestSurveyPerZoneAndStatesAsGauges) {
  TargetRecord older;
  older.consistency = consistency(checks::Consistency::consistent, survey(100, 7, checks::ServerState::answering));
  TargetRecord newer;
  newer.consistency = consistency(checks::Consistency::inconsistent, survey(200, 8, checks::ServerState::lame));
  const std::vector<metrics::TargetRow> rows = {{"198.18.1.10", "198.18.1.0/24", nullptr, &older, {}, {}},
                                                {"198.18.1.11", "198.18.1.0/24", nullptr, &newer, {}, {}}};
  metrics::TextSink sink;
  metrics::emit_zone_families(rows, sink);
  metrics::emit_target_families(rows, sink);
  sink.finish();
  const std::string& text = sink.text();
  EXPECT_NE(text.find("rdns_zone_nameserver_up{zone=\"1.18.198.in-addr.arpa\",nameserver=\"ns1.example.net\","
                      "address=\"192.0.2.53\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("rdns_zone_nameserver_up{zone=\"1.18.198.in-addr.arpa\",nameserver=\"ns2.example.net\","
                      "address=\"2001:db8::53\"} 0\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("rdns_zone_serial{zone=\"1.18.198.in-addr.arpa\",nameserver=\"ns1.example.net\","
                      "address=\"192.0.2.53\"} 8\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("nameserver=\"ns1.example.net\",address=\"192.0.2.53\"} 7"), std::string::npos)
      << "only the newest survey of a zone";
  EXPECT_EQ(text.find("rdns_zone_serial{zone=\"1.18.198.in-addr.arpa\",nameserver=\"ns2"), std::string::npos)
      << "no serial for a lame server";
  EXPECT_NE(text.find("rdns_ptr_consistent{ip=\"198.18.1.10\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("rdns_ptr_consistent{ip=\"198.18.1.11\"} 0\n"), std::string::npos) << text;
}

TEST(ZoneFamilies, UndecidedSurveyKeepsTheLastDecidedConsistency) {
  const auto decided = consistency(checks::Consistency::inconsistent, survey(100, 7, checks::ServerState::answering));
  const auto undecided = consistency(checks::Consistency::undecidable, nullptr);
  EXPECT_EQ(kept_consistency(decided, undecided), decided);
  EXPECT_EQ(kept_consistency(decided, nullptr), decided);
  const auto now_consistent = consistency(checks::Consistency::consistent, nullptr);
  EXPECT_EQ(kept_consistency(decided, now_consistent), now_consistent);
  EXPECT_EQ(kept_consistency(nullptr, undecided), undecided);
}

}  // namespace
}  // namespace rdns::agent
