#include "config/file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace rdns::config {
namespace {

struct FdCloser {
  void operator()(const int* fd) const {
    ::close(*fd);
    delete fd;
  }
};
using UniqueFd = std::unique_ptr<int, FdCloser>;

}  // namespace

tl::expected<std::string, std::string> read_file(const std::string& path) {
  const int raw = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (raw < 0) return tl::make_unexpected(std::string(std::strerror(errno)));
  const UniqueFd fd(new int(raw));
  struct stat st {};
  if (::fstat(raw, &st) != 0) return tl::make_unexpected(std::string(std::strerror(errno)));
  if (S_ISDIR(st.st_mode)) return tl::make_unexpected(std::string(std::strerror(EISDIR)));
  std::string out;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(raw, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return tl::make_unexpected(std::string(std::strerror(errno)));
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > k_max_config_bytes) {
      return tl::make_unexpected("larger than " + std::to_string(k_max_config_bytes >> 20) + " MiB");
    }
  }
  return out;
}

std::string directory_of(std::string_view path) {
  const auto slash = path.rfind('/');
  if (slash == std::string_view::npos) return {};
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

std::string resolve_path(std::string_view base_dir, std::string_view path) {
  if (path.empty() || path.front() == '/' || base_dir.empty()) return std::string(path);
  std::string out(base_dir);
  if (out.back() != '/') out += '/';
  out += path;
  return out;
}

tl::expected<void, std::string> check_readable(const std::string& path) {
  if (path.find('\0') != std::string::npos) return tl::make_unexpected(std::string("the path contains a NUL byte"));
  if (::access(path.c_str(), R_OK) != 0) return tl::make_unexpected(std::string(std::strerror(errno)));
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return tl::make_unexpected(std::string(std::strerror(EISDIR)));
  }
  return {};
}

std::string one_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace rdns::config
