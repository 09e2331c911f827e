#include "agent/http/connection_gate.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "util/ascii.hpp"

namespace rdns::agent {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* k_busy =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
    "Content-Length: 26\r\nConnection: close\r\n\r\ntoo many open connections\n";
constexpr const char* k_timeout =
    "HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain; charset=utf-8\r\n"
    "Content-Length: 30\r\nConnection: close\r\n\r\nrequest not received in time\n";
constexpr const char* k_too_large =
    "HTTP/1.1 431 Request Header Fields Too Large\r\n"
    "Content-Type: text/plain; charset=utf-8\r\nContent-Length: 26\r\n"
    "Connection: close\r\n\r\nrequest headers too large\n";

// httplib's accept loop hands each connection to the task queue; GatedServer's handler only
// admits it to the gate (no blocking), so it runs right there on the accept thread.
class InlineTaskQueue final : public httplib::TaskQueue {
public:
  TaskQueueEnqueueResult enqueue(std::function<void()> fn) override {
    fn();
    return enqueue_taken<TaskQueueEnqueueResult>();
  }
  void shutdown() override {}
};

bool wait_for(int fd, short events, time_t seconds) {
  pollfd p{fd, events, 0};
  for (;;) {
    const int n = ::poll(&p, 1, static_cast<int>(seconds * 1000));
    if (n >= 0) return n > 0;
    if (errno != EINTR) return false;
  }
}

void address_of(int fd, bool peer, std::string& ip, int& port) {
  sockaddr_storage addr{};
  socklen_t length = sizeof addr;
  auto* sa = reinterpret_cast<sockaddr*>(&addr);
  if ((peer ? ::getpeername(fd, sa, &length) : ::getsockname(fd, sa, &length)) != 0) return;
  char host[NI_MAXHOST];
  char service[NI_MAXSERV];
  if (::getnameinfo(sa, length, host, sizeof host, service, sizeof service, NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    return;
  }
  ip = host;
  port = std::atoi(service);
}

// The socket of one request, for httplib's process_request: reads the head (already in the
// receive buffer) through a small buffer that never goes past it, so a pipelined next request
// stays in the socket for the gate; everything after the head is read as asked.
class HeadStream final : public httplib::Stream {
public:
  HeadStream(int fd, std::size_t head_bytes, const GateLimits& limits)
      : m_fd(fd),
        m_head_left(head_bytes),
        m_read_timeout(limits.read_timeout_seconds),
        m_write_timeout(limits.write_timeout_seconds) {}

  bool is_readable() const override { return m_at < m_end || wait_for(m_fd, POLLIN, m_read_timeout); }
  bool is_writable() const override { return wait_for(m_fd, POLLOUT, m_write_timeout); }

  ssize_t read(char* ptr, size_t size) override {
    if (m_at == m_end && m_head_left > 0) {
      const ssize_t n = receive(m_buffer, std::min(m_head_left, sizeof m_buffer));
      if (n <= 0) return n;
      m_head_left -= static_cast<std::size_t>(n);
      m_at = 0;
      m_end = static_cast<std::size_t>(n);
    }
    if (m_at < m_end) {
      const std::size_t n = std::min(size, m_end - m_at);
      std::memcpy(ptr, m_buffer + m_at, n);
      m_at += n;
      return static_cast<ssize_t>(n);
    }
    return receive(ptr, size);
  }

  ssize_t write(const char* ptr, size_t size) override {
    for (;;) {
      if (!is_writable()) return -1;
      const ssize_t n = ::send(m_fd, ptr, size, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n >= 0 || (errno != EINTR && errno != EAGAIN)) return n;
    }
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override { address_of(m_fd, true, ip, port); }
  void get_local_ip_and_port(std::string& ip, int& port) const override { address_of(m_fd, false, ip, port); }
  socket_t socket() const override { return m_fd; }

private:
  ssize_t receive(char* ptr, std::size_t size) const {
    for (;;) {
      if (!wait_for(m_fd, POLLIN, m_read_timeout)) return -1;
      const ssize_t n = ::recv(m_fd, ptr, size, MSG_DONTWAIT);
      if (n >= 0 || (errno != EINTR && errno != EAGAIN)) return n;
    }
  }

  const int m_fd;
  std::size_t m_head_left;
  const time_t m_read_timeout;
  const time_t m_write_timeout;
  char m_buffer[4096];
  std::size_t m_at = 0;
  std::size_t m_end = 0;
};

// Where the head ends (just past the empty line), or nullopt while it has not arrived.
std::optional<std::size_t> head_end(std::string_view data) {
  const auto crlf = data.find("\r\n\r\n");
  const auto lf = data.find("\n\n");
  if (crlf == std::string_view::npos && lf == std::string_view::npos) return std::nullopt;
  if (lf < crlf) return lf + 2;
  return crlf + 4;
}

// The value of header `name` (lower case, with its colon) in a head, or nullopt.
std::optional<std::string_view> header_value(std::string_view head, std::string_view name) {
  std::size_t at = 0;
  while ((at = head.find('\n', at)) != std::string_view::npos) {
    ++at;
    if (head.size() - at < name.size()) break;
    bool match = true;
    for (std::size_t i = 0; i < name.size() && match; ++i) {
      match = util::ascii_lower(head[at + i]) == name[i];
    }
    if (match) {
      const auto end = head.find('\n', at);
      return head.substr(at + name.size(), end == std::string_view::npos ? end : end - at - name.size());
    }
  }
  return std::nullopt;
}

// How many body bytes to wait for: the Content-Length, 0 without one (or an unreadable one:
// httplib answers that), and 0 with "Expect: 100-continue" (the client waits for us).
std::size_t body_to_wait_for(std::string_view head) {
  if (header_value(head, "expect:")) return 0;
  const auto length = header_value(head, "content-length:");
  return length ? std::strtoull(std::string(length->substr(0, 24)).c_str(), nullptr, 10) : 0;
}

}  // namespace

tl::expected<std::unique_ptr<GatedServer>, std::string> GatedServer::create(const GateLimits& limits) {
  const auto failed = [](const char* what) {
    return tl::unexpected(std::string("cannot create the HTTP connection gate's ") + what + ": " +
                          std::generic_category().message(errno));
  };
  UniqueFd epoll(::epoll_create1(EPOLL_CLOEXEC));
  if (!epoll.valid()) return failed("epoll instance");
  UniqueFd wake(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake.valid()) return failed("wake-up eventfd");
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.fd = wake.get();
  if (::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, wake.get(), &event) != 0) return failed("epoll registration");
  return std::unique_ptr<GatedServer>(new GatedServer(limits, std::move(epoll), std::move(wake)));
}

GatedServer::GatedServer(const GateLimits& limits, UniqueFd epoll, UniqueFd wake)
    : m_limits(limits), m_epoll(std::move(epoll)), m_wake(std::move(wake)) {
  new_task_queue = [] { return new InlineTaskQueue; };
  m_pool = std::make_unique<BoundedTaskQueue>(limits.workers, limits.max_queued);
  m_gate = std::thread([this] { run_gate(); });
}

GatedServer::~GatedServer() { stop_gate(); }

void GatedServer::stop_gate() {
  if (!m_gate.joinable()) return;
  m_stopping = true;
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto written = ::write(m_wake.get(), &one, sizeof one);
  m_gate.join();
  m_pool->shutdown();  // requests in service finish; their connections are then closed
  std::lock_guard lock(m_mutex);
  for (const auto& waiting : m_arrivals) close_connection(waiting.fd);
  m_arrivals.clear();
}

bool GatedServer::process_and_close_socket(socket_t sock) {
  if (m_stopping || m_open.load() >= m_limits.max_connections) {
    ++m_open;
    close_connection(sock, k_busy);
    return false;
  }
  ++m_open;
  hand_to_gate(Waiting{sock, m_limits.keep_alive_max_requests, Clock::now(), false});
  return true;
}

void GatedServer::hand_to_gate(const Waiting& waiting) {
  bool taken = false;
  {
    std::lock_guard lock(m_mutex);
    if (!m_stopping) {
      m_arrivals.push_back(waiting);
      taken = true;
    }
  }
  if (!taken) return close_connection(waiting.fd);
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto written = ::write(m_wake.get(), &one, sizeof one);
}

GatedServer::Outcome GatedServer::examine(Waiting& waiting, std::size_t& head_bytes, std::vector<char>& buffer) const {
  int available = 0;
  if (::ioctl(waiting.fd, FIONREAD, &available) != 0) return Outcome::close;
  if (available <= 0) {
    char byte = 0;
    const ssize_t n = ::recv(waiting.fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return Outcome::close;  // peer gone
    return Outcome::wait;
  }
  waiting.has_bytes = true;
  const std::size_t want = std::min(static_cast<std::size_t>(available), m_limits.max_head_bytes);
  const ssize_t n = ::recv(waiting.fd, buffer.data(), want, MSG_PEEK | MSG_DONTWAIT);
  if (n <= 0) return n == 0 ? Outcome::close : Outcome::wait;
  const std::string_view data(buffer.data(), static_cast<std::size_t>(n));
  const auto end = head_end(data);
  if (!end) {
    if (data.size() >= m_limits.max_head_bytes) return Outcome::reject_431;
    pollfd p{waiting.fd, POLLRDHUP, 0};  // half a request and the peer gone: the rest never comes
    return ::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0 ? Outcome::close : Outcome::wait;
  }
  head_bytes = *end;
  const std::size_t body = body_to_wait_for(data.substr(0, *end));
  if (body <= m_limits.max_waited_body_bytes && static_cast<std::size_t>(available) < *end + body) {
    return Outcome::wait;
  }
  return Outcome::ready;
}

void GatedServer::run_gate() {
  std::map<int, Waiting> waiting;  // by fd
  std::deque<Ready> ready;         // complete requests the pool had no room for yet
  std::vector<char> buffer(m_limits.max_head_bytes);
  std::vector<epoll_event> events(256);
  std::vector<int> changed;
  while (!m_stopping) {
    std::vector<Waiting> arrivals;
    {
      std::lock_guard lock(m_mutex);
      arrivals.swap(m_arrivals);
    }
    for (const auto& arrival : arrivals) {
      epoll_event event{};
      event.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
      event.data.fd = arrival.fd;
      if (::epoll_ctl(m_epoll.get(), EPOLL_CTL_ADD, arrival.fd, &event) != 0) {
        close_connection(arrival.fd);
        continue;
      }
      waiting[arrival.fd] = arrival;
      changed.push_back(arrival.fd);  // data may be there already (a pipelined request)
    }
    while (!ready.empty() && m_pool->try_enqueue([this, r = ready.front()] { serve(r); })) ready.pop_front();

    const auto now = Clock::now();
    auto next = now + std::chrono::seconds(1);
    for (const auto& [fd, w] : waiting) {
      next = std::min(next, w.since + (w.has_bytes ? m_limits.head_timeout : m_limits.idle_timeout));
    }
    int timeout_ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(next - now).count() + 1);
    if (!ready.empty()) timeout_ms = std::min(timeout_ms, 5);
    if (!changed.empty()) timeout_ms = 0;
    const int n = ::epoll_wait(m_epoll.get(), events.data(), static_cast<int>(events.size()), std::max(timeout_ms, 0));
    for (int i = 0; i < n; ++i) {
      if (events[static_cast<std::size_t>(i)].data.fd == m_wake.get()) {
        std::uint64_t count = 0;
        [[maybe_unused]] const auto got = ::read(m_wake.get(), &count, sizeof count);
      } else {
        changed.push_back(events[static_cast<std::size_t>(i)].data.fd);
      }
    }
    for (const int fd : changed) {
      const auto found = waiting.find(fd);
      if (found == waiting.end()) continue;
      std::size_t head_bytes = 0;
      const Outcome outcome = examine(found->second, head_bytes, buffer);
      if (outcome == Outcome::wait) continue;
      ::epoll_ctl(m_epoll.get(), EPOLL_CTL_DEL, fd, nullptr);
      if (outcome == Outcome::ready) ready.push_back(Ready{fd, found->second.requests_left, head_bytes});
      if (outcome == Outcome::close) close_connection(fd);
      if (outcome == Outcome::reject_431) close_connection(fd, k_too_large);
      waiting.erase(found);
    }
    changed.clear();
    const auto after = Clock::now();
    for (auto it = waiting.begin(); it != waiting.end();) {
      const auto& w = it->second;
      if (after < w.since + (w.has_bytes ? m_limits.head_timeout : m_limits.idle_timeout)) {
        ++it;
        continue;
      }
      ::epoll_ctl(m_epoll.get(), EPOLL_CTL_DEL, it->first, nullptr);
      close_connection(it->first, w.has_bytes ? k_timeout : nullptr);
      it = waiting.erase(it);
    }
  }
  for (const auto& [fd, w] : waiting) close_connection(fd);
  for (const auto& r : ready) close_connection(r.fd);
}

void GatedServer::serve(const Ready& ready) {
  HeadStream stream(ready.fd, ready.head_bytes, m_limits);
  const bool last = ready.requests_left <= 1 || m_stopping;
  bool closed = false;
  // cpp-httplib 0.11 (Debian 12) asks the stream for the peer's address itself; 0.18 (Debian 13)
  // takes the remote and local address and port as arguments. A generic lambda, so that only
  // the call this httplib has is compiled.
  const auto process = [&](auto& server) -> bool {
    if constexpr (requires { server.process_request(stream, last, closed, nullptr); }) {
      return server.process_request(stream, last, closed, nullptr);
    } else {
      std::string remote_ip, local_ip;
      int remote_port = 0, local_port = 0;
      stream.get_remote_ip_and_port(remote_ip, remote_port);
      stream.get_local_ip_and_port(local_ip, local_port);
      return server.process_request(stream, remote_ip, remote_port, local_ip, local_port, last, closed, nullptr);
    }
  };
  const bool ok = process(*this);
  if (!ok || closed || last || m_stopping) return close_connection(ready.fd);
  hand_to_gate(Waiting{ready.fd, ready.requests_left - 1, Clock::now(), false});
}

void GatedServer::close_connection(int fd, const char* response) {
  if (response != nullptr) {
    [[maybe_unused]] const auto sent = ::send(fd, response, std::strlen(response), MSG_NOSIGNAL | MSG_DONTWAIT);
  }
  ::shutdown(fd, SHUT_RDWR);
  ::close(fd);
  --m_open;
}

}  // namespace rdns::agent
