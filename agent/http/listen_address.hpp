// Parsing of --web.listen-address values the way Prometheus exporters spell them:
// ":9781", "0.0.0.0:9781", "127.0.0.1:0", "[::1]:9781", "localhost:9781".
#pragma once

#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace rdns::agent {

struct ListenAddress {
  std::string host;  // empty = every interface; IPv6 literals without brackets
  int port = 0;      // 0 = an ephemeral port chosen by the kernel
};

// Pure; thread-safe. The error names the bad value and says what is expected.
[[nodiscard]] tl::expected<ListenAddress, std::string> parse_listen_address(std::string_view text);

}  // namespace rdns::agent
