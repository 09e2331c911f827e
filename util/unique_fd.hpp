// The one owner of a POSIX file descriptor: closes it exactly once. Header-only, so every layer
// (config's file reads, the libunbound adapter's eventfd and override file, the HTTP connection
// gate's epoll and eventfd) uses the same type.
//
// Thread-safety: like a unique_ptr: one owner; get() may be called from any thread.
#pragma once

#include <unistd.h>

#include <utility>

namespace rdns {

class UniqueFd {
public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : m_fd(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  UniqueFd(UniqueFd&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(std::exchange(other.m_fd, -1));
    return *this;
  }

  int get() const { return m_fd; }
  bool valid() const { return m_fd >= 0; }
  // Closes the descriptor held (if any) and takes `fd`.
  void reset(int fd = -1) {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = fd;
  }

private:
  int m_fd = -1;
};

}  // namespace rdns
