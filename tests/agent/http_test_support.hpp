// Helpers for the live web server tests: temporary files, raw sockets, a self-signed certificate.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>

#include <httplib.h>

#include "util/unique_fd.hpp"

namespace rdns::agent::testing {

// A directory removed with everything in it when the test ends, also on failure.
class TempDir {
public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "rdns_http_test.XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    m_path = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(m_path, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string file(const std::string& name) const { return (m_path / name).string(); }

  // Written to a temporary name and renamed, as config management tools do: readers never see
  // half a file, and the inode changes.
  std::string write(const std::string& name, const std::string& content) const {
    const std::string target = file(name);
    const std::string temporary = target + ".tmp";
    {
      std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
      out << content;
    }
    std::filesystem::rename(temporary, target);
    return target;
  }

private:
  std::filesystem::path m_path;
};

// A blocking TCP connection to 127.0.0.1:port with send and receive timeouts; invalid when the
// connect failed.
inline rdns::UniqueFd connect_loopback(int port, int timeout_ms = 3000) {
  rdns::UniqueFd fd(::socket(AF_INET, SOCK_STREAM, 0));
  if (!fd.valid()) return fd;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) fd.reset();
  return fd;
}

// Sends `request` as raw bytes to 127.0.0.1:port and returns everything the server sends back
// until it closes the connection or `timeout_ms` passes without data.
inline std::string raw_exchange(int port, const std::string& request, int timeout_ms = 3000, bool half_close = false) {
  const rdns::UniqueFd connection = connect_loopback(port, timeout_ms);
  if (!connection.valid()) return "connect failed";
  const int fd = connection.get();
  std::size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may close early on a bad request: read what it said
    sent += static_cast<std::size_t>(n);
  }
  if (half_close) ::shutdown(fd, SHUT_WR);
  std::string response;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    response.append(buffer, static_cast<std::size_t>(n));
    // Stop after one complete response (headers + Content-Length bytes): the server may keep
    // the connection open for a next request.
    const auto end_of_headers = response.find("\r\n\r\n");
    if (end_of_headers == std::string::npos) continue;
    // Only the head is searched: a long chunked body would make every read scan it all again.
    const auto length_at = std::string_view(response).substr(0, end_of_headers).find("Content-Length: ");
    if (length_at == std::string::npos) continue;
    const auto length = std::strtoul(response.c_str() + length_at + 16, nullptr, 10);
    if (response.size() >= end_of_headers + 4 + length) break;
  }
  return response;
}

// Status code of a raw HTTP response ("HTTP/1.1 404 Not Found" -> 404), 0 when none.
inline int raw_status(const std::string& response) {
  if (response.rfind("HTTP/1.", 0) != 0 || response.size() < 12) return 0;
  return std::atoi(response.substr(9, 3).c_str());
}

// One response read whole: status, header fields, body (a chunked body decoded).
struct RawResponse {
  int status = 0;
  httplib::Headers headers;
  std::string body;
  bool complete = false;  // the body arrived whole: all its chunks, or Content-Length bytes

  std::string header(const std::string& name) const {
    const auto found = headers.find(name);
    return found == headers.end() ? std::string() : found->second;
  }
};

// GET `path` from 127.0.0.1:port with only Host, Connection: close and `extra_headers` ("Name:
// value\r\n" lines). For a request without Accept-Encoding: httplib's client (0.18 on) adds
// "Accept-Encoding: br, gzip, deflate" by itself.
inline RawResponse raw_get(int port, const std::string& path, const std::string& extra_headers = "") {
  const std::string raw = raw_exchange(
      port, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra_headers + "Connection: close\r\n\r\n");
  RawResponse response;
  response.status = raw_status(raw);
  const auto head_end = raw.find("\r\n\r\n");
  if (head_end == std::string::npos) return response;
  for (std::size_t at = raw.find("\r\n") + 2; at < head_end;) {
    const auto line_end = raw.find("\r\n", at);
    const std::string line = raw.substr(at, line_end - at);
    const auto colon = line.find(':');
    if (colon != std::string::npos) {
      response.headers.emplace(line.substr(0, colon), line.substr(line.find_first_not_of(' ', colon + 1)));
    }
    at = line_end + 2;
  }
  std::string_view rest = std::string_view(raw).substr(head_end + 4);
  const auto coding = response.headers.find("Transfer-Encoding");
  if (coding != response.headers.end() && coding->second == "chunked") {
    for (;;) {
      const auto size_end = rest.find("\r\n");
      if (size_end == std::string_view::npos) return response;
      const std::size_t size = std::strtoul(std::string(rest.substr(0, size_end)).c_str(), nullptr, 16);
      if (rest.size() < size_end + 2 + size + 2) return response;
      response.body.append(rest.substr(size_end + 2, size));
      rest.remove_prefix(size_end + 2 + size + 2);
      if (size == 0) break;
    }
    response.complete = true;
  } else {
    response.body = rest;
    const auto length = response.headers.find("Content-Length");
    response.complete = length != response.headers.end() && std::stoul(length->second) == response.body.size();
  }
  return response;
}

// A self-signed EC certificate for 127.0.0.1 and localhost, made with the openssl binary.
inline bool make_self_signed_cert(const TempDir& dir, const std::string& name) {
  const std::string command =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
      "-subj /CN=localhost -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout " +
      dir.file(name + ".key") + " -out " + dir.file(name + ".crt") + " 2>/dev/null";
  return std::system(command.c_str()) == 0;
}

// A TLS client for 127.0.0.1:port that trusts exactly `ca_file` (verification on).
inline std::unique_ptr<httplib::SSLClient> tls_client_trusting(int port, const std::string& ca_file) {
  auto client = std::make_unique<httplib::SSLClient>("127.0.0.1", port);
  client->set_ca_cert_path(ca_file.c_str());
  client->enable_server_certificate_verification(true);
  client->set_connection_timeout(2, 0);
  return client;
}

// The [tls_server_config] section for `name`.crt / `name`.key in `dir` (made by
// make_self_signed_cert).
inline std::string tls_section(const TempDir& dir, const std::string& name = "server") {
  return "[tls_server_config]\ncert_file = \"" + dir.file(name + ".crt") + "\"\nkey_file = \"" +
         dir.file(name + ".key") + "\"\n";
}

}  // namespace rdns::agent::testing
