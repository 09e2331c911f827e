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
    const auto length_at = response.find("Content-Length: ");
    if (length_at == std::string::npos || length_at > end_of_headers) continue;
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
