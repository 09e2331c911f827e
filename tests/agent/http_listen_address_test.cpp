// --web.listen-address parsing.
#include "agent/http/listen_address.hpp"

#include <gtest/gtest.h>

namespace rdns::agent {
namespace {

TEST(HttpListenAddress, AcceptsTheExporterSpellings) {
  struct Case {
    const char* text;
    const char* host;
    int port;
  };
  for (const Case& c :
       {Case{":9781", "", 9781}, Case{"0.0.0.0:9781", "0.0.0.0", 9781}, Case{"127.0.0.1:0", "127.0.0.1", 0},
        Case{"[::1]:9781", "::1", 9781}, Case{"[::]:80", "::", 80}, Case{"localhost:65535", "localhost", 65535}}) {
    auto parsed = parse_listen_address(c.text);
    ASSERT_TRUE(parsed) << c.text << ": " << parsed.error();
    EXPECT_EQ(parsed->host, c.host) << c.text;
    EXPECT_EQ(parsed->port, c.port) << c.text;
  }
}

TEST(HttpListenAddress, RejectsWithAClearMessage) {
  struct Case {
    const char* text;
    const char* why;
  };
  for (const Case& c : {Case{"", "empty"}, Case{"9781", "missing :port"}, Case{"localhost", "missing :port"},
                        Case{":", "is not a number"}, Case{":65536", "is not a number"}, Case{":-1", "is not a number"},
                        Case{":http", "is not a number"}, Case{":80x", "is not a number"},
                        Case{"::1:9781", "IPv6 addresses need brackets"}, Case{"[::1:9781", "missing ']'"},
                        Case{"[::1]9781", "missing :port after ']'"}, Case{"[]:80", "empty IPv6"},
                        Case{"ho st:80", "bad character"}, Case{"a/b:80", "bad character"}}) {
    auto parsed = parse_listen_address(c.text);
    ASSERT_FALSE(parsed) << c.text;
    EXPECT_NE(parsed.error().find(c.why), std::string::npos) << c.text << " -> " << parsed.error();
    EXPECT_NE(parsed.error().find(std::string("\"") + c.text + "\""), std::string::npos) << parsed.error();
  }
}

}  // namespace
}  // namespace rdns::agent
