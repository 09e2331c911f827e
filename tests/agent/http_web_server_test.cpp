// The web server, live: a real server on 127.0.0.1 port 0, real clients (httplib and raw sockets).
#include "agent/http/web_server.hpp"

#include <gtest/gtest.h>
#include <httplib.h>

#include <zlib.h>

#include <atomic>
#include <mutex>
#include <optional>
#include <thread>

#include "agent/http/basic_auth.hpp"
#include "http_test_support.hpp"

namespace rdns::agent {
namespace {

using namespace std::chrono_literals;
using testing::raw_exchange;
using testing::raw_get;
using testing::raw_status;
using testing::TempDir;

const std::string k_metrics =
    "# HELP rdns_targets Number of IPs configured.\n# TYPE rdns_targets gauge\nrdns_targets 3\n";

// Handlers that record what they were asked and answer what the test sets.
struct FakeApp {
  std::atomic<bool> is_ready{false};
  std::atomic<int> reload_calls{0};
  std::mutex mutex;
  std::string metrics_text = k_metrics;
  std::string reload_error;  // non-empty: reload fails with it
  std::string last_probe_target;
  bool last_probe_debug = false;
  std::optional<double> last_scrape_timeout;
  std::string status_page_html = "<!DOCTYPE html><p>status</p>";
  std::vector<std::string> status_page_queries;  // "filter=...;ip=...;limit=..." per request
  // metrics_stream writes metrics_text in chunks of this many bytes (0: all of it in one).
  std::size_t stream_chunk = 0;
  std::atomic<int> stream_calls{0};
  std::atomic<int> streams_done{0};
  std::atomic<int> streams_cut_short{0};  // write() said the client is gone

  WebHandlers handlers() {
    WebHandlers h;
    h.metrics_stream = [this](const std::function<bool(std::string_view)>& write) {
      ++stream_calls;
      std::string text;
      {
        std::lock_guard lock(mutex);
        text = metrics_text;
      }
      const std::size_t chunk = stream_chunk > 0 ? stream_chunk : std::max<std::size_t>(text.size(), 1);
      for (std::size_t at = 0; at < text.size(); at += chunk) {
        if (!write(std::string_view(text).substr(at, chunk))) {
          ++streams_cut_short;
          break;
        }
      }
      ++streams_done;
    };
    h.probe = [this](const ProbeRequest& request) {
      const std::string& target = request.target;
      std::lock_guard lock(mutex);
      last_probe_debug = request.debug;
      last_scrape_timeout = request.scrape_timeout_seconds;
      last_probe_target = target;
      if (target == "not-an-ip") return ProbeResponse{400, "text/plain; charset=utf-8", "bad target\n"};
      return ProbeResponse{200, "text/plain; version=0.0.4; charset=utf-8", "probe_success 1\n"};
    };
    h.reload = [this]() -> tl::expected<void, std::string> {
      ++reload_calls;
      std::lock_guard lock(mutex);
      if (!reload_error.empty()) return tl::unexpected(reload_error);
      return {};
    };
    h.ready = [this] { return is_ready.load(); };
    h.status_page = [this](const QueryParam& param) {
      std::lock_guard lock(mutex);
      status_page_queries.push_back("filter=" + param("filter") + ";ip=" + param("ip") + ";limit=" + param("limit"));
      return status_page_html;
    };
    return h;
  }
};

std::unique_ptr<WebServer> start(FakeApp& app, WebServerOptions options = {}) {
  if (options.listen_address == ":9781") options.listen_address = "127.0.0.1:0";
  auto server = start_web_server(options, app.handlers());
  if (!server) {
    ADD_FAILURE() << server.error();
    return nullptr;
  }
  EXPECT_GT((*server)->bound_port(), 0);
  return std::move(*server);
}

httplib::Client client(const WebServer& server) {
  httplib::Client c("127.0.0.1", server.bound_port());
  c.set_connection_timeout(2, 0);
  c.set_read_timeout(5, 0);
  return c;
}

TEST(HttpWebServer, HealthReadyAndNotFound) {
  FakeApp app;
  auto server = start(app);
  ASSERT_TRUE(server);
  auto c = client(*server);
  auto res = c.Get("/-/healthy");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "Healthy\n");

  res = c.Get("/-/ready");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_EQ(res->body, "Not ready: first check cycle still running\n");
  app.is_ready = true;
  res = c.Get("/-/ready");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "Ready\n");

  res = c.Get("/nope");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(res->body, "404 Not Found\n");
  res = c.Get("/metrics/extra");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
}

TEST(HttpWebServer, MetricsPlainHeadAndGzip) {
  FakeApp app;
  {
    std::lock_guard lock(app.mutex);
    for (int i = 0; i < 2000; ++i)
      app.metrics_text += "rdns_check_success{ip=\"192.0.2." + std::to_string(i % 256) + "\"} 1\n";
  }
  auto server = start(app);
  ASSERT_TRUE(server);
  // A client that asks for no coding (no Accept-Encoding, as curl) gets the text as it is.
  const auto plain = raw_get(server->bound_port(), "/metrics");
  EXPECT_EQ(plain.status, 200);
  EXPECT_TRUE(plain.complete);
  EXPECT_EQ(plain.header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(plain.body, app.metrics_text);
  EXPECT_FALSE(plain.headers.count("Content-Encoding"));

  // What Prometheus sends: gzip only. The raw body must be gzip, and decode to the exposition.
  httplib::Client raw("127.0.0.1", server->bound_port());
  raw.set_decompress(false);
  auto res = raw.Get("/metrics", {{"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Encoding"), "gzip");
  ASSERT_GE(res->body.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(res->body[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(res->body[1]), 0x8b);
  EXPECT_LT(res->body.size(), app.metrics_text.size() / 4);

  httplib::Client decoding("127.0.0.1", server->bound_port());  // decompresses by default
  res = decoding.Get("/metrics", {{"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, app.metrics_text);

  auto c = client(*server);
  res = c.Head("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_TRUE(res->body.empty());

  res = c.Post("/metrics", "x", "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 405);
  EXPECT_EQ(res->get_header_value("Allow"), "GET, HEAD");
}

// ---- metrics_stream: /metrics in chunks (chunked transfer), never as one string ------------

// ~20 MB of exposition-like text, varied enough that gzip has work to do.
std::string big_exposition() {
  std::string text = "# HELP rdns_check_success 1 when every check passed.\n# TYPE rdns_check_success gauge\n";
  for (int i = 0; text.size() < 20 * 1024 * 1024; ++i) {
    text += "rdns_check_success{ip=\"10." + std::to_string((i >> 16) & 255) + "." + std::to_string((i >> 8) & 255) +
            "." + std::to_string(i & 255) + "\",pool=\"outbound\"} " + std::to_string(i % 7 == 0 ? 0 : 1) + "\n";
  }
  return text;
}

TEST(HttpWebServer, StreamedMetricsArriveWholePlainGzipAndHead) {
  FakeApp app;
  app.stream_chunk = 64 * 1024;
  {
    std::lock_guard lock(app.mutex);
    app.metrics_text = big_exposition();
  }
  const std::string expected = app.metrics_text;
  const std::size_t chunks = (expected.size() + app.stream_chunk - 1) / app.stream_chunk;
  ASSERT_GE(chunks, 320u);
  auto server = start(app);
  ASSERT_TRUE(server);

  // No Accept-Encoding: the text as it is, in chunks.
  const auto plain = raw_get(server->bound_port(), "/metrics");
  EXPECT_EQ(plain.status, 200);
  EXPECT_TRUE(plain.complete);
  EXPECT_EQ(plain.header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(plain.header("Transfer-Encoding"), "chunked");
  EXPECT_FALSE(plain.headers.count("Content-Length"));
  EXPECT_FALSE(plain.headers.count("Content-Encoding"));
  EXPECT_EQ(plain.body.size(), expected.size());
  EXPECT_TRUE(plain.body == expected);  // not EXPECT_EQ: a 20 MB diff is no help

  // gzip, as Prometheus asks: one gzip stream over all chunks, decoding to the same text.
  httplib::Client raw("127.0.0.1", server->bound_port());
  raw.set_decompress(false);
  raw.set_read_timeout(10, 0);
  auto res = raw.Get("/metrics", {{"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Encoding"), "gzip");
  EXPECT_EQ(res->get_header_value("Transfer-Encoding"), "chunked");
  ASSERT_GE(res->body.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(res->body[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(res->body[1]), 0x8b);
  EXPECT_LT(res->body.size(), expected.size() / 4);

  httplib::Client decoding("127.0.0.1", server->bound_port());
  decoding.set_read_timeout(10, 0);
  res = decoding.Get("/metrics", {{"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->get_header_value("Content-Encoding"), "gzip");
  EXPECT_EQ(res->body.size(), expected.size());
  EXPECT_TRUE(res->body == expected);

  // A client that reads as it goes (as a scraper would) sees the same bytes.
  std::size_t received = 0;
  bool same = true;
  res = decoding.Get("/metrics", httplib::Headers{{"Accept-Encoding", "gzip"}}, [&](const char* data, std::size_t n) {
    same = same && received + n <= expected.size() && expected.compare(received, n, data, n) == 0;
    received += n;
    return true;
  });
  ASSERT_TRUE(res);
  EXPECT_EQ(received, expected.size());
  EXPECT_TRUE(same);

  const int streamed = app.stream_calls.load();
  EXPECT_EQ(streamed, 4);
  EXPECT_EQ(app.streams_cut_short.load(), 0);
  auto c = client(*server);
  res = c.Head("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_TRUE(res->body.empty());
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(app.stream_calls.load(), streamed);  // HEAD renders nothing

  // The connection stays usable after a chunked response (keep-alive).
  c.set_keep_alive(true);
  for (int i = 0; i < 2; ++i) {
    res = c.Get("/-/healthy");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
  }
}

// A gzip member inflated with zlib, as a client does; nullopt unless it is one whole member.
std::optional<std::string> gunzip(const std::string& compressed) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) return std::nullopt;
  std::string out;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  z.avail_in = static_cast<uInt>(compressed.size());
  char buffer[65536];
  int status = Z_OK;
  while (status == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = sizeof buffer;
    status = inflate(&z, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - z.avail_out);
  }
  const bool whole = status == Z_STREAM_END && z.avail_in == 0;
  inflateEnd(&z);
  if (!whole) return std::nullopt;
  return out;
}

// /metrics and "/" negotiate their coding themselves (gzip at level 1, or identity) and turn
// httplib's own compression off: every client gets a body it can read, byte for byte the same
// text once decompressed, and a cache between them is told the answer varies.
TEST(HttpWebServer, LargeTextRoutesNegotiateGzipOrIdentity) {
  FakeApp app;
  app.stream_chunk = 64 * 1024;
  {
    std::lock_guard lock(app.mutex);
    app.metrics_text = big_exposition();
    app.status_page_html = "<!DOCTYPE html>\n" + std::string(300'000, 'x') + "</html>\n";
  }
  const std::string metrics = app.metrics_text;
  const std::string page = app.status_page_html;
  auto server = start(app);
  ASSERT_TRUE(server);
  httplib::Client raw("127.0.0.1", server->bound_port());
  raw.set_decompress(false);
  raw.set_read_timeout(10, 0);

  const struct {
    const char* accept_encoding;  // nullptr: no header
    bool gzip;
  } cases[] = {{nullptr, false},    {"gzip", true},          {"gzip, deflate, br", true},  {"br", false},
               {"gzip;q=0", false}, {"gzip;q=0, br", false}, {"identity;q=0, gzip", true}, {"*", true},
               {"identity", false}, {"*;q=0", false}};
  // Without Accept-Encoding over a raw socket: httplib's client (0.18 on) would add its own.
  const auto get = [&](const std::string& path, const char* accept_encoding) {
    if (!accept_encoding) return raw_get(server->bound_port(), path);
    testing::RawResponse got;
    auto res = raw.Get(path, {{"Accept-Encoding", accept_encoding}});
    EXPECT_TRUE(res) << path << " " << accept_encoding << ": " << httplib::to_string(res.error());
    if (!res) return got;
    got.status = res->status;
    got.headers = res->headers;
    got.body = res->body;
    got.complete = true;
    return got;
  };
  for (const auto& c : cases) {
    const std::string name = c.accept_encoding ? c.accept_encoding : "(none)";
    for (const auto& [path, expected] : {std::pair<std::string, std::string>{"/metrics", metrics}, {"/", page}}) {
      const auto res = get(path, c.accept_encoding);
      ASSERT_TRUE(res.complete) << path << " " << name;
      EXPECT_EQ(res.status, 200);
      EXPECT_EQ(res.header("Vary"), "Accept-Encoding") << path << " " << name;
      if (c.gzip) {
        EXPECT_EQ(res.header("Content-Encoding"), "gzip") << path << " " << name;
        EXPECT_EQ(res.headers.count("Content-Encoding"), 1u) << "compressed once, by us";
        const auto body = gunzip(res.body);
        ASSERT_TRUE(body) << path << " " << name << ": not one gzip member";
        EXPECT_TRUE(*body == expected) << path << " " << name << ": " << body->size() << " bytes";
        EXPECT_LT(res.body.size(), expected.size() / 4);
      } else {
        EXPECT_FALSE(res.headers.count("Content-Encoding")) << path << " " << name;
        EXPECT_TRUE(res.body == expected) << path << " " << name << ": " << res.body.size() << " bytes";
      }
    }
  }

  // HEAD: the same headers, no body, nothing rendered for /metrics.
  const int streamed = app.stream_calls.load();
  auto res = raw.Head("/metrics", {{"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Encoding"), "gzip");
  EXPECT_TRUE(res->body.empty());
  EXPECT_EQ(app.stream_calls.load(), streamed);
  res = raw.Head("/", {{"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->get_header_value("Content-Encoding"), "gzip");
  EXPECT_TRUE(res->body.empty());

  // httplib's decoding client, offering what it can decode (gzip, deflate and br), reads both.
  httplib::Client decoding("127.0.0.1", server->bound_port());
  decoding.set_read_timeout(10, 0);
  res = decoding.Get("/metrics", {{"Accept-Encoding", "gzip, deflate, br"}});
  ASSERT_TRUE(res);
  EXPECT_TRUE(res->body == metrics);
  res = decoding.Get("/", {{"Accept-Encoding", "gzip, deflate, br"}});
  ASSERT_TRUE(res);
  EXPECT_TRUE(res->body == page);
}

// Sends `request` to 127.0.0.1:port, reads about `bytes` of the answer and closes at once.
std::string first_bytes(int port, const std::string& request, std::size_t bytes) {
  const rdns::UniqueFd fd = testing::connect_loopback(port);
  std::string response;
  if (fd.valid() &&
      ::send(fd.get(), request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
    char buffer[4096];
    while (response.size() < bytes) {
      const ssize_t n = ::recv(fd.get(), buffer, sizeof buffer, 0);
      if (n <= 0) break;
      response.append(buffer, static_cast<std::size_t>(n));
    }
  }
  return response;
}

TEST(HttpWebServer, StreamedMetricsStopWhenTheClientLeaves) {
  FakeApp app;
  app.stream_chunk = 64 * 1024;
  {
    std::lock_guard lock(app.mutex);
    app.metrics_text = big_exposition();
  }
  auto server = start(app);
  ASSERT_TRUE(server);
  const int port = server->bound_port();
  // Reads the first bytes, then closes without reading the rest.
  EXPECT_EQ(raw_status(first_bytes(port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 4096)), 200);
  const auto begin = std::chrono::steady_clock::now();
  while (app.streams_done.load() == 0 && std::chrono::steady_clock::now() - begin < 10s) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(app.streams_done.load(), 1);
  EXPECT_EQ(app.streams_cut_short.load(), 1);  // write() returned false; the rest was not rendered
  EXPECT_EQ(raw_status(raw_exchange(port, "GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")), 200);
}

TEST(HttpWebServer, CustomTelemetryPathAndBadOnes) {
  FakeApp app;
  WebServerOptions options;
  options.telemetry_path = "/custom.metrics";
  auto server = start(app, options);
  ASSERT_TRUE(server);
  auto c = client(*server);
  auto res = c.Get("/custom.metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  res = c.Get("/customXmetrics");  // the dot is literal, not a regex wildcard
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  res = c.Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);

  for (const char* bad : {"", "metrics", "/", "/probe", "/-/healthy"}) {
    WebServerOptions o;
    o.listen_address = "127.0.0.1:0";
    o.telemetry_path = bad;
    auto failed = start_web_server(o, app.handlers());
    ASSERT_FALSE(failed) << bad;
    EXPECT_NE(failed.error().find("invalid telemetry path"), std::string::npos) << failed.error();
  }
}

TEST(HttpWebServer, ProbeNeedsATarget) {
  FakeApp app;
  auto server = start(app);
  ASSERT_TRUE(server);
  auto c = client(*server);
  auto res = c.Get("/probe");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(res->body.find("Target parameter is missing"), std::string::npos);
  res = c.Get("/probe?target=");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);

  res = c.Get("/probe?target=192.0.2.10");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "probe_success 1\n");
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  {
    std::lock_guard lock(app.mutex);
    EXPECT_EQ(app.last_probe_target, "192.0.2.10");
  }
  res = c.Get("/probe?target=2001%3Adb8%3A%3A1");  // percent-decoded before the app sees it
  ASSERT_TRUE(res);
  {
    std::lock_guard lock(app.mutex);
    EXPECT_EQ(app.last_probe_target, "2001:db8::1");
  }
  res = c.Get("/probe?module=x&target=192.0.2.11&target=192.0.2.12");  // the first target counts
  ASSERT_TRUE(res);
  {
    std::lock_guard lock(app.mutex);
    EXPECT_EQ(app.last_probe_target, "192.0.2.11");
  }
  // Bytes no IP literal has never reach the app (nor are they echoed back).
  res = c.Get("/probe?target=192.0.2.1%0d%0aX-Injected:%201");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(res->body, "target contains a space, control or non-ASCII byte: not an IP address or host name\n");
  res = c.Get("/probe?target=%zz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  {
    std::lock_guard lock(app.mutex);
    EXPECT_EQ(app.last_probe_target, "192.0.2.11");
  }
  res = c.Get("/probe?target=not-an-ip");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);  // the app's status is passed through
  EXPECT_EQ(res->body, "bad target\n");
}

TEST(HttpWebServer, ProbeHandsOnDebugAndTheScrapeTimeout) {
  FakeApp app;
  auto server = start(app);
  ASSERT_TRUE(server);
  auto c = client(*server);
  auto res = c.Get("/probe?target=mail.example.test&debug=true",
                   httplib::Headers{{"X-Prometheus-Scrape-Timeout-Seconds", "2.5"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  {
    std::lock_guard lock(app.mutex);
    EXPECT_EQ(app.last_probe_target, "mail.example.test");
    EXPECT_TRUE(app.last_probe_debug);
    EXPECT_EQ(app.last_scrape_timeout, 2.5);
  }
  for (const char* header : {"", "0", "-1", "abc", "nan", "inf", "1.5s"}) {
    res = c.Get("/probe?target=192.0.2.1&debug=1", httplib::Headers{{"X-Prometheus-Scrape-Timeout-Seconds", header}});
    ASSERT_TRUE(res);
    std::lock_guard lock(app.mutex);
    EXPECT_FALSE(app.last_probe_debug) << "only debug=true asks for the explanation";
    EXPECT_FALSE(app.last_scrape_timeout) << "header \"" << header << "\" is not a timeout";
  }
}

TEST(HttpWebServer, ReloadIsPostOnly) {
  FakeApp app;
  auto server = start(app);
  ASSERT_TRUE(server);
  auto c = client(*server);
  auto res = c.Post("/-/reload", "", "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(app.reload_calls.load(), 1);
  {
    std::lock_guard lock(app.mutex);
    app.reload_error = "rdns_exporter.toml:3:1: targets[0].ip: bad IP";
  }
  res = c.Post("/-/reload", "", "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 500);
  EXPECT_NE(res->body.find("rdns_exporter.toml:3:1: targets[0].ip: bad IP"), std::string::npos);

  res = c.Get("/-/reload");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 405);
  EXPECT_EQ(res->get_header_value("Allow"), "POST");
  EXPECT_EQ(app.reload_calls.load(), 2);  // GET never reloads
}

TEST(HttpWebServer, StatusPageIsHtmlWithAStrictPolicyAndGetsTheQueryParameters) {
  FakeApp app;
  auto server = start(app);
  ASSERT_TRUE(server);
  auto c = client(*server);
  auto res = c.Get("/");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(res->get_header_value("Cache-Control"), "no-store");
  EXPECT_NE(res->get_header_value("Content-Security-Policy").find("default-src 'none'"), std::string::npos);
  EXPECT_EQ(res->body, app.status_page_html);

  res = c.Get("/?filter=failing&ip=192.0.2.1&limit=7");
  ASSERT_TRUE(res);
  std::lock_guard lock(app.mutex);
  ASSERT_EQ(app.status_page_queries.size(), 2u);
  EXPECT_EQ(app.status_page_queries[0], "filter=;ip=;limit=");
  EXPECT_EQ(app.status_page_queries[1], "filter=failing;ip=192.0.2.1;limit=7");
}

TEST(HttpWebServer, ListenAddressErrors) {
  FakeApp app;
  auto first = start(app);
  ASSERT_TRUE(first);
  WebServerOptions options;
  options.listen_address = "127.0.0.1:" + std::to_string(first->bound_port());
  auto second = start_web_server(options, app.handlers());
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().find("address already in use"), std::string::npos) << second.error();
  EXPECT_NE(second.error().find(options.listen_address), std::string::npos) << second.error();

  options.listen_address = "127.0.0.1";
  auto bad = start_web_server(options, app.handlers());
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("missing :port"), std::string::npos) << bad.error();

  options.listen_address = "no-such-host.invalid:0";
  bad = start_web_server(options, app.handlers());
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("cannot resolve host"), std::string::npos) << bad.error();

  options.listen_address = "192.0.2.1:0";  // not an address of this machine
  bad = start_web_server(options, app.handlers());
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("cannot listen on 192.0.2.1:0"), std::string::npos) << bad.error();
}

TEST(HttpWebServer, ListensOnLocalhostAndIpv6Loopback) {
  FakeApp app;
  WebServerOptions options;
  options.listen_address = "localhost:0";
  auto server = start(app, options);
  ASSERT_TRUE(server);
  options.listen_address = "[::1]:0";
  auto v6 = start_web_server(options, app.handlers());
  if (!v6) GTEST_SKIP() << "no IPv6 loopback here: " << v6.error();
  httplib::Client c("::1", (*v6)->bound_port());
  auto res = c.Get("/-/healthy");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST(HttpWebServer, StopsPromptlyEvenRightAfterStart) {
  FakeApp app;
  for (int i = 0; i < 5; ++i) {
    auto server = start(app);
    ASSERT_TRUE(server);
    const auto begin = std::chrono::steady_clock::now();
    server->stop();
    server->stop();  // idempotent
    EXPECT_LT(std::chrono::steady_clock::now() - begin, 2s);
  }
  // With an idle keep-alive connection open.
  auto server = start(app);
  ASSERT_TRUE(server);
  const int port = server->bound_port();
  auto c = client(*server);
  c.set_keep_alive(true);
  ASSERT_TRUE(c.Get("/-/healthy"));
  const auto begin = std::chrono::steady_clock::now();
  server->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 4s);
  EXPECT_EQ(raw_exchange(port, "GET /-/healthy HTTP/1.0\r\n\r\n", 500), "connect failed");
}

TEST(HttpWebServer, ConcurrentScrapes) {
  FakeApp app;
  auto server = start(app);
  ASSERT_TRUE(server);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      httplib::Client c("127.0.0.1", server->bound_port());
      c.set_keep_alive(t % 2 == 0);
      for (int i = 0; i < 25; ++i) {
        auto res = c.Get(i % 5 == 0 ? "/" : "/metrics");
        if (res && res->status == 200 && (i % 5 == 0 || res->body == k_metrics)) ++ok;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), 200);
  EXPECT_EQ(app.stream_calls.load(), 160);
}

TEST(HttpWebServer, KeepAliveRequestsAreNotDelayed) {
  // Without TCP_NODELAY each keep-alive response waits ~40 ms for the client's delayed ACK.
  FakeApp app;
  auto server = start(app);
  ASSERT_TRUE(server);
  auto c = client(*server);
  c.set_keep_alive(true);
  const auto begin = std::chrono::steady_clock::now();
  for (int i = 0; i < 50; ++i) {
    auto res = c.Get("/metrics");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 1s);
}

TEST(HttpWebServer, HostileRequestsGetCleanErrors) {
  FakeApp app;
  auto server = start(app);
  ASSERT_TRUE(server);
  const int port = server->bound_port();
  auto alive = [&] {
    return raw_status(raw_exchange(port, "GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")) == 200;
  };
  auto exchange = [&](const std::string& request) { return raw_exchange(port, request); };

  EXPECT_EQ(raw_status(exchange("\x16\x03\x01garbage\r\n\r\n")), 400);
  EXPECT_TRUE(alive());
  EXPECT_EQ(raw_status(exchange("GET\r\n\r\n")), 400);
  EXPECT_EQ(raw_status(exchange("BREW /metrics HTTP/1.1\r\nHost: x\r\n\r\n")), 400);
  EXPECT_TRUE(alive());

  // 100 KB in one header, and many small headers.
  const std::string huge =
      "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(100 * 1024, 'a') + "\r\nConnection: close\r\n\r\n";
  const int huge_status = raw_status(exchange(huge));
  EXPECT_TRUE(huge_status == 431 || huge_status == 400 || huge_status == 0) << huge_status;
  EXPECT_NE(huge_status, 200);
  std::string many = "GET /metrics HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 500; ++i) many += "X-H" + std::to_string(i) + ": v\r\n";
  many += "Connection: close\r\n\r\n";
  EXPECT_EQ(raw_status(exchange(many)), 431);
  EXPECT_TRUE(alive());

  // A URI over httplib's 8 KiB limit.
  EXPECT_EQ(raw_status(exchange("GET /?" + std::string(10000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n")), 414);

  // Path traversal never reaches a file.
  const std::string traversal = exchange("GET /../../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(raw_status(traversal), 404);
  EXPECT_EQ(traversal.find("root:"), std::string::npos);
  EXPECT_EQ(raw_status(exchange("GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")),
            404);

  // Broken percent-encoding: handled, never a crash.
  const int bad_escape =
      raw_status(exchange("GET /probe?target=%zz%4 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  EXPECT_TRUE(bad_escape == 200 || bad_escape == 400) << bad_escape;
  EXPECT_EQ(raw_status(exchange("GET /?ip=%ff%00%3c&filter=%%% HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")),
            200);
  EXPECT_TRUE(alive());

  // Many overlapping ranges would multiply the response: ranges are ignored.
  std::string ranges = "bytes=0-";
  for (int i = 0; i < 300; ++i) ranges += ",0-";
  auto c = client(*server);
  auto res = c.Get("/metrics", {{"Range", ranges}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, k_metrics);

  // A body where none is wanted, over the payload limit.
  const std::string big_body =
      "POST /-/reload HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\nConnection: close\r\n\r\n" +
      std::string(1024 * 1024, 'x');
  EXPECT_EQ(raw_status(exchange(big_body)), 413);
  EXPECT_EQ(app.reload_calls.load(), 0);
  EXPECT_TRUE(alive());
}

TEST(HttpWebServer, SlowClientsDoNotBlockOthers) {
  FakeApp app;
  auto server = start(app);
  ASSERT_TRUE(server);
  const int port = server->bound_port();
  // A few slowloris connections that send half a request and stall.
  std::vector<std::thread> slow;
  for (int i = 0; i < 4; ++i) {
    slow.emplace_back([port] { raw_exchange(port, "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ", 1500); });
  }
  std::this_thread::sleep_for(100ms);
  const auto begin = std::chrono::steady_clock::now();
  EXPECT_EQ(raw_status(raw_exchange(port, "GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")), 200);
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 1s);
  for (auto& thread : slow) thread.join();
}

// ---- --web.config.file: basic auth and TLS -------------------------------------------------

std::string web_config_with_user(const std::string& user, const std::string& hash, const std::string& tls = "") {
  return tls + "[basic_auth_users]\n" + user + " = \"" + hash + "\"\n";
}

std::string basic(const std::string& user, const std::string& password) {
  return "Basic " + base64_encode(user + ":" + password);
}

TEST(HttpWebServer, BasicAuthGuardsEveryRoute) {
  TempDir dir;
  const std::string config = dir.write("web.toml", web_config_with_user("alice", bcrypt_hash("s3cret", 4)));
  FakeApp app;
  WebServerOptions options;
  options.web_config_file = config;
  auto server = start(app, options);
  ASSERT_TRUE(server);
  auto c = client(*server);
  for (const char* path : {"/metrics", "/-/healthy", "/", "/probe?target=192.0.2.1"}) {
    auto res = c.Get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 401) << path;
    EXPECT_EQ(res->get_header_value("WWW-Authenticate"), "Basic") << path;
  }
  auto res = c.Get("/metrics", {{"Authorization", basic("alice", "wrong")}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  res = c.Get("/metrics", {{"Authorization", basic("mallory", "s3cret")}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  res = c.Get("/metrics", {{"Authorization", "Basic !!notbase64"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  EXPECT_EQ(app.stream_calls.load(), 0);

  res = c.Get("/metrics", {{"Authorization", basic("alice", "s3cret")}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, k_metrics);
  httplib::Client with_auth("127.0.0.1", server->bound_port());
  with_auth.set_basic_auth("alice", "s3cret");
  res = with_auth.Post("/-/reload", "", "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST(HttpWebServer, WebConfigIsReReadAndFailsClosed) {
  TempDir dir;
  const std::string config = dir.write("web.toml", web_config_with_user("alice", bcrypt_hash("one", 4)));
  FakeApp app;
  WebServerOptions options;
  options.web_config_file = config;
  auto server = start(app, options);
  ASSERT_TRUE(server);
  auto c = client(*server);
  auto status_with = [&](const std::string& user, const std::string& password) {
    auto res = c.Get("/-/healthy", {{"Authorization", basic(user, password)}});
    return res ? res->status : 0;
  };
  EXPECT_EQ(status_with("alice", "one"), 200);

  // A changed password takes effect without a restart.
  dir.write("web.toml", web_config_with_user("alice", bcrypt_hash("two", 4)));
  EXPECT_EQ(status_with("alice", "one"), 401);
  EXPECT_EQ(status_with("alice", "two"), 200);

  // A broken file: refuse everything (500), never serve without auth.
  dir.write("web.toml", "[basic_auth_users\nalice = \n");
  EXPECT_EQ(status_with("alice", "two"), 500);
  auto res = c.Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 500);
  EXPECT_NE(res->body.find("web config file is invalid"), std::string::npos);
  std::filesystem::remove(config);
  EXPECT_EQ(status_with("alice", "two"), 500);

  // Fixed again; users removed entirely means no auth, as in the toolkit.
  dir.write("web.toml", web_config_with_user("bob", bcrypt_hash("three", 4)));
  EXPECT_EQ(status_with("bob", "three"), 200);
  EXPECT_EQ(status_with("alice", "two"), 401);
  dir.write("web.toml", "");
  res = c.Get("/-/healthy");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST(HttpWebServer, InvalidWebConfigAtStartIsAnError) {
  TempDir dir;
  FakeApp app;
  WebServerOptions options;
  options.listen_address = "127.0.0.1:0";
  options.web_config_file = dir.file("missing.toml");
  auto failed = start_web_server(options, app.handlers());
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().find("missing.toml"), std::string::npos) << failed.error();

  options.web_config_file = dir.write("web.toml", "[tls_server_config]\ncert_file = \"" + dir.file("none.crt") +
                                                      "\"\nkey_file = \"" + dir.file("none.key") + "\"\n");
  failed = start_web_server(options, app.handlers());
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().find("none.crt"), std::string::npos) << failed.error();
}

TEST(HttpWebServer, ServesTlsWithBasicAuth) {
  TempDir dir;
  ASSERT_TRUE(testing::make_self_signed_cert(dir, "server")) << "openssl req failed";
  const std::string tls = testing::tls_section(dir) + "\n";
  FakeApp app;
  WebServerOptions options;
  options.web_config_file = dir.write("web.toml", web_config_with_user("alice", bcrypt_hash("pw", 4), tls));
  auto server = start(app, options);
  ASSERT_TRUE(server);

  auto client = testing::tls_client_trusting(server->bound_port(), dir.file("server.crt"));
  httplib::SSLClient& tls_client = *client;
  auto res = tls_client.Get("/metrics");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 401);
  tls_client.set_basic_auth("alice", "pw");
  res = tls_client.Get("/metrics");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, k_metrics);
  EXPECT_EQ(tls_client.get_openssl_verify_result(), X509_V_OK);

  // Plain HTTP to the TLS port gets nothing useful, and the server lives on.
  const std::string plain = raw_exchange(server->bound_port(), "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 2000);
  EXPECT_EQ(plain.find("rdns_targets"), std::string::npos);
  res = tls_client.Get("/-/healthy");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST(HttpWebServer, RenewedCertificateIsServedWithoutRestart) {
  TempDir dir;
  ASSERT_TRUE(testing::make_self_signed_cert(dir, "server"));
  ASSERT_TRUE(testing::make_self_signed_cert(dir, "renewed"));
  std::filesystem::copy_file(dir.file("server.crt"), dir.file("original.crt"));
  FakeApp app;
  WebServerOptions options;
  options.web_config_file = dir.write("web.toml", testing::tls_section(dir));
  auto server = start(app, options);
  ASSERT_TRUE(server);
  auto healthy_trusting = [&](const std::string& ca) {
    auto res = testing::tls_client_trusting(server->bound_port(), dir.file(ca))->Get("/-/healthy");
    return res && res->status == 200;
  };
  EXPECT_TRUE(healthy_trusting("original.crt"));
  EXPECT_FALSE(healthy_trusting("renewed.crt"));

  // Renewal as certbot/cert-manager do it: new files in place.
  std::filesystem::rename(dir.file("renewed.key"), dir.file("server.key"));
  std::filesystem::rename(dir.file("renewed.crt"), dir.file("server.crt"));
  std::filesystem::copy_file(dir.file("server.crt"), dir.file("renewed.crt"));
  EXPECT_TRUE(healthy_trusting("renewed.crt"));
  EXPECT_FALSE(healthy_trusting("original.crt"));

  // A broken renewal is ignored: the last good pair keeps serving.
  dir.write("server.crt", "-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n");
  EXPECT_TRUE(healthy_trusting("renewed.crt"));
}

TEST(HttpWebServer, TlsClientCertificates) {
  TempDir dir;
  ASSERT_TRUE(testing::make_self_signed_cert(dir, "server"));
  ASSERT_TRUE(testing::make_self_signed_cert(dir, "client"));
  FakeApp app;
  WebServerOptions options;
  options.web_config_file =
      dir.write("web.toml", "[tls_server_config]\ncert_file = \"" + dir.file("server.crt") + "\"\nkey_file = \"" +
                                dir.file("server.key") + "\"\nclient_ca_file = \"" + dir.file("client.crt") +
                                "\"\nclient_auth_type = \"RequireAndVerifyClientCert\"\n");
  auto server = start(app, options);
  ASSERT_TRUE(server);

  httplib::SSLClient anonymous("127.0.0.1", server->bound_port());
  anonymous.enable_server_certificate_verification(false);
  anonymous.set_connection_timeout(2, 0);
  EXPECT_FALSE(anonymous.Get("/-/healthy"));

  httplib::SSLClient with_cert("127.0.0.1", server->bound_port(), dir.file("client.crt"), dir.file("client.key"));
  with_cert.enable_server_certificate_verification(false);
  auto res = with_cert.Get("/-/healthy");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
}

TEST(HttpWebServer, StreamedMetricsBehindBasicAuthAndTls) {
  TempDir dir;
  ASSERT_TRUE(testing::make_self_signed_cert(dir, "server")) << "openssl req failed";
  const std::string tls = testing::tls_section(dir) + "\n";
  FakeApp app;
  app.stream_chunk = 1000;
  {
    std::lock_guard lock(app.mutex);
    for (int i = 0; i < 20000; ++i)
      app.metrics_text += "rdns_check_success{ip=\"192.0.2." + std::to_string(i % 256) + "\"} 1\n";
  }
  const std::string expected = app.metrics_text;
  WebServerOptions options;
  options.web_config_file = dir.write("web.toml", web_config_with_user("alice", bcrypt_hash("pw", 4), tls));
  auto server = start(app, options);
  ASSERT_TRUE(server);

  auto client = testing::tls_client_trusting(server->bound_port(), dir.file("server.crt"));
  httplib::SSLClient& tls_client = *client;
  auto res = tls_client.Get("/metrics");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 401);
  EXPECT_EQ(app.stream_calls.load(), 0);  // nothing rendered for an unauthenticated client

  tls_client.set_basic_auth("alice", "pw");
  res = tls_client.Get("/metrics");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_TRUE(res->body == expected);
  res = tls_client.Get("/metrics", {{"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Encoding"), "gzip");
  EXPECT_TRUE(res->body == expected);
  EXPECT_EQ(app.stream_calls.load(), 2);
}

}  // namespace
}  // namespace rdns::agent
