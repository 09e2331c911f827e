#include "config/validate.hpp"

#include <gtest/gtest.h>
#include <re2/re2.h>

using namespace rdns::config;

TEST(NormalizeHostname, LowerCasesAndStripsOneDot) {
  EXPECT_EQ(*normalize_hostname("Mail.Example.COM."), "mail.example.com");
  EXPECT_EQ(*normalize_hostname("mail-1.example.com"), "mail-1.example.com");
  EXPECT_EQ(*normalize_hostname("xn--bcher-kva.example"), "xn--bcher-kva.example");
  EXPECT_EQ(*normalize_hostname("1.2.3.example.net"), "1.2.3.example.net");
  const std::string longest =
      std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(63, 'c') + "." + std::string(61, 'd');
  ASSERT_EQ(longest.size(), 253u);
  EXPECT_TRUE(normalize_hostname(longest));
  EXPECT_TRUE(normalize_hostname(longest + "."));
}

TEST(NormalizeHostname, Rejects) {
  const std::pair<std::string, std::string> cases[] = {
      {"", "is empty (leave the key out to skip this check)"},
      {".", "is the root, not a host name"},
      {"mail..example.com.", "has an empty label (\"..\" or a leading dot)"},
      {".example.com", "has an empty label (\"..\" or a leading dot)"},
      {"mail.example.com..", "has an empty label (\"..\" or a leading dot)"},
      {"-mail.example.com", "has a label starting or ending with a hyphen: \"-mail\""},
      {"mail-.example.com", "has a label starting or ending with a hyphen: \"mail-\""},
      {"mail_1.example.com", "has the character \"_\" (only letters, digits, hyphens and dots are allowed)"},
      {"mail example.com", "has the character \" \" (only letters, digits, hyphens and dots are allowed)"},
      {"mail\n.example.com", "has the control character \\x0a (only letters, digits, hyphens and dots are allowed)"},
      {"bücher.example", "has a non-ASCII character (write internationalised names in their xn-- form)"},
      {"localhost", "is not a fully qualified name (e.g. mail.example.com)"},
      {"192.0.2.1", "looks like an IP address, not a host name"},
      {std::string(64, 'a') + ".example.com", "has a label of 64 characters, more than 63"},
      {std::string(250, 'a') + ".com", "is 254 characters long, more than 253"},
  };
  for (const auto& [in, why] : cases) {
    auto got = normalize_hostname(in);
    ASSERT_FALSE(got) << in;
    EXPECT_EQ(got.error(), why) << in;
  }
}

TEST(CheckLabelName, Rules) {
  for (const char* ok : {"pool", "_x", "Site_1", "a"}) EXPECT_TRUE(check_label_name(ok)) << ok;
  for (const char* bad : {"", "1pool", "mail-pool", "pool.name", "__meta", "ip", "hostname", "status", "type", "result",
                          "version", "revision", "unbound_version", "instance", "job", "le", "pööl"}) {
    EXPECT_FALSE(check_label_name(bad)) << bad;
  }
  EXPECT_EQ(check_label_name("job").error(), "label name \"job\" is reserved: rdns_exporter's own metrics use it");
}

TEST(CheckRegex, CompilesOrExplains) {
  EXPECT_TRUE(check_regex(R"(^dyn-\d+-\d+\.example\.net$)"));
  EXPECT_TRUE(check_regex(R"(^(\d{1,3}[.-]){3}\d{1,3})"));
  EXPECT_TRUE(check_regex("a{1000}"));
  EXPECT_TRUE(check_regex("^(x+x+)+y$"));  // harmless under RE2: matching is linear in the name
  EXPECT_TRUE(check_regex("(?P<octet>\\d+)"));
  EXPECT_EQ(check_regex("").error(), "it is empty (it would match every name)");
  EXPECT_EQ(check_regex(std::string(1025, 'a')).error(), "it is 1025 characters long, more than 1024");
  // RE2's own error text, with the construct it refuses.
  EXPECT_EQ(check_regex("(abc").error(), "missing ): (abc");
  EXPECT_EQ(check_regex("[a-").error(), "missing ]: [a-");
  EXPECT_EQ(check_regex("[z-a]").error(), "invalid character class range: z-a");
  EXPECT_EQ(check_regex("*a").error(), "no argument for repetition operator: *");
  EXPECT_EQ(check_regex("a\\").error(), "trailing \\");
  EXPECT_EQ(check_regex("a{2,1}").error(), "invalid repetition size: {2,1} (the minimum is larger than the maximum)");
  // What RE2 refuses and PCRE or ECMAScript users expect, with a hint why.
  EXPECT_EQ(check_regex("^(dyn)-\\1").error(), "invalid escape sequence: \\1 (RE2 has no backreferences)");
  EXPECT_EQ(check_regex("^(?!mail)").error(), "invalid perl operator: (?! (RE2 has no lookahead)");
  EXPECT_EQ(check_regex("^(?=dyn)").error(), "invalid perl operator: (?= (RE2 has no lookahead)");
  // RE2 from 2023 on (Debian 13) takes "(?<name>...)" and names the lookbehind it refuses;
  // older RE2 (Debian 12) refuses every "(?<" and names only that much, where a named group may
  // also have been meant. Either way the message names the construct and says why. Whether the
  // RE2 that checks/generic_hostname.cpp uses is the newer kind, RE2 itself answers.
  const bool named_groups = RE2("(?<octet>\\d+)", RE2::Quiet).ok();
  const std::string refused_open = "invalid perl operator: (?< (RE2 has no lookbehind; a named group is (?P<name>...))";
  for (const std::string lookbehind : {"(?<=", "(?<!"}) {
    EXPECT_EQ(check_regex(lookbehind + "dyn)-").error(),
              named_groups ? "invalid perl operator: " + lookbehind + " (RE2 has no lookbehind)" : refused_open);
  }
  if (named_groups) {
    EXPECT_TRUE(check_regex("(?<octet>\\d+)"));
  } else {
    EXPECT_EQ(check_regex("(?<octet>\\d+)").error(), refused_open);
  }
  // Huge repeats: a count above 1000, nested counts multiplied, or a program above 1 MiB.
  const std::string repeat = " (RE2 allows at most 1000 repetitions, nested repeats multiplied)";
  EXPECT_EQ(check_regex("a{1001}").error(), "invalid repetition size: {1001}" + repeat);
  EXPECT_EQ(check_regex("((a{1000}){1000}){1000}").error(), "invalid repetition size: {1000}" + repeat);
  EXPECT_EQ(check_regex("(a{200}){200}").error(), "invalid repetition size: {200}" + repeat);
  std::string big;
  for (int i = 0; i < 6; ++i) big += ".{1,1000}";
  EXPECT_TRUE(check_regex(big)) << "six large repeats fit in 1 MiB";
  big += ".{1,1000}";
  EXPECT_EQ(check_regex(big).error(),
            "pattern too large - compile failed (its repeats expand past RE2's 1 MiB program limit)");
  // Long numbers that overflowed libstdc++'s int (found by the fuzzer) are plain data to RE2.
  EXPECT_TRUE(check_regex("^a\\5555555555555555555"));  // octal \555, then digits
  EXPECT_TRUE(check_regex("a{99999999999999999999"));   // not a repeat: literal text
  EXPECT_TRUE(check_regex("\\\\5555555555555555555"));
  EXPECT_TRUE(check_regex("host1234567890123\\.example"));
  EXPECT_TRUE(check_regex("a{1,99999999999999999999}"));  // a count RE2 cannot read is literal text
  // Deep nesting (refused before: libstdc++ compiles recursively) is fine for RE2's iterative parser.
  EXPECT_TRUE(check_regex(std::string(500, '(') + "a" + std::string(500, ')')));
  // The message stays on one line whatever the pattern holds.
  const auto multi = check_regex("x\ny(");
  ASSERT_FALSE(multi);
  EXPECT_EQ(multi.error(), "missing ): x\\ny(");
}

TEST(NormalizeForwarder, AddrAndPort) {
  EXPECT_EQ(*normalize_forwarder("127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(*normalize_forwarder("127.0.0.1@5353"), "127.0.0.1@5353");
  EXPECT_EQ(*normalize_forwarder("2001:DB8::53@53"), "2001:db8::53@53");
  EXPECT_EQ(*normalize_forwarder("::1@1"), "::1@1");
  EXPECT_EQ(*normalize_forwarder("::1@65535"), "::1@65535");
  EXPECT_EQ(normalize_forwarder("127.0.0.1@0").error(), "port \"0\" is not a number from 1 to 65535");
  EXPECT_EQ(normalize_forwarder("127.0.0.1@").error(), "port \"\" is not a number from 1 to 65535");
  EXPECT_EQ(normalize_forwarder("127.0.0.1@053x").error(), "port \"053x\" is not a number from 1 to 65535");
  EXPECT_EQ(normalize_forwarder("127.0.0.1@999999").error(), "port \"999999\" is not a number from 1 to 65535");
  EXPECT_EQ(normalize_forwarder("[::1]@53").error(),
            "address \"[::1]\" is not an IP literal (write \"addr\" or \"addr@port\")");
  EXPECT_EQ(normalize_forwarder("dns.example.net").error(),
            "address \"dns.example.net\" is not an IP literal (write \"addr\" or \"addr@port\")");
}

TEST(Suggest, NearMissesOnly) {
  const std::vector<std::string_view> keys = {"interval", "timeout", "concurrency", "max_cidr_addresses"};
  EXPECT_EQ(suggest("intervall", keys), "interval");
  EXPECT_EQ(suggest("Timeout", keys), "timeout");
  EXPECT_EQ(suggest("concurency", keys), "concurrency");
  EXPECT_EQ(suggest("max_cidr_address", keys), "max_cidr_addresses");
  EXPECT_EQ(suggest("labels", keys), "");
  EXPECT_EQ(suggest("id", {"ip"}), "");  // too short to guess
}

TEST(Quote, KeepsMessagesOnOneLine) {
  EXPECT_EQ(quote("a\"b\\c\nd\te\x01"), "\"a\\\"b\\\\c\\nd\\te\\x01\"");
  EXPECT_EQ(key_segment("pool"), "pool");
  EXPECT_EQ(key_segment("mail-pool"), "mail-pool");
  EXPECT_EQ(key_segment("a.b"), "\"a.b\"");
  EXPECT_EQ(key_segment(""), "\"\"");
}
