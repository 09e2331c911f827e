// checks/dns_wire: table-driven, with hostile bytes. Every case must be decoded or rejected
// without reading out of bounds (the ASan build checks that part).
#include "checks/dns_wire.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace rdns::checks::wire {
namespace {

using Buf = std::vector<std::uint8_t>;

Buf name_wire(const std::vector<std::string>& labels) {
  Buf out;
  for (const auto& l : labels) {
    out.push_back(static_cast<std::uint8_t>(l.size()));
    out.insert(out.end(), l.begin(), l.end());
  }
  out.push_back(0);
  return out;
}

struct NameCase {
  const char* what;
  Buf wire;
  const char* expected;  // nullptr: must be rejected
};

TEST(DecodeName, Table) {
  const std::vector<NameCase> cases = {
      {"simple", name_wire({"mail", "example", "com"}), "mail.example.com."},
      {"root", Buf{0}, "."},
      {"case kept", name_wire({"MiXeD", "Example"}), "MiXeD.Example."},
      {"hyphen underscore", name_wire({"a-b_c", "x"}), "a-b_c.x."},
      {"space", name_wire({"bad name", "x"}), "bad\\032name.x."},
      {"quotes", name_wire({"\"q\"", "x"}), "\\\"q\\\".x."},
      {"dot inside label", name_wire({"a.b", "x"}), "a\\.b.x."},
      {"backslash", name_wire({"a\\b"}), "a\\\\b."},
      {"specials", name_wire({"();@$"}), "\\(\\)\\;\\@\\$."},
      {"printable kept", name_wire({"*", "0/25", "a+b=c"}), "*.0/25.a+b=c."},
      {"control and high bytes", Buf{3, 0x00, 0x7f, 0xff, 0}, "\\000\\127\\255."},
      {"tab newline", Buf{2, '\t', '\n', 0}, "\\009\\010."},
      {"empty rdata", Buf{}, nullptr},
      {"no terminating root", Buf{3, 'a', 'b', 'c'}, nullptr},
      {"label runs past the end", Buf{5, 'a', 'b', 0}, nullptr},
      {"trailing bytes", Buf{1, 'a', 0, 0}, nullptr},
      {"compression pointer", Buf{1, 'a', 0xC0, 0x00}, nullptr},
      {"label type 01", Buf{0x40, 0}, nullptr},
      {"label type 10", Buf{0x80, 0}, nullptr},
      {"label of 64",
       [] {
         Buf b{64};
         b.insert(b.end(), 64, 'a');
         b.push_back(0);
         return b;
       }(),
       nullptr},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    const auto got = decode_name(c.wire);
    if (c.expected == nullptr) {
      EXPECT_FALSE(got) << "decoded as " << *got;
    } else {
      ASSERT_TRUE(got) << got.error();
      EXPECT_EQ(*got, c.expected);
    }
  }
}

TEST(DecodeName, LengthLimits) {
  const std::string l63(63, 'a');
  // 64*3 + 62 + 1 = 255 octets: the longest legal name.
  const auto max = name_wire({l63, l63, l63, std::string(61, 'b')});
  ASSERT_EQ(max.size(), 255u);
  const auto got = decode_name(max);
  ASSERT_TRUE(got) << got.error();
  EXPECT_EQ(got->size(), 63u * 3 + 61 + 4);
  const auto over = name_wire({l63, l63, l63, std::string(62, 'b')});
  ASSERT_EQ(over.size(), 256u);
  EXPECT_FALSE(decode_name(over));
  // Many tiny labels past 255 octets.
  Buf many;
  for (int i = 0; i < 200; ++i) {
    many.push_back(1);
    many.push_back('a');
  }
  many.push_back(0);
  EXPECT_FALSE(decode_name(many));
}

// Every prefix of a valid name and every single-byte corruption: decoded or rejected, never a
// crash or an out-of-bounds read.
TEST(DecodeName, TruncationsAndCorruptions) {
  const auto good = name_wire({"h01-xx", "example", "test"});
  for (std::size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(decode_name(Buf(good.begin(), good.begin() + static_cast<long>(n)))) << n;
  }
  for (std::size_t i = 0; i < good.size(); ++i) {
    for (int v = 0; v < 256; ++v) {
      Buf bad = good;
      bad[i] = static_cast<std::uint8_t>(v);
      [[maybe_unused]] const auto r = decode_name(bad);
    }
  }
}

Buf header(std::uint16_t qd, std::uint16_t an, std::uint16_t ns) {
  return Buf{0x12, 0x34,
             0x81, 0x83,
             0,    static_cast<std::uint8_t>(qd),
             0,    static_cast<std::uint8_t>(an),
             0,    static_cast<std::uint8_t>(ns),
             0,    0};
}

void append(Buf& b, const Buf& more) { b.insert(b.end(), more.begin(), more.end()); }
void u16(Buf& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}
void u32(Buf& b, std::uint32_t v) {
  u16(b, static_cast<std::uint16_t>(v >> 16));
  u16(b, static_cast<std::uint16_t>(v));
}

// NXDOMAIN for 11.2.0.192.in-addr.arpa. with the SOA of 2.0.192.in-addr.arpa. in the
// authority section, names compressed against the question as servers do.
Buf nxdomain_message() {
  Buf m = header(1, 0, 1);
  append(m, name_wire({"11", "2", "0", "192", "in-addr", "arpa"}));  // offset 12
  u16(m, 12);
  u16(m, 1);
  // owner: pointer to "2.0.192.in-addr.arpa." = offset 12 + 3 ("\x02" "11")
  m.push_back(0xC0);
  m.push_back(15);
  u16(m, 6);
  u16(m, 1);
  u32(m, 60);
  Buf rdata;
  append(rdata, name_wire({"ns1", "example", "test"}));
  // rname: "hostmaster" + pointer to "example.test." inside the mname (starts after "ns1")
  const std::size_t rdata_at = m.size() + 2;
  rdata.push_back(10);
  for (char c : std::string("hostmaster")) rdata.push_back(static_cast<std::uint8_t>(c));
  rdata.push_back(0xC0);
  rdata.push_back(static_cast<std::uint8_t>(rdata_at + 4));
  for (std::uint32_t v : {7u, 3600u, 600u, 86400u, 60u}) u32(rdata, v);
  u16(m, static_cast<std::uint16_t>(rdata.size()));
  append(m, rdata);
  return m;
}

TEST(FindAuthoritySoa, CompressedNegativeAnswer) {
  const auto soa = find_authority_soa(nxdomain_message());
  ASSERT_TRUE(soa.has_value());
  EXPECT_EQ(soa->zone, "2.0.192.in-addr.arpa");
  EXPECT_EQ(soa->primary_ns, "ns1.example.test");
  EXPECT_EQ(soa->responsible, "hostmaster@example.test");
}

TEST(FindAuthoritySoa, HostileMessages) {
  EXPECT_FALSE(find_authority_soa(Buf{}));
  EXPECT_FALSE(find_authority_soa(header(0, 0, 0)));
  EXPECT_FALSE(find_authority_soa(header(1, 0, 1)));  // counts without records
  // A pointer to itself and a forward pointer: loops that must end.
  Buf self = header(1, 0, 0);
  self.push_back(0xC0);
  self.push_back(12);
  u16(self, 12);
  u16(self, 1);
  EXPECT_FALSE(find_authority_soa(self));
  Buf forward = header(1, 0, 0);
  forward.push_back(0xC0);
  forward.push_back(20);
  EXPECT_FALSE(find_authority_soa(forward));
  // rdlength past the end.
  Buf m = nxdomain_message();
  m[m.size() - 1 - 20 - 30] ^= 0xFF;
  [[maybe_unused]] const auto r = find_authority_soa(m);
  // Every truncation and every byte flip of a good message.
  const Buf good = nxdomain_message();
  for (std::size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(find_authority_soa(Buf(good.begin(), good.begin() + static_cast<long>(n)))) << n;
  }
  for (std::size_t i = 0; i < good.size(); ++i) {
    for (int v : {0x00, 0x3F, 0x40, 0x80, 0xC0, 0xFF}) {
      Buf bad = good;
      bad[i] = static_cast<std::uint8_t>(v);
      [[maybe_unused]] const auto x = find_authority_soa(bad);
    }
  }
}

// "a." at 0, then `count` pointers, each to the one before (the first to "a."): decoding at the
// last one follows them all.
TEST(DecodeNameAt, CompressionPointerChainsAreCapped) {
  auto chain = [](std::size_t count) {
    Buf m{1, 'a', 0};
    for (std::size_t i = 0; i < count; ++i) {
      const std::size_t target = i == 0 ? 0 : m.size() - 2;
      m.push_back(static_cast<std::uint8_t>(0xC0 | (target >> 8)));
      m.push_back(static_cast<std::uint8_t>(target & 0xFF));
    }
    return m;
  };
  const Buf ok = chain(k_max_compression_pointers);
  const auto decoded = decode_name_at(ok, ok.size() - 2, true);
  ASSERT_TRUE(decoded) << decoded.error();
  EXPECT_EQ(decoded->name, "a.");
  EXPECT_EQ(decoded->next, ok.size());
  const Buf too_long = chain(k_max_compression_pointers + 1);
  const auto refused = decode_name_at(too_long, too_long.size() - 2, true);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), "too many compression pointers");
  // A whole 64 KiB message of chained pointers is refused at once, not walked.
  const Buf huge = chain(30000);
  EXPECT_FALSE(decode_name_at(huge, huge.size() - 2, true));
}

TEST(FindAuthoritySoa, SkipsAnswerSectionAndOtherTypes) {
  // An answer-section SOA is not the authority's; an NS in authority is skipped.
  Buf m = header(0, 1, 2);
  const Buf owner = name_wire({"zone", "test"});
  Buf soa_rdata = name_wire({"a", "test"});
  append(soa_rdata, name_wire({"b", "test"}));
  for (int i = 0; i < 5; ++i) u32(soa_rdata, 1);
  auto rr = [&](std::uint16_t type, const Buf& rdata) {
    append(m, owner);
    u16(m, type);
    u16(m, 1);
    u32(m, 1);
    u16(m, static_cast<std::uint16_t>(rdata.size()));
    append(m, rdata);
  };
  rr(6, soa_rdata);
  rr(2, name_wire({"ns", "test"}));
  EXPECT_FALSE(find_authority_soa(m));  // nscount 2, only one present
  m[9] = 1;
  EXPECT_FALSE(find_authority_soa(m));
  rr(6, soa_rdata);
  m[9] = 2;
  const auto soa = find_authority_soa(m);
  ASSERT_TRUE(soa.has_value());
  EXPECT_EQ(soa->zone, "zone.test");
  EXPECT_EQ(soa->primary_ns, "a.test");
  EXPECT_EQ(soa->responsible, "b@test");
}

TEST(DecodeSoaRdata, TextAndErrors) {
  Buf rdata = name_wire({"ns1", "example", "net"});
  append(rdata, name_wire({"host\\.master", "example", "net"}));
  for (std::uint32_t v : {2024010101u, 3600u, 600u, 86400u, 300u}) u32(rdata, v);
  const auto soa = decode_soa_rdata(rdata);
  ASSERT_TRUE(soa) << soa.error();
  EXPECT_EQ(soa_text(*soa), "ns1.example.net. host\\\\\\.master.example.net. 2024010101 3600 600 86400 300");
  Buf dotted = name_wire({"ns1", "net"});
  append(dotted, name_wire({"john.doe", "example", "net"}));
  for (int i = 0; i < 5; ++i) u32(dotted, 0);
  const auto with_dot = decode_soa_rdata(dotted);
  ASSERT_TRUE(with_dot);
  EXPECT_EQ(rname_to_mail(with_dot->rname), "john.doe@example.net");
  rdata.pop_back();
  EXPECT_FALSE(decode_soa_rdata(rdata));
  rdata.push_back(0);
  rdata.push_back(0);
  EXPECT_FALSE(decode_soa_rdata(rdata));
}

TEST(RnameToMail, Table) {
  EXPECT_EQ(rname_to_mail("hostmaster.example.net."), "hostmaster@example.net");
  EXPECT_EQ(rname_to_mail("a\\.b.example.net."), "a.b@example.net");
  EXPECT_EQ(rname_to_mail("root."), "root");
  EXPECT_EQ(rname_to_mail("."), "");
  EXPECT_EQ(rname_to_mail(""), "");
}

TEST(WithoutTrailingDot, Table) {
  EXPECT_EQ(without_trailing_dot("example.net."), "example.net");
  EXPECT_EQ(without_trailing_dot("example.net"), "example.net");
  EXPECT_EQ(without_trailing_dot("."), ".");
  EXPECT_EQ(without_trailing_dot("a\\."), "a\\.");
  EXPECT_EQ(without_trailing_dot("a\\\\."), "a\\\\");
}

TEST(DecodeAddress, Table) {
  EXPECT_EQ(decode_address(Buf{192, 0, 2, 10}, RrType::A).value(), "192.0.2.10");
  Buf v6(16, 0);
  v6[0] = 0x20;
  v6[1] = 0x01;
  v6[2] = 0x0d;
  v6[3] = 0xb8;
  v6[15] = 0x25;
  EXPECT_EQ(decode_address(v6, RrType::AAAA).value(), "2001:db8::25");
  EXPECT_FALSE(decode_address(Buf{1, 2, 3}, RrType::A));
  EXPECT_FALSE(decode_address(Buf{192, 0, 2, 10}, RrType::AAAA));
  EXPECT_FALSE(decode_address(v6, RrType::A));
}

TEST(DecodeTxt, StringsAreConcatenatedBytesAsSent) {
  // "v=spf1 " + "-all" as two strings: RFC 7208 3.3 joins them without a space.
  const Buf two = {7, 'v', '=', 's', 'p', 'f', '1', ' ', 4, '-', 'a', 'l', 'l'};
  EXPECT_EQ(decode_txt(two).value(), "v=spf1 -all");
  const Buf empty_string = {0};
  EXPECT_EQ(decode_txt(empty_string).value(), "");
  const Buf binary = {3, 0x00, 0xff, '"'};
  EXPECT_EQ(decode_txt(binary).value(), std::string("\0\xff\"", 3));
}

TEST(DecodeTxt, RejectsTruncationAndEmptyRdata) {
  EXPECT_FALSE(decode_txt(Buf{}));
  EXPECT_FALSE(decode_txt(Buf{5, 'a', 'b'}));
  EXPECT_FALSE(decode_txt(Buf{1, 'a', 2, 'b'}));
}

TEST(DecodeMx, PreferenceAndExchange) {
  Buf mx = {0x01, 0x00};  // 256
  const Buf name = name_wire({"mail", "example", "test"});
  mx.insert(mx.end(), name.begin(), name.end());
  EXPECT_EQ(decode_mx(mx).value(), "256 mail.example.test.");
  EXPECT_EQ(decode_mx(Buf{0, 0, 0}).value(), "0 .");  // RFC 7505 null MX
}

TEST(DecodeMx, RejectsShortOrTrailingRdata) {
  EXPECT_FALSE(decode_mx(Buf{}));
  EXPECT_FALSE(decode_mx(Buf{0, 10}));
  EXPECT_FALSE(decode_mx(Buf{0, 10, 3, 'a', 'b'}));
  EXPECT_FALSE(decode_mx(Buf{0, 10, 0, 0}));
}

}  // namespace
}  // namespace rdns::checks::wire
