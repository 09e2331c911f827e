// The HTTP(S) front of the agent: routes, TLS and basic auth (--web.config.file), nothing else.
// It knows nothing of DNS, checks or scheduling: the app hands it callbacks.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace rdns::agent {

// The answer of a handler that decides its own HTTP status (/probe).
struct ProbeResponse {
  int http_status = 200;     // 400 for a bad target, 403 outside the allow-list, 503 when busy
  std::string content_type;  // "text/plain; version=0.0.4; charset=utf-8" for an exposition
  std::string body;
};

// What /probe was asked.
struct ProbeRequest {
  std::string target;  // decoded, printable ASCII, not yet known to be an IP or a host name
  bool debug = false;  // debug=true: explain the probe as text instead of the exposition
  // X-Prometheus-Scrape-Timeout-Seconds, when sent as a positive number of seconds.
  std::optional<double> scrape_timeout_seconds;
};

// A request's query parameter by name; "" when absent.
using QueryParam = std::function<std::string(const std::string& name)>;

// Callbacks the app provides. All are called on HTTP worker threads, concurrently: each must be
// thread-safe. None may trigger DNS traffic except `probe`.
struct WebHandlers {
  std::function<std::string()> metrics;                             // exposition text (text format 0.0.4)
  std::function<ProbeResponse(const ProbeRequest& request)> probe;  // blocking one-shot check
  std::function<tl::expected<void, std::string>()> reload;          // POST /-/reload
  std::function<bool()> ready;                                      // /-/ready: first full cycle done
  std::function<std::string(const QueryParam& param)> status_page;  // "/": a whole HTML page
  std::function<std::string(const QueryParam& param)> api_targets;  // /api/v1/targets: its rows as JSON
  // Optional; when set, preferred over `metrics`: writes the same exposition in chunks of about
  // 64 KiB through `write` (which returns false once the client is gone; the rest is then
  // discarded). A /16 of targets is ~100 MB of text: streaming it (chunked transfer) keeps it
  // out of memory. For a gzip response it runs on a helper thread of the worker (chunk_pipe.hpp),
  // so that rendering and compressing overlap.
  std::function<void(const std::function<bool(std::string_view chunk)>& write)> metrics_stream;
};

struct WebServerOptions {
  std::string listen_address = ":9781";  // [host]:port, "[::1]:port" for IPv6
  std::string telemetry_path = "/metrics";
  std::string web_config_file;  // empty = plain HTTP, no auth
};

// Thread-safety: start() and stop() from one thread; the server runs its own worker threads.
class WebServer {
public:
  virtual ~WebServer() = default;
  virtual void stop() = 0;  // stops accepting, waits for in-flight requests
  virtual int bound_port() const = 0;
};

// Binds and starts serving. Errors (bad listen address, port taken, unreadable or invalid web
// config, bad certificate) come back as one-line messages.
//
// Behaviour (agent/http/, see its files):
// - Listening: bound before this returns, so errors are synchronous; ":port" is every interface
//   (IPv6 and IPv4); port 0 picks a free port (bound_port()). Served by 32 worker threads with a
//   bounded backlog; plain HTTP passes the connection gate first (connection_gate.hpp: a worker
//   gets a request only once it has arrived; 408 when not within 5 s, at most 512 connections,
//   503 beyond); read timeout 5 s, keep-alive 2 s, no request body over 64 KiB, headers over
//   16 KiB -> 431. SIGPIPE is ignored process-wide (a client leaving mid-response).
// - Routes: GET/HEAD <telemetry_path> (gzip when accepted, negotiated in content_coding.hpp), /probe?target= (400 without),
//   /-/healthy, /-/ready (503 until ready), POST /-/reload (500 with the error; other methods on
//   a known path -> 405 with Allow), GET / status page (?filter=, ?ip=, ?limit=, ?offset=; gzip as
//   /metrics), GET /api/v1/targets (the same rows as JSON, same parameters), else 404.
// - --web.config.file: validated here at start. basic_auth_users are re-read on every request
//   (parsed again only when the file changed); bcrypt successes are cached. A file that turns
//   invalid while serving makes every request 500 (logged), never unauthenticated. TLS settings
//   are read at start; the certificate/key files themselves are re-read when they change.
[[nodiscard]] tl::expected<std::unique_ptr<WebServer>, std::string> start_web_server(const WebServerOptions& options,
                                                                                     WebHandlers handlers);

}  // namespace rdns::agent
