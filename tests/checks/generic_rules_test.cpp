// Table-driven tests of each generic-name rule and of the tricky negatives.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "checks/generic/public_suffix.hpp"
#include "checks/generic_hostname.hpp"

namespace rdns::checks {
namespace {

struct Case {
  const char* hostname;
  const char* ip;
  bool generic;
  const char* reason_part;  // must appear in the reason ("" = not checked)
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.hostname << " [" << c.ip << "]"; }

class GenericRules : public ::testing::TestWithParam<Case> {};

TEST_P(GenericRules, Classifies) {
  const Case& c = GetParam();
  const GenericClassifier classifier;
  const GenericVerdict v = classifier.classify(c.hostname, c.ip);
  EXPECT_EQ(v.generic, c.generic) << c.hostname << " score " << v.score << ": " << v.reason;
  EXPECT_NE(v.reason.find(c.reason_part), std::string::npos) << "reason: " << v.reason;
  EXPECT_GE(v.score, 0.0);
  EXPECT_LE(v.score, 1.0);
  EXPECT_EQ(v.generic, v.score >= 0.5);
}

// The PTR's own address, in every form ISPs use.
INSTANTIATE_TEST_SUITE_P(
    EmbeddedOwnAddress, GenericRules,
    ::testing::Values(
        Case{"c-73-22-11-4.hsd1.ca.comcast.net", "73.22.11.4", true,
             "embeds IP 73.22.11.4 as octets in leftmost label \"c-73-22-11-4\" + pool keyword \"hsd\" in label "
             "\"hsd1\""},
        Case{"186-103-171-154.static.tie.cl", "186.103.171.154", true,
             "embeds IP 186.103.171.154 (static) as octets in leftmost label \"186-103-171-154\""},
        Case{"host-192-000-002-010.example-isp.net", "192.0.2.10", true, "embeds IP 192.0.2.10 as octets"},
        Case{"modemcable123.45-67-89.mc.videotron.ca", "89.67.45.123", true,
             "reversed octets in \"modemcable123.45-67-89\""},
        Case{"12.ip-51-68-1.eu", "51.68.1.12", true, "octets out of order"},
        Case{"3.12.168.35.bc.googleusercontent.com", "35.168.12.3", true, "reversed octets in \"3.12.168.35\""},
        Case{"p5b0a1c2d.dip0.t-ipconnect.de", "91.10.28.45", true,
             "embeds IP 91.10.28.45 as hex in leftmost label \"p5b0a1c2d\""},
        Case{"0xc0000201.adsl.example.dk", "192.0.2.1", true, "as hex"},
        Case{"2d1c0a5b.rev.example.dk", "91.10.28.45", true, "as hex"},  // byte-reversed hex
        Case{"cpe-0a1c2d.pool.example-isp.net", "91.10.28.45", true, "embeds 3 octets of IP 91.10.28.45 as hex"},
        Case{"cpe-2d1c0a.pool.example-isp.net", "91.10.28.45", true, "embeds 3 octets of IP 91.10.28.45 as hex"},
        Case{"softbank126001002003.bbtec.net", "126.1.2.3", true, "zero-padded digits"},
        Case{"host1921680210.example.net", "192.168.0.210", true, "as digits"},
        Case{"ip3221225994.example.net", "192.0.2.10", true, "32-bit integer"},
        Case{"20.sub-174-192-3.myvzw.com", "174.192.3.20", true, "embeds IP"},
        Case{"cust-0-2-10.example-isp.net", "192.0.2.10", true, "embeds 3 octets of IP 192.0.2.10"},
        Case{"2001-db8-85a3-0-0-8a2e-370-7334.dyn.example.net", "2001:db8:85a3::8a2e:370:7334", true,
             "IPv6 hex groups"},
        Case{"2a01-4f8-c17-1234--2.example-hosting.de", "2a01:4f8:c17:1234::2", true,
             "embeds IP 2a01:4f8:c17:1234::2 as IPv6 hex groups"},
        Case{"4.3.3.7.0.7.3.0.e.2.a.8.0.0.0.0.0.0.0.0.3.a.5.8.8.b.d.0.1.0.0.2.ip6.example.net",
             "2001:db8:85a3::8a2e:370:7334", true, "embeds IP 2001:db8:85a3::8a2e:370:7334 as IPv6 nibbles"},
        Case{"20010db885a3000000008a2e03707334.v6.example.net", "2001:db8:85a3::8a2e:370:7334", true, "IPv6 hex"}));

// No address given: the name must carry the evidence alone.
INSTANTIATE_TEST_SUITE_P(WithoutAddress, GenericRules,
                         ::testing::Values(Case{"c-73-22-11-4.hsd1.ca.comcast.net", "", true,
                                                "IP-like number as octets in leftmost label \"c-73-22-11-4\""},
                                           Case{"syn-097-096-118-041.res.spectrum.com", "", true, "IP-like number"},
                                           Case{"softbank060112012003.bbtec.net", "", true, "zero-padded digits"},
                                           Case{"pd9e60563.dip0.t-ipconnect.de", "", true, "IP-like hex number"},
                                           Case{"5e0a1b2c.bb.sky.com", "", true, "hex"},
                                           Case{"2001-db8-1-2-0-0-0-9.pool.example-isp.net", "", true, "IPv6"},
                                           Case{"12.red-88-2-33.staticip.rima-tde.net", "", true, "split by a word"},
                                           Case{"ip-51-68-1.example-hosting.eu", "", true,
                                                "three octet-sized numbers"},  // 3 numbers + "ip"
                                           Case{"web-51-68.example-hosting.eu", "", false, "no generic evidence"}));

// Pool keywords: whole tokens or prefixes, in the host part only.
INSTANTIATE_TEST_SUITE_P(
    PoolKeywords, GenericRules,
    ::testing::Values(Case{"dyn-12-34.example-isp.net", "", true, "pool keyword \"dyn\" in label \"dyn-12-34\""},
                      Case{"dynamicip-abc.example.net", "", false,
                           "pool keyword \"dynamic\" in label \"dynamicip-abc\" without numbers"},
                      Case{"athedsl-4301234.home.otenet.gr", "", true, "pool keyword \"dsl\""},
                      Case{"cpc12345-cmbg17-2-0-cust123.5-4.cable.virginm.net", "", true, "pool keyword"},
                      Case{"customer.lsancax1.pop.starlinkisp.net", "", true, "pool keyword \"customer\""},
                      Case{"adsl-dynamic-pool-xxx.hcm.fpt.vn", "", true, "pool keyword"},
                      Case{"p3298012-ipoe.ipoe.ocn.ne.jp", "", true, "pool keyword \"ipoe\""},
                      Case{"mail.dynamic-dns-provider.com", "", false, "mail host keyword"},
                      Case{"www.poolsupplies.com", "", false, "no generic evidence"},
                      Case{"mail.liverpool.ac.uk", "", false, "mail host keyword"},
                      Case{"resqmta-po-01v.sys.comcast.net", "", false,
                           "mail host keyword \"mta\""},  // "res" only whole
                      Case{"user.example.com", "", false, "weak evidence only"},
                      Case{"static.example.com", "", false, "no generic evidence"}));

// A keyword alone is weak: a pool word as a whole label of a service name, inside a
// descriptive label, or next to a small server number does not make a name generic.
INSTANTIATE_TEST_SUITE_P(
    KeywordAloneIsWeak, GenericRules,
    ::testing::Values(
        Case{"pop.bloor.is.net.cable.rogers.com", "66.185.95.101", false,
             "weak evidence only: pool keyword \"cable\" in label \"cable\" without numbers"},
        Case{"gw2.cm.dream.jp", "59.157.133.2", false, "with only a server number"},
        Case{"dhcp1.example.com", "", false, "pool keyword \"dhcp\" in label \"dhcp1\" with only a server number"},
        Case{"webhosting-dynamic-sites3.example.com", "", false, "weak evidence only"},
        Case{"lns.pop3.example-isp.net", "", false, "pool keyword \"lns\" in label \"lns\" with only a server number"},
        Case{"node123.cluster.example.com", "", false,
             "pool keyword \"node\" in label \"node123\" with only a server number"},
        Case{"adsl-dynamic-pool-xxx.hcm.fpt.vn", "", true, "with another pool keyword"}));

// Hosting providers number their named servers; under the provider's own Public Suffix List
// entry the name has no host part at all.
INSTANTIATE_TEST_SUITE_P(HostingServerNumbers, GenericRules,
                         ::testing::Values(Case{"dd12345.kasserver.com", "", false, "no generic evidence"},
                                           Case{"www3005.sakura.ne.jp", "49.212.207.15", false, "no generic evidence"},
                                           Case{"server040.webpack.hosteurope.de", "", false, ""},
                                           Case{"mout.web.de", "", false, "mail host keyword \"mout\""},
                                           Case{"www123.your-server.de", "", false, "no generic evidence"},
                                           Case{"srv12.hstgr.cloud", "", false, ""},
                                           Case{"dedi1234.your-server.de", "", true,
                                                "cloud auto-name under \"your-server.de\""}));

// Encodings of large access providers: opaque subscriber labels under regional sub-domains,
// partial embeddings next to pool tokens, access-equipment tokens with a numeric suffix.
INSTANTIATE_TEST_SUITE_P(
    SubscriberEncodings, GenericRules,
    ::testing::Values(
        Case{"pcp04024417pcs.toresd01.pa.comcast.net", "", true,
             "opaque subscriber id in leftmost label \"pcp04024417pcs\" under regional sub-domain \"toresd01.pa\""},
        Case{"bgp542174bgs.ewndsr01.nj.comcast.net", "68.38.144.91", true, "opaque subscriber id"},
        Case{"ip-58-244.example-isp.net", "203.0.58.244", true, "embeds 2 octets of IP 203.0.58.244"},
        Case{"m15-112.126.com", "220.181.15.112", false, "weak evidence only"},  // a mail sender
        Case{"5659546949.tvninternet.com.br", "", true, "number of 10 digits in host part"},
        Case{"68-24.gmzaqkeaeeg.tvoe.tv", "", true, "leftmost label \"68-24\" is numbers only"},
        Case{"04-160.034.popsite.net", "192.216.54.160", true, "leftmost label \"04-160\" is numbers only"},
        Case{"blk-3-13-18.example-cable.ca", "", true, "three octet-sized numbers in leftmost label \"blk-3-13-18\""},
        Case{"h2066373.stratoserver.net", "", false, "weak evidence only"},        // no sub-domain: a server
        Case{"www12345.web.example-hoster.com", "", false, "weak evidence only"},  // a numbered server
        Case{"natpool62.rev.net", "63.148.93.62", true, "pool keyword \"natpool\" in label \"natpool62\""},
        Case{"pl027.nas934.d-osaka.nttpc.ne.jp", "", true, "pool keyword \"nas\" in label \"nas934\""},
        Case{"node-81-108.tula.net", "", true, "pool keyword \"node\""},
        Case{"usr-157-050.dr.cgocable.ca", "24.226.157.50", true,
             "pool keyword \"usr\" in label \"usr-157-050\" + embeds 2 octets of IP 24.226.157.50 in leftmost label "
             "\"usr-157-050\""},
        Case{"abbw12.neoplus.adsl.tpnet.pl", "", true, "as pool sub-domain over a numbered label"},
        Case{"customer.lsancax1.pop.starlinkisp.net", "", true, "above regional sub-domain"}));

// Cloud and hosting auto-names.
INSTANTIATE_TEST_SUITE_P(
    CloudNames, GenericRules,
    ::testing::Values(Case{"ec2-54-1-2-3.compute-1.amazonaws.com", "54.1.2.3", true, "embeds IP"},
                      Case{"ubuntu-s-1vcpu-1gb-nyc1-01", "", true, "cloud auto-name"},
                      Case{"vmi123456.contaboserver.net", "", true, "cloud auto-name under \"contaboserver.net\""},
                      Case{"vps-1a2b3c4d.vps.ovh.net", "", true, ""},
                      Case{"li1234-56.members.linode.com", "", true, "cloud auto-name"},
                      Case{"s0106001a2b3c4d5e.vc.shawcable.net", "", true, "hardware-id-like hex run"}));

// Deliberately named mail hosts and infrastructure stay negative, digits or not.
INSTANTIATE_TEST_SUITE_P(
    MailHostsAndInfrastructure, GenericRules,
    ::testing::Values(Case{"mail-yw1-f170.google.com", "209.85.128.170", false, "mail host keyword \"mail\""},
                      Case{"mail-pf1-x42c.google.com", "2607:f8b0:4864:20::42c", false, "mail host keyword"},
                      Case{"mx01.example.com", "", false, "mail host keyword \"mx\""},
                      Case{"smtp-out-12", "", false, "mail host keyword \"smtp\""},
                      Case{"smtp-out-12.example-esp.com", "198.51.100.12", false, "mail host keyword"},
                      Case{"o1.ptr1234.example.net", "167.89.12.3", false, "no generic evidence"},
                      Case{"a8-30.smtp-out.amazonses.com", "54.240.8.30", false, "outweighs embeds 2 octets"},
                      Case{"mail-oln040092064078.outbound.protection.outlook.com", "40.92.64.78", false,
                           "outweighs embeds IP"},
                      Case{"out203-205-221-155.mail.qq.com", "203.205.221.155", false, "mail host keyword \"out\""},
                      Case{"mail135-10.atl141.mcsv.net", "198.2.135.10", false, "mail host keyword"},
                      Case{"relay.mailchannels.net", "", false, "mail host keyword \"relay\""},
                      Case{"bounce.mail.example.com", "", false, "mail host keyword \"bounce\""},
                      Case{"mta5.emailsrvr.com", "146.20.161.5", false, "mail host keyword \"mta\""},
                      Case{"mr85p00im-zteg06011501.me.com", "17.58.23.181", false, "weak evidence only"},
                      Case{"ge-1-0-0.bb1.nyc.example.net", "", false, "router interface name"},
                      Case{"xe-0-0-0.cr1.fra.example.net", "", false, "router interface name"},
                      Case{"www.example.com", "", false, "no generic evidence"},
                      Case{"srv1-rack2-row3-dc4.example.com", "", false, "weak evidence only"},
                      Case{"", "", false, "no generic evidence"}, Case{".", "", false, "no generic evidence"},
                      Case{"MAIL-YW1-F170.Google.COM.", "209.85.128.170", false, "mail host keyword"}));

TEST(PublicSuffixList, RegisteredDomainFromTheListWithItsPrivateSection) {
  const auto& psl = generic::PublicSuffixList::instance();
  EXPECT_STRNE(psl.source(), "fallback rule") << "libpsl has neither a data file nor a built-in list";
  EXPECT_EQ(psl.registered_domain_labels("mout.web.de", 3), 2u);
  EXPECT_EQ(psl.registered_domain_labels("c-73-22-11-4.hsd1.ca.comcast.net", 6), 2u);
  EXPECT_EQ(psl.registered_domain_labels("mail.example.co.uk", 4), 3u);
  EXPECT_EQ(psl.registered_domain_labels("dd12345.kasserver.com", 3), 3u);  // private section
  // The whole name is a (wildcard) public suffix: the ICANN part plus one label.
  EXPECT_EQ(psl.registered_domain_labels("ec2-54-1-2-3.compute-1.amazonaws.com", 3), 2u);
  EXPECT_EQ(psl.registered_domain_labels("com", 1), 1u);
  // Answers are memoised by parent domain: siblings and repeats get the same answer as libpsl.
  for (int round = 0; round < 2; ++round) {
    EXPECT_EQ(psl.registered_domain_labels("dd1.kasserver.com", 3), 3u);
    EXPECT_EQ(psl.registered_domain_labels("ec2-3-3-3-3.compute-1.amazonaws.com", 3), 2u);
    EXPECT_EQ(psl.registered_domain_labels("c-1-2-3-4.hsd1.ca.comcast.net", 6), 2u);
    EXPECT_EQ(psl.registered_domain_labels("a..example.com", 3), 2u);  // an empty label: no memo
  }
  EXPECT_EQ(generic::fallback_registered_domain_labels("a.b.example.co.uk", 5), 3u);
  EXPECT_EQ(generic::fallback_registered_domain_labels("a.b.example.com", 4), 2u);
}

TEST(GenericClassifier, CaseAndTrailingDotDoNotMatter) {
  const GenericClassifier c;
  EXPECT_EQ(c.classify("C-73-22-11-4.HSD1.CA.COMCAST.NET.", "73.22.11.4"),
            c.classify("c-73-22-11-4.hsd1.ca.comcast.net", "73.22.11.4"));
}

TEST(GenericClassifier, GarbageAndHostileNamesDoNotCrash) {
  const GenericClassifier c;
  std::string long_name;
  for (int i = 0; i < 200; ++i) long_name += "1-2-3-4-5-6-7-8.";
  EXPECT_TRUE(c.classify(long_name, "1.2.3.4").generic);
  EXPECT_FALSE(c.classify("\\032\\\"\\000.example.com", "not an ip").generic);
  // Escapes are odd bytes, not numbers: this is not "1.2.3.4".
  EXPECT_FALSE(c.classify("a\\001\\002\\003\\004.example.com", "").generic);
  EXPECT_FALSE(c.classify(std::string(300, '-'), "").generic);
  EXPECT_FALSE(c.classify(std::string(300, '.'), "::1").generic);
  std::string binary;
  for (int i = 0; i < 256; ++i) binary += static_cast<char>(i);
  (void)c.classify(binary, "192.0.2.1");
}

TEST(GenericClassifier, RandomNamesKeepTheVerdictConsistent) {
  // A cheap in-tree fuzz (fixed seed): under ASan/UBSan this walks every tokeniser and
  // embedding path with odd lengths, escapes, separators and addresses.
  const GenericClassifier c;
  std::mt19937 rng(20261127);
  const std::string alphabet = "0123456789abcdefxyz-._\\:";
  const char* ips[] = {"", "1.2.3.4", "192.0.2.10", "2001:db8::1", "::", "255.255.255.255", "garbage"};
  for (int i = 0; i < 5000; ++i) {
    std::string name(rng() % 300, 'a');
    for (char& ch : name) ch = alphabet[rng() % alphabet.size()];
    const GenericVerdict v = c.classify(name, ips[rng() % 7]);
    ASSERT_EQ(v.generic, v.score >= 0.5) << name;
    ASSERT_FALSE(v.reason.empty()) << name;
  }
}

TEST(GenericClassifier, ExtraPatternsMarkGenericAndSayWhich) {
  auto c = GenericClassifier::create({"^nomatch$", "^vps\\d+"}, {});
  ASSERT_TRUE(c.has_value()) << c.error();
  const GenericVerdict v = c->classify("vps123.example-hosting.com");
  EXPECT_TRUE(v.generic);
  EXPECT_EQ(v.reason, "matches extra_patterns[1] \"^vps\\d+\"");
  EXPECT_FALSE(c->classify("www.example.com").generic);
}

TEST(GenericClassifier, AllowPatternsWinOverBuiltInRulesAndExtraPatterns) {
  auto c = GenericClassifier::create({"static"}, {"^nothing$", "\\.static\\.tie\\.cl$"});
  ASSERT_TRUE(c.has_value()) << c.error();
  const GenericVerdict v = c->classify("186-103-171-154.static.tie.cl", "186.103.171.154");
  EXPECT_FALSE(v.generic);
  EXPECT_EQ(v.reason, "allowed by allow_patterns[1] \"\\.static\\.tie\\.cl$\"");
  // Patterns see the normalised name: lower case, no trailing dot.
  EXPECT_FALSE(c->classify("186-103-171-154.STATIC.TIE.CL.", "186.103.171.154").generic);
  EXPECT_TRUE(c->classify("static-1.example.org").generic);  // extra pattern, not allowed
}

TEST(GenericClassifier, UserPatternsOnHostileNamesNeverThrow) {
  auto c = GenericClassifier::create({"(a|b|-)*c$"}, {"^(x|y)*z$"});
  ASSERT_TRUE(c.has_value()) << c.error();
  std::string name;
  while (name.size() < 1000) name += "ab-ab-ab.";
  EXPECT_NO_THROW((void)c->classify(name, ""));
  EXPECT_NO_THROW((void)c->classify(std::string(250, 'x') + ".example", ""));
}

TEST(GenericClassifier, CatastrophicBacktrackingPatternStaysFast) {
  // With std::regex "^(x+x+)+y$" against 40 x's backtracked ~2^40 steps: classify() hung.
  // RE2 matches in time linear in the name.
  auto c = GenericClassifier::create({"^(x+x+)+y$", "(x+)+\\.example$"}, {"^(x|xx)+z$"});
  ASSERT_TRUE(c.has_value()) << c.error();
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 100; ++i) {
    // No pattern matches: every one is tried to the end (the exponential case for a backtracker).
    const GenericVerdict v = c->classify(std::string(40, 'x'), "");
    ASSERT_EQ(v.reason.find("patterns["), std::string::npos) << v.reason;
  }
  const GenericVerdict v = c->classify(std::string(40, 'x') + "y", "");
  const GenericVerdict w = c->classify(std::string(250, 'x') + ".example.", "");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  // 102 classifications take well under a millisecond each here (also under ASan).
  EXPECT_LT(elapsed, std::chrono::seconds(2));
  EXPECT_EQ(c->classify(std::string(40, 'x') + "z", "").reason, "allowed by allow_patterns[0] \"^(x|xx)+z$\"");
  EXPECT_TRUE(v.generic);
  EXPECT_EQ(v.reason, "matches extra_patterns[0] \"^(x+x+)+y$\"");
  EXPECT_TRUE(w.generic);
  EXPECT_EQ(w.reason, "matches extra_patterns[1] \"(x+)+\\.example$\"");
}

TEST(GenericClassifier, PatternsAreSearchedCaseInsensitively) {
  auto c = GenericClassifier::create({"POOL", "^Web\\d+\\."}, {});
  ASSERT_TRUE(c.has_value()) << c.error();
  EXPECT_EQ(c->classify("a.pool.example.net").reason, "matches extra_patterns[0] \"POOL\"");  // found anywhere
  EXPECT_EQ(c->classify("WEB12.Example.NET.").reason, "matches extra_patterns[1] \"^Web\\d+\\.\"");
  EXPECT_FALSE(c->classify("my-web12.example.net").generic);  // "^" anchors at the name's start
}

TEST(GenericClassifier, BadPatternIsAnErrorNamingIt) {
  auto c = GenericClassifier::create({"ok", "(unclosed"}, {});
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error(), "extra_patterns[1] \"(unclosed\": invalid regex: missing ): (unclosed");
  auto a = GenericClassifier::create({}, {"[z-a]"});
  ASSERT_FALSE(a.has_value());
  EXPECT_EQ(a.error(), "allow_patterns[0] \"[z-a]\": invalid regex: invalid character class range: z-a");
}

TEST(GenericClassifier, Re2RefusesBackreferencesLookaroundAndHugePrograms) {
  auto backref = GenericClassifier::create({"^(dyn)-\\1"}, {});
  ASSERT_FALSE(backref.has_value());
  EXPECT_EQ(backref.error(), "extra_patterns[0] \"^(dyn)-\\1\": invalid regex: invalid escape sequence: \\1");
  auto lookahead = GenericClassifier::create({}, {"^(?!mail)"});
  ASSERT_FALSE(lookahead.has_value());
  EXPECT_EQ(lookahead.error(), "allow_patterns[0] \"^(?!mail)\": invalid regex: invalid perl operator: (?!");
  auto repeat = GenericClassifier::create({"((a{1000}){1000}){1000}"}, {});
  ASSERT_FALSE(repeat.has_value());
  EXPECT_NE(repeat.error().find("invalid repetition size: {1000}"), std::string::npos) << repeat.error();
  // The same 1 MiB budget as config validation: six large repeats fit, seven do not.
  std::string big;
  for (int i = 0; i < 6; ++i) big += ".{1,1000}";
  EXPECT_TRUE(GenericClassifier::create({big}, {}).has_value());
  big += ".{1,1000}";
  auto large = GenericClassifier::create({big}, {});
  ASSERT_FALSE(large.has_value());
  EXPECT_NE(large.error().find("pattern too large - compile failed"), std::string::npos) << large.error();
}

TEST(GenericClassifier, UserPatternsMayRunOnManyThreads) {
  auto c = GenericClassifier::create({"^vps\\d+\\."}, {"^mail\\."});
  ASSERT_TRUE(c.has_value()) << c.error();
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        const std::string n = std::to_string(t * 1000 + i);
        if (!c->classify("vps" + n + ".example.org").generic) ++wrong;
        if (c->classify("mail.dyn-" + n + ".example.org").generic) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(GenericClassifier, MovedFromKeepsWorkingAfterReassignment) {
  GenericClassifier a;
  GenericClassifier b = std::move(a);
  EXPECT_TRUE(b.classify("dyn-1-2-3-4.example.net").generic);
  a = std::move(b);
  EXPECT_TRUE(a.classify("dyn-1-2-3-4.example.net").generic);
}

}  // namespace
}  // namespace rdns::checks
