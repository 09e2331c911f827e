// A plain-HTTP httplib::Server whose worker threads only ever see requests that have fully
// arrived: slow clients cost a file descriptor, never a worker.
//
// cpp-httplib 0.11 reads a request on the worker thread that runs its connection, with a timeout
// per read but no deadline for the whole request: a few hundred connections that trickle their
// headers (one byte a second) would hold every worker forever, and /metrics and /-/healthy would
// wait behind them. Here httplib's accept loop hands each connection to one gate thread (epoll,
// edge-triggered) that peeks (MSG_PEEK, nothing consumed) until the request head, and a body of
// known length, is in the socket's receive buffer; only then does a worker run httplib's own
// request processing (Server::process_request) on it, for one request. A kept-alive connection
// goes back to the gate after each response.
//
// Limits (GateLimits): a connection without a byte for `idle_timeout` is closed (keep-alive
// end); a request not complete `head_timeout` after its connection reached the gate gets 408
// and is closed; a head over `max_head_bytes` without its end gets 431; beyond
// `max_connections` open connections a new one gets 503 at once. A chunked request body is
// read by the worker (no endpoint takes one; timeout per read).
//
// Thread-safety: httplib calls process_and_close_socket() from its accept thread; the gate and
// its workers run on their own threads; stop_gate() once, after httplib's stop() returned.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <ctime>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <httplib.h>
#include <tl/expected.hpp>

#include "agent/http/bounded_task_queue.hpp"
#include "util/unique_fd.hpp"

namespace rdns::agent {

struct GateLimits {
  std::chrono::milliseconds idle_timeout{2000};  // no byte of the next request: close
  std::chrono::milliseconds head_timeout{5000};  // request not complete by then: 408
  time_t read_timeout_seconds = 5;               // per read, once a worker has it (chunked body)
  time_t write_timeout_seconds = 10;             // per write of the response
  std::size_t max_connections = 512;             // open at once; beyond: 503
  std::size_t workers = 16;
  std::size_t max_queued = 64;  // complete requests waiting for a worker
  std::size_t keep_alive_max_requests = 100;
  std::size_t max_head_bytes = 32 * 1024;         // over this without the head's end: 431
  std::size_t max_waited_body_bytes = 64 * 1024;  // a larger Content-Length is handed on at once (413)
};

class GatedServer final : public httplib::Server {
public:
  // The server with its gate thread running, or why the gate's epoll instance or wake-up
  // eventfd could not be made (e.g. out of file descriptors).
  [[nodiscard]] static tl::expected<std::unique_ptr<GatedServer>, std::string> create(const GateLimits& limits);
  ~GatedServer() override;
  GatedServer(const GatedServer&) = delete;
  GatedServer& operator=(const GatedServer&) = delete;

  // Closes the connections waiting at the gate and waits for the requests being served.
  void stop_gate();

private:
  struct Waiting {
    int fd = -1;
    std::size_t requests_left = 0;
    std::chrono::steady_clock::time_point since;
    bool has_bytes = false;
  };
  struct Ready {
    int fd = -1;
    std::size_t requests_left = 0;
    std::size_t head_bytes = 0;
  };
  enum class Outcome { wait, ready, close, reject_408, reject_431 };

  GatedServer(const GateLimits& limits, UniqueFd epoll, UniqueFd wake);
  bool process_and_close_socket(socket_t sock) override;  // httplib's accept thread: admit
  void hand_to_gate(const Waiting& waiting);
  void run_gate();
  Outcome examine(Waiting& waiting, std::size_t& head_bytes, std::vector<char>& buffer) const;
  void serve(const Ready& ready);
  void close_connection(int fd, const char* response = nullptr);

  const GateLimits m_limits;
  std::atomic<std::size_t> m_open{0};
  std::atomic<bool> m_stopping{false};
  const UniqueFd m_epoll;
  const UniqueFd m_wake;  // eventfd: new arrivals, stop
  std::mutex m_mutex;     // guards m_arrivals
  std::vector<Waiting> m_arrivals;
  std::unique_ptr<BoundedTaskQueue> m_pool;
  std::thread m_gate;
};

}  // namespace rdns::agent
