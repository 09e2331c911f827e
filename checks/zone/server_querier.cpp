// The socket side of direct questions to name servers; see server_querier.hpp.
#include "checks/zone/server_querier.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <list>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "util/unique_fd.hpp"

namespace rdns::checks::zone {
namespace {

using Clock = std::chrono::steady_clock;
using rdns::UniqueFd;

// More than any cycle needs at once (a few per zone and server), far below the fd limit.
constexpr std::size_t k_max_active = 512;
constexpr std::size_t k_max_tcp_reply = 65535 + 2;

struct Question {
  std::string address;
  std::uint16_t port = 53;
  std::string name;
  RrType type = RrType::SOA;
  Clock::time_point deadline;
  ServerQuerier::Done done;
};

struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
  int family = AF_INET;
};

bool parse_address(const std::string& text, std::uint16_t port, SocketAddress& out) {
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out.storage);
  if (inet_pton(AF_INET, text.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    out.length = sizeof(sockaddr_in);
    out.family = AF_INET;
    return true;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
  if (inet_pton(AF_INET6, text.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    out.length = sizeof(sockaddr_in6);
    out.family = AF_INET6;
    return true;
  }
  return false;
}

// One question on the wire: UDP, then (after TC) TCP.
struct Active {
  Question question;
  std::uint16_t id = 0;
  std::vector<std::uint8_t> query;
  SocketAddress to;
  UniqueFd fd;
  enum class Stage : std::uint8_t { udp, tcp_connecting, tcp_writing, tcp_reading } stage = Stage::udp;
  std::size_t written = 0;
  std::vector<std::uint8_t> buffer;
};

bool is_unreachable_errno(int error) {
  return error == ECONNREFUSED || error == EHOSTUNREACH || error == ENETUNREACH || error == EHOSTDOWN ||
         error == ENETDOWN;
}

class SocketQuerier final : public ServerQuerier {
public:
  SocketQuerier() : m_wake(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)), m_random(std::random_device{}()) {
    m_thread = std::thread([this] { run(); });
  }

  ~SocketQuerier() override {
    {
      std::lock_guard lock(m_mutex);
      m_stopping = true;
    }
    wake();
    m_thread.join();
  }

  void ask(const std::string& address, std::uint16_t port, const std::string& name, RrType type, Deadline deadline,
           Done done) override {
    {
      std::lock_guard lock(m_mutex);
      if (!m_stopping) {
        m_incoming.push_back(Question{address, port, name, type, deadline, std::move(done)});
        wake();
        return;
      }
    }
    done(ServerReply{ServerReply::Outcome::error, {}, "shutting down"});
  }

private:
  void wake() const {
    const std::uint64_t one = 1;
    [[maybe_unused]] auto written = ::write(m_wake.get(), &one, sizeof(one));
  }

  void run() {
    std::list<Active> active;
    std::deque<Question> waiting;
    while (true) {
      {
        std::lock_guard lock(m_mutex);
        for (auto& q : m_incoming) waiting.push_back(std::move(q));
        m_incoming.clear();
        if (m_stopping) break;
      }
      while (!waiting.empty() && active.size() < k_max_active) {
        start(active, std::move(waiting.front()));
        waiting.pop_front();
      }
      expire(active, waiting);
      poll_once(active, waiting);
    }
    for (Active& a : active) complete(a, ServerReply{ServerReply::Outcome::error, {}, "shutting down"});
    for (Question& q : waiting) q.done(ServerReply{ServerReply::Outcome::error, {}, "shutting down"});
    std::lock_guard lock(m_mutex);
    for (Question& q : m_incoming) q.done(ServerReply{ServerReply::Outcome::error, {}, "shutting down"});
  }

  static void complete(Active& a, ServerReply reply) {
    a.fd.reset();
    if (a.question.done) {
      auto done = std::move(a.question.done);
      a.question.done = nullptr;
      done(std::move(reply));
    }
  }

  void start(std::list<Active>& active, Question question) {
    Active a;
    a.question = std::move(question);
    a.id = static_cast<std::uint16_t>(m_random());
    if (!parse_address(a.question.address, a.question.port, a.to)) {
      complete(a, ServerReply{ServerReply::Outcome::error, {}, "not an IP address: " + a.question.address});
      return;
    }
    auto query = encode_query(a.id, a.question.name, a.question.type);
    if (!query) {
      complete(a, ServerReply{ServerReply::Outcome::error, {}, query.error()});
      return;
    }
    a.query = std::move(*query);
    a.fd = UniqueFd(::socket(a.to.family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!a.fd.valid() || ::connect(a.fd.get(), reinterpret_cast<sockaddr*>(&a.to.storage), a.to.length) != 0 ||
        ::send(a.fd.get(), a.query.data(), a.query.size(), 0) < 0) {
      const int error = errno;
      complete(
          a, ServerReply{is_unreachable_errno(error) ? ServerReply::Outcome::unreachable : ServerReply::Outcome::error,
                         {},
                         std::strerror(error)});
      return;
    }
    active.push_back(std::move(a));
  }

  static void expire(std::list<Active>& active, std::deque<Question>& waiting) {
    const auto now = Clock::now();
    for (auto it = active.begin(); it != active.end();) {
      if (it->question.deadline <= now) {
        complete(*it, ServerReply{ServerReply::Outcome::timeout, {}, "no reply before the deadline"});
        it = active.erase(it);
      } else {
        ++it;
      }
    }
    for (auto it = waiting.begin(); it != waiting.end();) {
      if (it->deadline <= now) {
        it->done(ServerReply{ServerReply::Outcome::error, {}, "not asked before the deadline (too many questions)"});
        it = waiting.erase(it);
      } else {
        ++it;
      }
    }
  }

  void poll_once(std::list<Active>& active, const std::deque<Question>& waiting) {
    std::vector<pollfd> fds;
    fds.reserve(active.size() + 1);
    fds.push_back(pollfd{m_wake.get(), POLLIN, 0});
    auto next = Clock::now() + std::chrono::seconds(1);
    for (const Active& a : active) {
      const short events =
          a.stage == Active::Stage::tcp_connecting || a.stage == Active::Stage::tcp_writing ? POLLOUT : POLLIN;
      fds.push_back(pollfd{a.fd.get(), events, 0});
      next = std::min(next, a.question.deadline);
    }
    for (const Question& q : waiting) next = std::min(next, q.deadline);
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now()).count() + 1;
    if (::poll(fds.data(), fds.size(), static_cast<int>(std::max<long long>(0, wait))) <= 0) return;
    if (fds[0].revents != 0) {
      std::uint64_t count = 0;
      [[maybe_unused]] auto got = ::read(m_wake.get(), &count, sizeof(count));
    }
    std::size_t index = 1;
    for (auto it = active.begin(); it != active.end(); ++index) {
      if (fds[index].revents != 0 && step(*it)) {
        it = active.erase(it);
      } else {
        ++it;
      }
    }
  }

  // Advances one question whose socket is ready; true when it completed.
  static bool step(Active& a) {
    switch (a.stage) {
      case Active::Stage::udp: return read_udp(a);
      case Active::Stage::tcp_connecting:
      case Active::Stage::tcp_writing: return write_tcp(a);
      case Active::Stage::tcp_reading: return read_tcp(a);
    }
    return false;
  }

  static bool read_udp(Active& a) {
    std::vector<std::uint8_t> buffer(k_edns_buffer * 4);
    const ssize_t got = ::recv(a.fd.get(), buffer.data(), buffer.size(), 0);
    if (got < 0) {
      const int error = errno;
      if (error == EAGAIN || error == EINTR) return false;
      complete(
          a, ServerReply{is_unreachable_errno(error) ? ServerReply::Outcome::unreachable : ServerReply::Outcome::error,
                         {},
                         std::strerror(error)});
      return true;
    }
    auto reply =
        decode_reply(wire::Bytes(buffer.data(), static_cast<std::size_t>(got)), a.id, a.question.name, a.question.type);
    if (!reply) return false;  // a stray or spoofed datagram: keep waiting for the real one
    if (reply->truncated) return !start_tcp(a);
    complete(a, ServerReply{ServerReply::Outcome::reply, std::move(*reply), {}});
    return true;
  }

  // Switches to TCP; false when it completed instead (could not even start).
  static bool start_tcp(Active& a) {
    a.fd = UniqueFd(::socket(a.to.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!a.fd.valid()) {
      complete(a, ServerReply{ServerReply::Outcome::error, {}, std::strerror(errno)});
      return false;
    }
    const std::uint16_t length = static_cast<std::uint16_t>(a.query.size());
    a.query.insert(a.query.begin(), {static_cast<std::uint8_t>(length >> 8), static_cast<std::uint8_t>(length)});
    a.stage = Active::Stage::tcp_connecting;
    a.written = 0;
    if (::connect(a.fd.get(), reinterpret_cast<sockaddr*>(&a.to.storage), a.to.length) != 0 && errno != EINPROGRESS) {
      const int error = errno;
      complete(
          a, ServerReply{is_unreachable_errno(error) ? ServerReply::Outcome::unreachable : ServerReply::Outcome::error,
                         {},
                         "TCP: " + std::string(std::strerror(error))});
      return false;
    }
    return true;
  }

  static bool write_tcp(Active& a) {
    if (a.stage == Active::Stage::tcp_connecting) {
      int error = 0;
      socklen_t length = sizeof(error);
      ::getsockopt(a.fd.get(), SOL_SOCKET, SO_ERROR, &error, &length);
      if (error != 0) {
        complete(a, ServerReply{
                        is_unreachable_errno(error) ? ServerReply::Outcome::unreachable : ServerReply::Outcome::error,
                        {},
                        "TCP: " + std::string(std::strerror(error))});
        return true;
      }
      a.stage = Active::Stage::tcp_writing;
    }
    const ssize_t sent = ::send(a.fd.get(), a.query.data() + a.written, a.query.size() - a.written, MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EAGAIN || errno == EINTR) return false;
      complete(a, ServerReply{ServerReply::Outcome::error, {}, "TCP: " + std::string(std::strerror(errno))});
      return true;
    }
    a.written += static_cast<std::size_t>(sent);
    if (a.written == a.query.size()) a.stage = Active::Stage::tcp_reading;
    return false;
  }

  static bool read_tcp(Active& a) {
    std::uint8_t chunk[4096];
    const ssize_t got = ::recv(a.fd.get(), chunk, sizeof(chunk), 0);
    if (got < 0 && (errno == EAGAIN || errno == EINTR)) return false;
    if (got <= 0) {
      complete(a, ServerReply{ServerReply::Outcome::error, {}, "TCP: connection closed before the reply"});
      return true;
    }
    a.buffer.insert(a.buffer.end(), chunk, chunk + got);
    if (a.buffer.size() > k_max_tcp_reply) a.buffer.resize(k_max_tcp_reply);
    if (a.buffer.size() < 2) return false;
    const std::size_t length = (std::size_t{a.buffer[0]} << 8) | a.buffer[1];
    if (a.buffer.size() < length + 2) return false;
    auto reply = decode_reply(wire::Bytes(a.buffer.data() + 2, length), a.id, a.question.name, a.question.type);
    if (!reply) {
      complete(a, ServerReply{ServerReply::Outcome::error, {}, "TCP: " + reply.error()});
    } else {
      complete(a, ServerReply{ServerReply::Outcome::reply, std::move(*reply), {}});
    }
    return true;
  }

  UniqueFd m_wake;
  std::mt19937 m_random;  // query ids; only the loop thread draws
  std::mutex m_mutex;     // guards m_incoming, m_stopping
  std::vector<Question> m_incoming;
  bool m_stopping = false;
  std::thread m_thread;
};

}  // namespace

std::unique_ptr<ServerQuerier> make_socket_querier() { return std::make_unique<SocketQuerier>(); }

}  // namespace rdns::checks::zone
