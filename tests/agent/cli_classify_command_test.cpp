// `rdns_exporter classify`: batch TSV / JSON Lines, one-shot, errors per line, usage errors.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "agent/cli/commands.hpp"
#include "agent/report/exit_codes.hpp"

namespace rdns::agent {
namespace {

struct CommandRun {
  int status;
  std::string out;
  std::string err;
};

CommandRun classify(std::vector<std::string> args, const std::string& input = "") {
  std::istringstream in(input);
  std::ostringstream out, err;
  const int status = run_classify_command(args, in, out, err);
  return {status, out.str(), err.str()};
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream ss(text);
  std::string line;
  while (std::getline(ss, line)) out.push_back(line);
  return out;
}

TEST(ClassifyCommand, OneHostnameWithAndWithoutIp) {
  CommandRun r = classify({"c-73-22-11-4.hsd1.ca.comcast.net", "73.22.11.4"});
  EXPECT_EQ(r.status, k_exit_ok) << r.err;
  EXPECT_EQ(r.out.rfind("c-73-22-11-4.hsd1.ca.comcast.net\tgeneric\tembeds IP 73.22.11.4 as octets in leftmost label "
                        "\"c-73-22-11-4\" + pool keyword \"hsd\" in label \"hsd1\"\n",
                        0),
            0u)
      << r.out;
  r = classify({"mail-yw1-f170.google.com"});
  EXPECT_EQ(r.status, k_exit_ok);
  EXPECT_EQ(r.out.rfind("mail-yw1-f170.google.com\tnot-generic\t", 0), 0u) << r.out;
}

TEST(ClassifyCommand, StdinBatchKeepsOrderSkipsEmptyLinesAndReportsBadLines) {
  const std::string input =
      "pool-71-105-3-2.nycmny.fios.verizon.net\t71.105.3.2\n"
      "\n"
      "mx01.example.com\r\n"
      "bad name.example.com\n"
      "dyn-1-2-3-4.example.net\tnot-an-ip\n" +
      std::string(10000, 'a') +
      "\n"
      "   \n"
      "ec2-54-1-2-3.compute-1.amazonaws.com\t54.1.2.3";  // no final newline
  CommandRun r = classify({}, input);
  EXPECT_EQ(r.status, k_exit_ok) << r.err;
  auto out = lines(r.out);
  ASSERT_EQ(out.size(), 6u) << r.out;
  EXPECT_EQ(out[0].rfind("pool-71-105-3-2.nycmny.fios.verizon.net\tgeneric\t", 0), 0u);
  EXPECT_EQ(out[1].rfind("mx01.example.com\tnot-generic\tmail host keyword \"mx\"", 0), 0u) << out[1];
  EXPECT_EQ(out[2], "bad name.example.com\terror\thostname contains a space, control or non-ASCII byte");
  EXPECT_NE(out[3].find("\terror\tnot an IP address"), std::string::npos) << out[3];
  EXPECT_NE(out[4].find("\terror\tline longer than 4096 bytes"), std::string::npos) << out[4].substr(0, 200);
  EXPECT_EQ(out[5].rfind("ec2-54-1-2-3.compute-1.amazonaws.com\tgeneric\t", 0), 0u);
}

TEST(ClassifyCommand, JsonLinesAreEscaped) {
  CommandRun r =
      classify({"--format=json"}, "c-73-22-11-4.hsd1.ca.comcast.net\t73.22.11.4\nq\"uo\\te\x01\xff.example\n");
  EXPECT_EQ(r.status, k_exit_ok) << r.err;
  auto out = lines(r.out);
  ASSERT_EQ(out.size(), 2u) << r.out;
  EXPECT_EQ(
      out[0].rfind("{\"hostname\":\"c-73-22-11-4.hsd1.ca.comcast.net\",\"ip\":\"73.22.11.4\","
                   "\"generic\":true,\"score\":1.00,\"reason\":\"embeds IP 73.22.11.4 as octets in leftmost label "
                   "\\\"c-73-22-11-4\\\" + pool keyword \\\"hsd\\\" in label \\\"hsd1\\\"\"}",
                   0),
      0u)
      << out[0];
  // An invalid UTF-8 byte becomes U+FFFD: the line stays valid JSON and valid UTF-8.
  EXPECT_EQ(out[1],
            "{\"input\":\"q\\\"uo\\\\te\\u0001\xef\xbf\xbd.example\","
            "\"error\":\"hostname contains a space, control or non-ASCII byte\"}");
  // Valid UTF-8 comes back as it was written, not as \u00XX mojibake.
  CommandRun utf8 = classify({"--format=json"}, "m\xc3\xa4il.example\n");
  EXPECT_NE(utf8.out.find("\"input\":\"m\xc3\xa4il.example\""), std::string::npos) << utf8.out;
}

TEST(ClassifyCommand, UsageErrors) {
  EXPECT_EQ(classify({"--format=xml", "a.example"}).status, k_exit_usage);
  EXPECT_EQ(classify({"--no-such-flag"}).status, k_exit_usage);
  EXPECT_EQ(classify({"a.example", "192.0.2.1", "extra"}).status, k_exit_usage);
  EXPECT_EQ(classify({"a.example", "999.1.1.1"}).status, k_exit_usage);
  CommandRun help = classify({"--help"});
  EXPECT_EQ(help.status, k_exit_ok);
  EXPECT_NE(help.out.find("--format"), std::string::npos);
}

TEST(ClassifyCommand, ConfigPatternsApply) {
  char path[] = "/tmp/rdns_classify_test_XXXXXX.toml";
  const int fd = mkstemps(path, 5);
  ASSERT_GE(fd, 0);
  {
    std::ofstream f(path);
    f << "[generic]\nextra_patterns = [\"^vps\\\\d+\\\\.\"]\nallow_patterns = [\"\\\\.static\\\\.tie\\\\.cl$\"]\n";
  }
  CommandRun r =
      classify({"--config.file", path}, "vps12.example.com\n186-103-171-154.static.tie.cl\t186.103.171.154\n");
  std::remove(path);
  ::close(fd);
  ASSERT_EQ(r.status, k_exit_ok) << r.err;
  auto out = lines(r.out);
  ASSERT_EQ(out.size(), 2u) << r.out;
  EXPECT_EQ(out[0], "vps12.example.com\tgeneric\tmatches extra_patterns[0] \"^vps\\d+\\.\"");
  EXPECT_EQ(out[1],
            "186-103-171-154.static.tie.cl\tnot-generic\tallowed by allow_patterns[0] \"\\.static\\.tie\\.cl$\"");
}

TEST(ClassifyCommand, MissingConfigIsAConfigError) {
  CommandRun r = classify({"--config.file=/nonexistent/rdns.toml", "a.example"});
  EXPECT_EQ(r.status, k_exit_config);
  EXPECT_FALSE(r.err.empty());
}

}  // namespace
}  // namespace rdns::agent
