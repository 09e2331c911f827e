// Slow clients against the live web server: connections that trickle their request one byte a
// second must not delay /metrics or /-/healthy, and must be closed within a bound.
#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "agent/http/connection_gate.hpp"
#include "agent/http/web_server.hpp"
#include "http_test_support.hpp"

namespace rdns::agent {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using testing::connect_loopback;
using testing::raw_exchange;
using testing::raw_status;

std::unique_ptr<WebServer> start_server() {
  WebHandlers handlers;
  handlers.metrics_stream = [](const std::function<bool(std::string_view)>& write) {
    write("# TYPE rdns_targets gauge\nrdns_targets 3\n");
  };
  handlers.ready = [] { return true; };
  WebServerOptions options;
  options.listen_address = "127.0.0.1:0";
  auto server = start_web_server(options, std::move(handlers));
  if (!server) {
    ADD_FAILURE() << server.error();
    return nullptr;
  }
  return std::move(*server);
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<std::size_t>(p * static_cast<double>(values.size())))];
}

// True once the server closed `fd` (EOF or reset), waiting until `deadline`.
bool closed_by(int fd, Clock::time_point deadline) {
  char buffer[512];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n <= 0) return true;  // 0: closed; < 0: reset (a 408 may come first)
  }
}

TEST(HttpSlowClients, ThreeHundredTricklingConnectionsDoNotDelayScrapes) {
  auto server = start_server();
  ASSERT_TRUE(server);
  const int port = server->bound_port();
  constexpr int k_slow = 300;
  const std::string request = "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: " + std::string(200, 'a');
  std::vector<UniqueFd> slow;
  for (int i = 0; i < k_slow; ++i) {
    slow.push_back(connect_loopback(port));
    ASSERT_TRUE(slow.back().valid()) << "connection " << i;
  }
  const auto opened = Clock::now();
  std::atomic<bool> trickling{true};
  std::thread trickler([&] {
    for (std::size_t at = 0; trickling && at < request.size(); ++at) {
      for (auto& fd : slow) ::send(fd.get(), &request[at], 1, MSG_NOSIGNAL | MSG_DONTWAIT);
      for (int i = 0; i < 10 && trickling; ++i) std::this_thread::sleep_for(100ms);
    }
  });

  // Scrapes and health checks while all 300 are open (the gate closes them after 5 s).
  std::vector<double> health_ms;
  std::vector<double> metrics_ms;
  int failures = 0;
  while (Clock::now() - opened < 3500ms) {
    for (const char* path : {"/-/healthy", "/metrics"}) {
      httplib::Client client("127.0.0.1", port);
      client.set_connection_timeout(2, 0);
      client.set_read_timeout(2, 0);
      const auto begin = Clock::now();
      const auto res = client.Get(path);
      const double ms = std::chrono::duration<double, std::milli>(Clock::now() - begin).count();
      if (!res || res->status != 200) ++failures;
      (std::string_view(path) == "/metrics" ? metrics_ms : health_ms).push_back(ms);
    }
    std::this_thread::sleep_for(50ms);
  }
  std::printf(
      "with %d trickling connections: /-/healthy p50 %.2f ms p99 %.2f ms max %.2f ms (%zu requests); "
      "/metrics p50 %.2f ms p99 %.2f ms max %.2f ms (%zu requests)\n",
      k_slow, percentile(health_ms, 0.5), percentile(health_ms, 0.99), percentile(health_ms, 1.0), health_ms.size(),
      percentile(metrics_ms, 0.5), percentile(metrics_ms, 0.99), percentile(metrics_ms, 1.0), metrics_ms.size());
  EXPECT_EQ(failures, 0);
  EXPECT_LT(percentile(health_ms, 1.0), 1000.0);
  EXPECT_LT(percentile(metrics_ms, 1.0), 1000.0);

  // Every trickling connection is closed by the request deadline (5 s), with 2 s of slack.
  int closed = 0;
  for (auto& fd : slow) closed += closed_by(fd.get(), opened + 7s) ? 1 : 0;
  const double closed_after = std::chrono::duration<double>(Clock::now() - opened).count();
  trickling = false;
  trickler.join();
  std::printf("%d of %d trickling connections closed by the server %.1f s after they opened\n", closed, k_slow,
              closed_after);
  EXPECT_EQ(closed, k_slow);
  EXPECT_EQ(raw_status(raw_exchange(port, "GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")), 200);
}

TEST(HttpSlowClients, IdleConnectionIsClosedAndAStalledHeadGets408) {
  auto server = start_server();
  ASSERT_TRUE(server);
  const int port = server->bound_port();
  const auto begin = Clock::now();
  UniqueFd idle = connect_loopback(port);
  ASSERT_TRUE(idle.valid());
  EXPECT_TRUE(closed_by(idle.get(), begin + 4s));  // keep-alive timeout: 2 s
  EXPECT_GE(Clock::now() - begin, 1500ms);
  const std::string stalled = raw_exchange(port, "GET /metrics HTTP/1.1\r\nHost: x\r\n", 8000);
  EXPECT_EQ(raw_status(stalled), 408) << stalled;
}

TEST(HttpSlowClients, PipelinedRequestsAndABodyThatArrivesLate) {
  auto server = start_server();
  ASSERT_TRUE(server);
  const int port = server->bound_port();
  // Two requests in one segment: both answered, in order, on the one connection.
  const std::string both = raw_exchange(port,
                                        "GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n"
                                        "GET /-/ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                                        3000);
  EXPECT_NE(both.find("Healthy"), std::string::npos) << both;
  // raw_exchange stops after the first response; read the whole stream instead.
  UniqueFd fd = connect_loopback(port);
  ASSERT_TRUE(fd.valid());
  const std::string pipelined =
      "GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\nGET /-/ready HTTP/1.1\r\nHost: x\r\n"
      "Connection: close\r\n\r\n";
  ASSERT_EQ(::send(fd.get(), pipelined.data(), pipelined.size(), MSG_NOSIGNAL), static_cast<ssize_t>(pipelined.size()));
  std::string answer;
  char buffer[4096];
  for (ssize_t n; (n = ::recv(fd.get(), buffer, sizeof buffer, 0)) > 0;)
    answer.append(buffer, static_cast<std::size_t>(n));
  EXPECT_NE(answer.find("Healthy"), std::string::npos) << answer;
  EXPECT_NE(answer.find("Ready"), std::string::npos) << answer;

  // A POST whose body comes after its head: served once the body is there.
  UniqueFd post = connect_loopback(port);
  ASSERT_TRUE(post.valid());
  const std::string head = "POST /-/reload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\n";
  ::send(post.get(), head.data(), head.size(), MSG_NOSIGNAL);
  std::this_thread::sleep_for(300ms);
  ::send(post.get(), "hello", 5, MSG_NOSIGNAL);
  std::string reply;
  for (ssize_t n; (n = ::recv(post.get(), buffer, sizeof buffer, 0)) > 0;)
    reply.append(buffer, static_cast<std::size_t>(n));
  EXPECT_EQ(raw_status(reply), 503) << reply;  // no reload handler here: 503, but answered
}

TEST(HttpSlowClients, ConnectionsBeyondTheCapGet503AtOnce) {
  // The gate itself with a small cap (the web server's is 512).
  GateLimits limits;
  limits.max_connections = 8;
  auto made = GatedServer::create(limits);
  ASSERT_TRUE(made) << made.error();
  GatedServer& gated = **made;
  gated.Get("/-/healthy",
            [](const httplib::Request&, httplib::Response& res) { res.set_content("Healthy\n", "text/plain"); });
  const int port = gated.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  std::thread serving([&] { gated.listen_after_bind(); });
  while (!gated.is_running()) std::this_thread::sleep_for(1ms);
  // Each sends one byte of a request and stalls: it holds a place at the gate for 5 s.
  std::vector<UniqueFd> stalled;
  for (std::size_t i = 0; i < limits.max_connections; ++i) {
    stalled.push_back(connect_loopback(port));
    ASSERT_TRUE(stalled.back().valid());
    ::send(stalled.back().get(), "G", 1, MSG_NOSIGNAL);
  }
  std::this_thread::sleep_for(200ms);  // all admitted
  const auto begin = Clock::now();
  const std::string refused = raw_exchange(port, "GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n", 3000);
  EXPECT_EQ(raw_status(refused), 503) << refused;
  EXPECT_LT(Clock::now() - begin, 1s);
  stalled.clear();  // closed by the peer with half a request: the gate frees their places at once
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(raw_status(raw_exchange(port, "GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")), 200);
  gated.stop();
  serving.join();
  gated.stop_gate();
}

// Out of file descriptors, the gate cannot make its epoll instance: creating it says so (it used
// to start a gate thread polling descriptor -1, and every connection then hung).
TEST(HttpSlowClients, GateCreationFailsWithAMessageWhenOutOfDescriptors) {
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
  std::vector<UniqueFd> filler;
  rlimit low = saved;
  low.rlim_cur = 256;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  for (;;) {  // take every descriptor left below the limit
    UniqueFd fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) break;
    filler.push_back(std::move(fd));
  }
  auto made = GatedServer::create(GateLimits{});
  filler.clear();
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &saved), 0);
  ASSERT_FALSE(made);
  EXPECT_NE(made.error().find("cannot create the HTTP connection gate's epoll instance"), std::string::npos)
      << made.error();
  EXPECT_NE(made.error().find("Too many open files"), std::string::npos) << made.error();
}

TEST(HttpSlowClients, ExpectContinueIsHandedOnAtTheHead) {
  auto server = start_server();
  ASSERT_TRUE(server);
  // The client waits for "100 Continue" before its body: the gate must not wait for the body.
  const std::string reply = raw_exchange(server->bound_port(),
                                         "POST /-/reload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                                         "Expect: 100-continue\r\nConnection: close\r\n\r\n",
                                         1000);
  EXPECT_NE(reply.find("HTTP/1.1 100 Continue"), std::string::npos) << reply;
}

}  // namespace
}  // namespace rdns::agent
