// ZoneSurveyor over a scripted resolver and a scripted querier: the cost per zone (one zone cut
// per parent name, one survey per zone and interval), a dead server asked once for every zone
// it serves in an interval, and a survey started too close to the deadline left undecided.
#include <future>
#include <map>
#include <mutex>

#include <gtest/gtest.h>

#include "checks/zone/zone_surveyor.hpp"
#include "tests/checks/fakes/fake_resolver.hpp"

namespace rdns::checks::zone {
namespace {

using testing::FakeResolver;

// Answers SOA questions from a table: address -> serial (absent: the address times out).
class FakeQuerier final : public ServerQuerier {
public:
  explicit FakeQuerier(std::map<std::string, std::uint32_t> serials) : m_serials(std::move(serials)) {}
  void ask(const std::string& address, std::uint16_t, const std::string& name, RrType, Deadline, Done done) override {
    {
      std::lock_guard lock(m_mutex);
      ++m_asked[address];
    }
    auto it = m_serials.find(address);
    if (it == m_serials.end()) return done(ServerReply{ServerReply::Outcome::timeout, {}, "no reply"});
    ServerReply reply{ServerReply::Outcome::reply, {}, {}};
    reply.reply.authoritative = true;
    reply.reply.answer.push_back(
        ReplyRecord{name, static_cast<std::uint16_t>(RrType::SOA), "ns. host. 1 2 3 4 5", it->second});
    done(std::move(reply));
  }
  int asked(const std::string& address) {
    std::lock_guard lock(m_mutex);
    return m_asked[address];
  }

private:
  std::map<std::string, std::uint32_t> m_serials;
  std::mutex m_mutex;
  std::map<std::string, int> m_asked;
};

DnsAnswer nodata_in(const std::string& zone) {
  DnsAnswer answer = testing::answer_status(LookupStatus::nodata);
  answer.authority_soa = SoaInfo{zone, "ns1.example.net", "hostmaster@example.net"};
  return answer;
}

// Zones 1.18.198 and 2.18.198, both served by ns1 (192.0.2.53, answers) and ns2 (192.0.2.54, dead).
void script_world(FakeResolver& resolver) {
  for (const char* zone : {"1.18.198.in-addr.arpa", "2.18.198.in-addr.arpa"}) {
    for (int host : {10, 11}) {
      resolver.script(std::to_string(host) + "." + zone + ".", RrType::SOA, nodata_in(zone));
    }
    resolver.script(std::string(zone) + ".", RrType::NS, testing::answer_ok({"ns1.example.net.", "ns2.example.net."}));
  }
  resolver.script("ns1.example.net.", RrType::A, testing::answer_ok({"192.0.2.53"}));
  resolver.script("ns2.example.net.", RrType::A, testing::answer_ok({"192.0.2.54"}));
  resolver.script("ns1.example.net.", RrType::AAAA, testing::answer_status(LookupStatus::nodata));
  resolver.script("ns2.example.net.", RrType::AAAA, testing::answer_status(LookupStatus::nodata));
}

std::shared_ptr<const PtrConsistency> check(ZoneSurveyor& surveyor, const std::string& name,
                                            std::chrono::milliseconds budget = std::chrono::seconds(5)) {
  std::promise<std::shared_ptr<const PtrConsistency>> got;
  surveyor.check(name, "", std::chrono::steady_clock::now() + budget, std::chrono::minutes(5),
                 [&](std::shared_ptr<const PtrConsistency> c) { got.set_value(std::move(c)); });
  return got.get_future().get();
}

std::size_t queries(FakeResolver& resolver, RrType type) {
  std::size_t n = 0;
  for (const auto& q : resolver.queries()) n += q.type == type ? 1 : 0;
  return n;
}

TEST(ZoneSurveyor, OneCutPerParentOneSurveyPerZoneAndADeadServerAskedOnce) {
  FakeResolver resolver;
  script_world(resolver);
  FakeQuerier querier({{"192.0.2.53", 7}});
  ZoneSurveyor surveyor(resolver, querier, 53);
  for (const char* name : {"10.1.18.198.in-addr.arpa.", "11.1.18.198.in-addr.arpa.", "10.2.18.198.in-addr.arpa."}) {
    auto c = check(surveyor, name);
    ASSERT_EQ(c->state, Consistency::consistent) << name << ": " << c->reason;
    ASSERT_EQ(c->zones.size(), 1u);
    const auto& servers = c->zones[0]->servers;
    ASSERT_EQ(servers.size(), 2u);
    EXPECT_EQ(servers[1].state, ServerState::unreachable);
    EXPECT_EQ(servers[1].reason, "timeout");
  }
  EXPECT_EQ(queries(resolver, RrType::SOA), 2u) << "one zone cut per /24, not per IP";
  EXPECT_EQ(queries(resolver, RrType::NS), 2u) << "one survey per zone";
  EXPECT_EQ(querier.asked("192.0.2.53"), 2) << "each zone's SOA from the live server";
  EXPECT_EQ(querier.asked("192.0.2.54"), 1) << "the dead server waited for once, not once per zone";
  // The same consistent result object backs the IPs of one zone.
  EXPECT_EQ(check(surveyor, "10.1.18.198.in-addr.arpa.").get(), check(surveyor, "11.1.18.198.in-addr.arpa.").get());
}

TEST(ZoneSurveyor, NoTimeLeftToWaitForAServerIsUndecided) {
  FakeResolver resolver;
  script_world(resolver);
  FakeQuerier querier({{"192.0.2.53", 7}});
  ZoneSurveyor surveyor(resolver, querier, 53);
  auto c = check(surveyor, "10.1.18.198.in-addr.arpa.", std::chrono::milliseconds(300));
  EXPECT_EQ(c->state, Consistency::undecidable);
  EXPECT_NE(c->reason.find("too little time"), std::string::npos) << c->reason;
  // Not remembered: a later check with time to wait asks both servers again.
  auto again = check(surveyor, "10.1.18.198.in-addr.arpa.");
  EXPECT_EQ(again->state, Consistency::consistent) << again->reason;
  EXPECT_EQ(querier.asked("192.0.2.54"), 2);
}

TEST(ZoneSurveyor, ResolverFailureIsUndecidedNeverAServerVerdict) {
  FakeResolver resolver;
  resolver.script("10.1.18.198.in-addr.arpa.", RrType::SOA, testing::answer_status(LookupStatus::servfail));
  FakeQuerier querier({});
  ZoneSurveyor surveyor(resolver, querier, 53);
  auto c = check(surveyor, "10.1.18.198.in-addr.arpa.");
  EXPECT_EQ(c->state, Consistency::undecidable);
  EXPECT_TRUE(c->zones.empty());
  EXPECT_NE(c->reason.find("servfail"), std::string::npos) << c->reason;
}

}  // namespace
}  // namespace rdns::checks::zone
