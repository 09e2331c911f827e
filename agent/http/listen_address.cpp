#include "agent/http/listen_address.hpp"

#include <charconv>

namespace rdns::agent {
namespace {

[[nodiscard]] tl::expected<int, std::string> parse_port(std::string_view text, std::string_view whole) {
  int port = -1;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, port);
  if (text.empty() || ec != std::errc() || ptr != end || port < 0 || port > 65535) {
    return tl::unexpected("invalid listen address \"" + std::string(whole) + "\": port \"" + std::string(text) +
                          "\" is not a number from 0 to 65535");
  }
  return port;
}

}  // namespace

tl::expected<ListenAddress, std::string> parse_listen_address(std::string_view text) {
  const std::string whole(text);
  auto bad = [&](const std::string& why) {
    return tl::unexpected("invalid listen address \"" + whole + "\": " + why +
                          " (expected [host]:port, e.g. \":9781\", \"127.0.0.1:9781\", \"[::1]:9781\")");
  };
  if (text.empty()) return bad("empty");
  ListenAddress result;
  std::string_view port_text;
  if (text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return bad("missing ']'");
    result.host = std::string(text.substr(1, close - 1));
    if (result.host.empty()) return bad("empty IPv6 address");
    if (close + 1 >= text.size() || text[close + 1] != ':') return bad("missing :port after ']'");
    port_text = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return bad("missing :port");
    result.host = std::string(text.substr(0, colon));
    if (result.host.find(':') != std::string::npos) return bad("IPv6 addresses need brackets");
    port_text = text.substr(colon + 1);
  }
  for (char c : result.host) {
    // Host names and address literals only: nothing that could smuggle options or spaces.
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '-' || c == ':' || c == '%' || c == '_';
    if (!ok) return bad("bad character in host");
  }
  auto port = parse_port(port_text, whole);
  if (!port) return tl::unexpected(port.error());
  result.port = *port;
  return result;
}

}  // namespace rdns::agent
