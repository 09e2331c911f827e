#include "config/file_io.hpp"

#include "util/unique_fd.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace rdns::config {
namespace {}  // namespace

tl::expected<std::string, std::string> read_file(const std::string& path) {
  const int raw = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (raw < 0) return tl::make_unexpected(std::string(std::strerror(errno)));
  const UniqueFd fd(raw);
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

}  // namespace rdns::config
