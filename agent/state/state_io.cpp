// write_state_file / read_state_file: the atomic replace and the bounded read.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "agent/state/state_file.hpp"
#include "config/file_io.hpp"
#include "util/text_escape.hpp"
#include "util/unique_fd.hpp"

namespace rdns::agent::state {
namespace {

std::string path_in(const std::string& dir, std::string_view name) { return config::resolve_path(dir, name); }

// "<what> <path>: <reason>" on one line, whatever bytes the path holds.
tl::unexpected<std::string> failure(std::string_view what, const std::string& path, int error) {
  return tl::unexpected(std::string(what) + " " + text::one_line(path) + ": " + std::strerror(error));
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

[[nodiscard]] tl::expected<void, std::string> write_temp(const std::string& temp, std::string_view bytes) {
  // O_NOFOLLOW: a symlink planted at the temp name is refused, not written through.
  UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd.valid()) return failure("cannot create", temp, errno);
  // A temp file left by an older run keeps its old mode through O_CREAT: the results of a
  // whole fleet are nobody else's business.
  if (::fchmod(fd.get(), 0600) != 0) return failure("cannot chmod", temp, errno);
  if (!write_all(fd.get(), bytes)) return failure("cannot write", temp, errno);
  // fsync, not close, is where a full disk or an I/O error shows on every file system; once
  // it succeeded the close cannot lose the data.
  if (::fsync(fd.get()) != 0) return failure("cannot fsync", temp, errno);
  return {};
}

}  // namespace

[[nodiscard]] tl::expected<void, std::string> write_state_file(const std::string& dir, std::string_view bytes) {
  return replace_file(dir, k_state_file_name, k_state_temp_name, bytes);
}

[[nodiscard]] tl::expected<std::optional<std::string>, std::string> read_state_file(const std::string& dir,
                                                                                    std::size_t max_bytes) {
  return read_file(dir, k_state_file_name, max_bytes);
}

[[nodiscard]] tl::expected<void, std::string> replace_file(const std::string& dir, std::string_view name,
                                                           std::string_view temp_name, std::string_view bytes) {
  if (dir.empty()) return tl::unexpected(std::string("no storage directory given"));
  const std::string temp = path_in(dir, temp_name);
  const std::string target = path_in(dir, name);
  if (auto written = write_temp(temp, bytes); !written) {
    ::unlink(temp.c_str());  // absent when the open failed: nothing to remove then
    return written;
  }
  if (::rename(temp.c_str(), target.c_str()) != 0) {
    auto error = failure("cannot rename " + text::one_line(temp) + " to", target, errno);
    ::unlink(temp.c_str());
    return error;
  }
  // The rename is durable only once the directory entry is: without this, a crash right after
  // could bring back the previous file (or none).
  UniqueFd directory(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!directory.valid()) return failure("state written, but cannot open directory", dir, errno);
  if (::fsync(directory.get()) != 0) return failure("state written, but cannot fsync directory", dir, errno);
  return {};
}

[[nodiscard]] tl::expected<std::optional<std::string>, std::string> read_file(const std::string& dir,
                                                                              std::string_view name,
                                                                              std::size_t max_bytes) {
  if (dir.empty()) return tl::unexpected(std::string("no storage directory given"));
  const std::string path = path_in(dir, name);
  // A symlink is followed (reading through one harms nothing: a device or a huge file is
  // refused below); the next write replaces it with a regular file.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return std::optional<std::string>();
    return failure("cannot open", path, errno);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return failure("cannot stat", path, errno);
  if (!S_ISREG(st.st_mode)) return tl::unexpected("not a regular file: " + text::one_line(path));
  const auto too_big = [&] {
    return tl::unexpected(text::one_line(path) + " is larger than " + std::to_string(max_bytes) + " bytes");
  };
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes) return too_big();
  std::string bytes;
  bytes.resize(static_cast<std::size_t>(st.st_size));
  std::size_t filled = 0;
  // Reads to the end even if the file grew since fstat (it should not: the agent is its only
  // writer), still within the cap.
  for (;;) {
    if (filled == bytes.size()) {
      if (bytes.size() >= max_bytes + 1) return too_big();
      bytes.resize(std::min(max_bytes + 1, bytes.size() + 65536));
    }
    const ssize_t n = ::read(fd.get(), bytes.data() + filled, bytes.size() - filled);
    if (n < 0) {
      if (errno == EINTR) continue;
      return failure("cannot read", path, errno);
    }
    if (n == 0) break;
    filled += static_cast<std::size_t>(n);
  }
  if (filled > max_bytes) return too_big();
  bytes.resize(filled);
  return std::optional<std::string>(std::move(bytes));
}

}  // namespace rdns::agent::state
