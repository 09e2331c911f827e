// The SPF record parser and the choice of the SPF record among TXT records: a table of good
// records with what they parse to, and of bad ones with the exact message.
#include "checks/discovery/spf_record.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace rdns::checks::discovery {
namespace {

// A compact rendering of a parsed record: "+a:x.test/24//64 -ip4:192.0.2.0/24 ~all redirect=y".
std::string render(const SpfRecord& record) {
  std::string out;
  for (const auto& m : record.mechanisms) {
    if (!out.empty()) out += ' ';
    out += static_cast<char>(m.qualifier);
    out += to_string(m.kind);
    if (!m.domain.text.empty()) out += ":" + m.domain.text + (m.domain.has_macro ? "(macro)" : "");
    if (!m.network.empty()) out += ":" + m.network;
    if (m.kind == SpfMechanismKind::a || m.kind == SpfMechanismKind::mx) {
      if (m.cidr4 != 32) out += "/" + std::to_string(m.cidr4);
      if (m.cidr6 != 128) out += "//" + std::to_string(m.cidr6);
    }
  }
  if (record.redirect) out += " redirect=" + record.redirect->text + (record.redirect->has_macro ? "(macro)" : "");
  if (record.has_all) out += " [all]";
  return out;
}

struct Good {
  std::string record;
  std::string parsed;
};

TEST(SpfRecord, GoodRecords) {
  const std::vector<Good> table = {
      {"v=spf1", ""},
      {"V=SPF1 -ALL", "-all [all]"},
      {"v=spf1   ip4:192.0.2.1  ", "+ip4:192.0.2.1/32"},
      {"v=spf1 ip4:192.0.2.77/24 ip4:198.51.100.0/0", "+ip4:192.0.2.0/24 +ip4:0.0.0.0/0"},
      {"v=spf1 ip6:2001:DB8::1 ip6:2001:db8:0:0:1::/64", "+ip6:2001:db8::1/128 +ip6:2001:db8::/64"},
      {"v=spf1 ip6:::ffff:192.0.2.1/128", "+ip6:::ffff:192.0.2.1/128"},
      {"v=spf1 a mx -a:other.example.test ~mx:mail.example.test ?ptr",
       "+a +mx -a:other.example.test ~mx:mail.example.test ?ptr"},
      {"v=spf1 a/24 mx//64 a:x.example.test/24//48 mx:y.example.test.//0",
       "+a/24 +mx//64 +a:x.example.test/24//48 +mx:y.example.test.//0"},
      {"v=spf1 include:_spf.example.test Include:other.example.test",
       "+include:_spf.example.test +include:other.example.test"},
      {"v=spf1 exists:%{i}._spf.%{d} ptr:%{d2}", "+exists:%{i}._spf.%{d}(macro) +ptr:%{d2}(macro)"},
      {"v=spf1 a:%{ir}.%{v}._spf.%{d2r.-} include:x%%y.example.test",
       "+a:%{ir}.%{v}._spf.%{d2r.-}(macro) +include:x%%y.example.test(macro)"},
      {"v=spf1 redirect=_spf.example.test", " redirect=_spf.example.test"},
      {"v=spf1 -all redirect=_spf.example.test", "-all redirect=_spf.example.test [all]"},
      {"v=spf1 exp=explain.example.test foo=bar moo.cow-far_out=man:dog/cat ip4:192.0.2.1", "+ip4:192.0.2.1/32"},
      {"v=spf1 x-custom=%{l}", ""},
      {"v=spf1 all ip4:192.0.2.1", "+all +ip4:192.0.2.1/32 [all]"},
  };
  for (const auto& row : table) {
    SCOPED_TRACE(row.record);
    const auto parsed = parse_spf_record(row.record);
    ASSERT_TRUE(parsed.has_value()) << parsed.error();
    EXPECT_EQ(render(*parsed), row.parsed);
  }
}

struct Bad {
  std::string record;
  std::string message;
};

TEST(SpfRecord, BadRecordsNameTheTerm) {
  const std::vector<Bad> table = {
      {"v=spf10 -all", "not an SPF record (no v=spf1): \"v=spf10 -all\""},
      {" v=spf1", "not an SPF record (no v=spf1): \" v=spf1\""},
      {"spf2.0/pra -all", "not an SPF record (no v=spf1): \"spf2.0/pra -all\""},
      {"v=spf1 foo", "unknown mechanism \"foo\""},
      {"v=spf1 +redirect=x.example.test", "unknown mechanism \"+redirect=x.example.test\""},
      {"v=spf1 ip4:192.0.2.1/33", "bad term \"ip4:192.0.2.1/33\": cidr length above 32 or malformed"},
      {"v=spf1 ip4:192.0.2.1/024", "bad term \"ip4:192.0.2.1/024\": cidr length above 32 or malformed"},
      {"v=spf1 ip4:192.0.2", "bad term \"ip4:192.0.2\": not an IPv4 address"},
      {"v=spf1 ip4:192.0.2.01", "bad term \"ip4:192.0.2.01\": not an IPv4 address"},
      {"v=spf1 ip4:2001:db8::1", "bad term \"ip4:2001:db8::1\": not an IPv4 address"},
      {"v=spf1 ip4", "bad term \"ip4\": expected ':' and a network"},
      {"v=spf1 ip6:192.0.2.1", "bad term \"ip6:192.0.2.1\": not an IPv6 address"},
      {"v=spf1 ip6:2001:db8::/129", "bad term \"ip6:2001:db8::/129\": cidr length above 128 or malformed"},
      {"v=spf1 a/33", "bad term \"a/33\": ip4-cidr-length above 32 or malformed"},
      {"v=spf1 mx//129", "bad term \"mx//129\": ip6-cidr-length above 128 or malformed"},
      {"v=spf1 a:", "bad term \"a:\": empty domain"},
      {"v=spf1 a:localhost", "bad term \"a:localhost\": not a valid domain name"},
      {"v=spf1 a:example.123", "bad term \"a:example.123\": not a valid domain name"},
      {"v=spf1 a:x..example.test", "bad term \"a:x..example.test\": not a valid domain name"},
      {"v=spf1 include", "bad term \"include\": expected ':' and a domain"},
      {"v=spf1 include:example.test/24", "bad term \"include:example.test/24\": not a valid domain name"},
      {"v=spf1 exists", "bad term \"exists\": expected ':' and a domain"},
      {"v=spf1 ptr/24", "bad term \"ptr/24\": ptr takes no cidr length"},
      {"v=spf1 -all:x", "bad term \"-all:x\": all takes no argument"},
      {"v=spf1 a:%{x}.example.test", "bad term \"a:%{x}.example.test\": unknown macro letter 'x'"},
      {"v=spf1 a:%{c}.example.test", "bad term \"a:%{c}.example.test\": unknown macro letter 'c'"},
      {"v=spf1 exp=%{r}.example.test", "bad term \"exp=%{r}.example.test\": unknown macro letter 'r'"},
      {"v=spf1 a:%{d.example.test", "bad term \"a:%{d.example.test\": unterminated macro"},
      {"v=spf1 a:50%.example.test", "bad term \"a:50%.example.test\": '%' not followed by {, %, _ or -"},
      {"v=spf1 redirect=a.example.test redirect=b.example.test",
       "redirect= appears twice: \"redirect=b.example.test\""},
      {"v=spf1 exp=a.example.test exp=b.example.test", "exp= appears twice: \"exp=b.example.test\""},
      {"v=spf1 redirect=", "bad term \"redirect=\": empty domain"},
      {"v=spf1 foo=%", "bad term \"foo=%\": '%' at the end (write %% for a percent sign)"},
      {"v=spf1\tip4:192.0.2.1", "byte \\x09 at offset 6 is not printable ASCII: \"v=spf1\\x09ip4:192.0.2.1\""},
      {"v=spf1 a:\xc3\xa9.example.test",
       "byte \\xc3 at offset 9 is not printable ASCII: \"v=spf1 a:\\xc3\\xa9.example.test\""},
      {std::string("v=spf1 a\0b", 10), "byte \\x00 at offset 8 is not printable ASCII: \"v=spf1 a\\x00b\""},
      {"v=spf1 a:\"x\\\".example.test", "bad term \"a:\\\"x\\\\\\\".example.test\": not a valid domain name"},
  };
  for (const auto& row : table) {
    SCOPED_TRACE(row.record);
    const auto parsed = parse_spf_record(row.record);
    ASSERT_FALSE(parsed.has_value()) << render(*parsed);
    EXPECT_EQ(parsed.error(), row.message);
  }
}

TEST(SpfRecord, LongTextIsQuotedWithACap) {
  const std::string record = "v=spf1 " + std::string(400, 'x');
  const auto parsed = parse_spf_record(record);
  ASSERT_FALSE(parsed.has_value());
  EXPECT_LT(parsed.error().size(), 350u);
  EXPECT_EQ(parsed.error().substr(parsed.error().size() - 4), "\"...");
}

TEST(SpfRecord, Version) {
  EXPECT_TRUE(is_spf_record("v=spf1"));
  EXPECT_TRUE(is_spf_record("v=SPF1 -all"));
  EXPECT_FALSE(is_spf_record("v=spf1-all"));
  EXPECT_FALSE(is_spf_record("v=spf"));
  EXPECT_FALSE(is_spf_record(""));
}

TEST(SpfRecord, SelectionAmongTxtRecords) {
  auto s = select_spf_record({"google-site-verification=abc", "v=spf1 -all"});
  EXPECT_EQ(s.kind, SpfSelection::Kind::one);
  EXPECT_EQ(s.record, "v=spf1 -all");
  s = select_spf_record({"v=spf1 -all", "V=Spf1 ip4:192.0.2.1 -all", "other"});
  EXPECT_EQ(s.kind, SpfSelection::Kind::several);
  EXPECT_EQ(s.count, 2u);
  EXPECT_TRUE(s.record.empty());
  s = select_spf_record({"v=spf10", "spf2.0/pra", "x v=spf1"});
  EXPECT_EQ(s.kind, SpfSelection::Kind::none);
  s = select_spf_record({});
  EXPECT_EQ(s.kind, SpfSelection::Kind::none);
}

TEST(SpfRecord, Helpers) {
  EXPECT_EQ(spf_lookup_domain("Mail.Example.TEST."), "mail.example.test");
  EXPECT_EQ(spf_lookup_domain("_spf.example.test"), "_spf.example.test");
  EXPECT_FALSE(spf_lookup_domain("example"));
  EXPECT_FALSE(spf_lookup_domain("example.-test"));
  EXPECT_FALSE(spf_lookup_domain(std::string(64, 'a') + ".test"));
  EXPECT_EQ(spf_network("192.0.2.77", 24), "192.0.2.0/24");
  EXPECT_EQ(spf_network("192.0.2.77", 0), "0.0.0.0/0");
  EXPECT_EQ(spf_network("192.0.2.77", 31), "192.0.2.76/31");
  EXPECT_EQ(spf_network("2001:DB8:0:1::43", 64), "2001:db8:0:1::/64");
  EXPECT_EQ(spf_network("2001:db8::ff", 121), "2001:db8::80/121");
  EXPECT_FALSE(spf_network("192.0.2.1", 33));
  EXPECT_FALSE(spf_network("not an address", 24));
  EXPECT_EQ(quote_spf_text("a\"b\\c\x7f"), "\"a\\\"b\\\\c\\x7f\"");
}

}  // namespace
}  // namespace rdns::checks::discovery
