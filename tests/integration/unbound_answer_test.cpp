// unbound::classify: ub_result -> DnsAnswer, with hand-built results (no network). Lives here
// because it needs libunbound's header; it is a unit test (label unit).
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "checks/unbound/unbound_handles.hpp"

namespace rdns::checks::unbound {
namespace {

class FakeResult {
public:
  FakeResult(std::string qname, int rcode) : m_qname(std::move(qname)) {
    m_result.qname = m_qname.data();
    m_result.rcode = rcode;
    m_result.nxdomain = rcode == 3;
  }
  FakeResult& rdata(std::vector<char> bytes) {
    m_rdata.push_back(std::move(bytes));
    return *this;
  }
  FakeResult& canonname(std::string name) {
    m_canon = std::move(name);
    return *this;
  }
  FakeResult& why_bogus(std::string why) {
    m_why = std::move(why);
    return *this;
  }
  FakeResult& packet(std::vector<char> bytes) {
    m_packet = std::move(bytes);
    return *this;
  }
  ub_result* get(bool secure = false, bool bogus = false, int ttl = 300) {
    m_data.clear();
    m_len.clear();
    for (auto& r : m_rdata) {
      m_data.push_back(r.data());
      m_len.push_back(static_cast<int>(r.size()));
    }
    m_data.push_back(nullptr);
    m_len.push_back(0);
    m_result.data = m_data.data();
    m_result.len = m_len.data();
    m_result.havedata = m_rdata.empty() ? 0 : 1;
    m_result.canonname = m_canon.empty() ? nullptr : m_canon.data();
    m_result.why_bogus = m_why.empty() ? nullptr : m_why.data();
    m_result.answer_packet = m_packet.empty() ? nullptr : m_packet.data();
    m_result.answer_len = static_cast<int>(m_packet.size());
    m_result.secure = secure;
    m_result.bogus = bogus;
    m_result.ttl = ttl;
    return &m_result;
  }

private:
  std::string m_qname, m_canon, m_why;
  std::vector<std::vector<char>> m_rdata;
  std::vector<char*> m_data;
  std::vector<int> m_len;
  std::vector<char> m_packet;
  ub_result m_result{};
};

std::vector<char> name(std::initializer_list<const char*> labels) {
  std::vector<char> out;
  for (const char* l : labels) {
    out.push_back(static_cast<char>(std::strlen(l)));
    out.insert(out.end(), l, l + std::strlen(l));
  }
  out.push_back(0);
  return out;
}

TEST(Classify, OkPtrDecodedWithEscapes) {
  FakeResult r("10.2.0.192.in-addr.arpa.", 0);
  r.rdata(name({"mail", "example", "com"})).rdata(name({"bad name", "x"}));
  const auto a = classify(0, r.get(true), RrType::PTR);
  EXPECT_EQ(a.status, LookupStatus::ok);
  EXPECT_EQ(a.records, (std::vector<std::string>{"mail.example.com.", "bad\\032name.x."}));
  EXPECT_EQ(a.ttl, 300u);
  EXPECT_TRUE(a.secure);
  EXPECT_EQ(a.canonical_name, "");
}

TEST(Classify, BogusIsTestedBeforeData) {
  FakeResult r("x.", 0);
  r.rdata(name({"looks", "fine"})).why_bogus("signature crypto failed");
  const auto a = classify(0, r.get(true, true), RrType::PTR);
  EXPECT_EQ(a.status, LookupStatus::bogus);
  EXPECT_TRUE(a.records.empty());
  EXPECT_FALSE(a.secure);  // never secure when bogus
  EXPECT_EQ(a.detail, "signature crypto failed");
}

TEST(Classify, RcodesAndNegativeAnswers) {
  FakeResult refused("x.", 5);
  EXPECT_EQ(classify(0, refused.get(), RrType::PTR).status, LookupStatus::refused);
  FakeResult servfail("x.", 2);
  EXPECT_EQ(classify(0, servfail.get(), RrType::PTR).status, LookupStatus::servfail);
  FakeResult nx("x.", 3);
  EXPECT_EQ(classify(0, nx.get(), RrType::PTR).status, LookupStatus::nxdomain);
  FakeResult nodata("x.", 0);
  EXPECT_EQ(classify(0, nodata.get(), RrType::PTR).status, LookupStatus::nodata);
  FakeResult notimp("x.", 4);
  const auto a = classify(0, notimp.get(), RrType::PTR);
  EXPECT_EQ(a.status, LookupStatus::error);
  EXPECT_NE(a.detail.find('4'), std::string::npos);
}

TEST(Classify, ErrorsFromLibunbound) {
  const auto a = classify(UB_NOMEM, nullptr, RrType::A);
  EXPECT_EQ(a.status, LookupStatus::error);
  EXPECT_FALSE(a.detail.empty());
}

TEST(Classify, CanonicalNameOnlyWhenCnamesFollowed) {
  FakeResult same("Alias.Example.", 0);
  same.rdata({'\xc0', 0, 2, 19}).canonname("alias.example.");
  EXPECT_EQ(classify(0, same.get(), RrType::A).canonical_name, "");
  FakeResult followed("alias.example.", 0);
  followed.rdata({'\xc0', 0, 2, 19}).canonname("real.example.");
  const auto a = classify(0, followed.get(), RrType::A);
  EXPECT_EQ(a.canonical_name, "real.example.");
  EXPECT_EQ(a.records, std::vector<std::string>{"192.0.2.19"});
}

TEST(Classify, UndecodableRdataIsAnErrorNotAVerdict) {
  FakeResult r("x.", 0);
  r.rdata({5, 'a', 'b'});  // truncated name
  const auto a = classify(0, r.get(), RrType::PTR);
  EXPECT_EQ(a.status, LookupStatus::error);
  EXPECT_TRUE(a.records.empty());
  FakeResult short_a("x.", 0);
  short_a.rdata({1, 2, 3});
  EXPECT_EQ(classify(0, short_a.get(), RrType::A).status, LookupStatus::error);
}

TEST(Classify, AuthoritySoaOfANegativeAnswer) {
  // NXDOMAIN for a.zone. with "zone. SOA ns.zone. hm.zone. ..." in authority, uncompressed.
  std::vector<char> p = {0, 1, char(0x81), char(0x83), 0, 1, 0, 0, 0, 1, 0, 0};
  const auto q = name({"a", "zone"});
  p.insert(p.end(), q.begin(), q.end());
  p.insert(p.end(), {0, 12, 0, 1});
  const auto owner = name({"zone"});
  p.insert(p.end(), owner.begin(), owner.end());
  std::vector<char> rdata = name({"ns", "zone"});
  const auto rname = name({"hm", "zone"});
  rdata.insert(rdata.end(), rname.begin(), rname.end());
  rdata.insert(rdata.end(), 20, 0);
  p.insert(p.end(), {0, 6, 0, 1, 0, 0, 0, 60, 0, static_cast<char>(rdata.size())});
  p.insert(p.end(), rdata.begin(), rdata.end());
  FakeResult r("a.zone.", 3);
  r.packet(p);
  const auto a = classify(0, r.get(), RrType::PTR);
  EXPECT_EQ(a.status, LookupStatus::nxdomain);
  ASSERT_TRUE(a.authority_soa.has_value());
  EXPECT_EQ(a.authority_soa->zone, "zone");
  EXPECT_EQ(a.authority_soa->primary_ns, "ns.zone");
  EXPECT_EQ(a.authority_soa->responsible, "hm@zone");
}

}  // namespace
}  // namespace rdns::checks::unbound
