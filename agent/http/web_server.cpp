#include "agent/http/web_server.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <optional>
#include <thread>

#include <httplib.h>
#include <spdlog/spdlog.h>

#include "agent/http/bounded_task_queue.hpp"
#include "agent/http/chunk_pipe.hpp"
#include "agent/http/connection_gate.hpp"
#include "agent/http/content_coding.hpp"
#include "agent/http/http_text.hpp"
#include "agent/http/listen_address.hpp"
#include "agent/http/probe_query.hpp"
#include "agent/http/request_guard.hpp"
#include "agent/http/tls_context.hpp"
#include "agent/http/web_config_source.hpp"
#include "agent/logging/logging.hpp"

namespace rdns::agent {
namespace {

using httplib::Request;
using httplib::Response;

// Limits that keep hostile or broken clients cheap. httplib (0.11) already refuses request lines
// over 8 KiB (414) and unknown methods (400); the rest is set here.
// More workers than /probe may hold (16 in flight, ProbeHandler): a /probe flood leaves workers
// for /metrics and /-/healthy, and the excess probes get their 503 at once.
constexpr std::size_t k_worker_threads = 32;
constexpr std::size_t k_max_queued_connections = 64;
constexpr std::size_t k_max_payload_bytes = 64 * 1024;  // no endpoint takes a body
constexpr time_t k_read_timeout_seconds = 5;
constexpr time_t k_write_timeout_seconds = 10;
constexpr time_t k_keep_alive_timeout_seconds = 2;  // also bounds how long stop() waits for idle peers
constexpr std::size_t k_keep_alive_max_requests = 100;
constexpr int k_listen_backlog = 128;

constexpr const char* k_text = k_text_plain;
constexpr const char* k_exposition = "text/plain; version=0.0.4; charset=utf-8";

class HttpWebServer final : public WebServer {
public:
  HttpWebServer(const WebServerOptions& options, WebHandlers handlers)
      : m_options(options), m_handlers(std::move(handlers)) {}

  ~HttpWebServer() override { stop(); }

  [[nodiscard]] tl::expected<void, std::string> start();
  void stop() override {
    if (!m_thread.joinable()) return;
    m_server->stop();
    m_thread.join();
    if (auto* gated = dynamic_cast<GatedServer*>(m_server.get())) gated->stop_gate();
  }
  int bound_port() const override { return m_port; }

private:
  [[nodiscard]] tl::expected<void, std::string> create_server();
  [[nodiscard]] tl::expected<void, std::string> bind(const ListenAddress& address);
  void add_routes();

  void metrics(const Request& req, Response& res);
  void probe(const Request& req, Response& res);
  void ready(const Request& req, Response& res);
  void reload(const Request& req, Response& res);
  void status_page(const Request& req, Response& res);
  void targets_json(const Request& req, Response& res);

  const WebServerOptions m_options;
  const WebHandlers m_handlers;
  std::unique_ptr<WebConfigSource> m_web_config;  // null without --web.config.file
  std::unique_ptr<RequestGuard> m_guard;
  std::unique_ptr<CertificateReloader> m_certificates;  // with TLS; outlives m_server's SSL_CTX
  std::unique_ptr<httplib::Server> m_server;
  std::vector<std::string> m_get_paths;  // for 405 on other methods
  std::thread m_thread;
  int m_port = 0;
  int m_listen_socket = -1;  // the socket httplib bound last (set during bind() only)
};

tl::expected<void, std::string> HttpWebServer::create_server() {
  // Plain HTTP: requests reach a worker only once they have arrived (connection_gate.hpp).
  // TLS: httplib's own connection handling (the handshake needs the worker).
  const auto plain = [this] {
    GateLimits limits;
    limits.idle_timeout = std::chrono::seconds(k_keep_alive_timeout_seconds);
    limits.read_timeout_seconds = k_read_timeout_seconds;
    limits.write_timeout_seconds = k_write_timeout_seconds;
    limits.workers = k_worker_threads;
    limits.max_queued = k_max_queued_connections;
    limits.keep_alive_max_requests = k_keep_alive_max_requests;
    auto gated = GatedServer::create(limits);
    if (!gated) return tl::expected<void, std::string>(tl::unexpected(gated.error()));
    m_server = std::move(*gated);
    return tl::expected<void, std::string>{};
  };
  if (m_options.web_config_file.empty()) return plain();
  m_web_config = std::make_unique<WebConfigSource>(m_options.web_config_file);
  auto web = m_web_config->current();
  if (!web) return tl::unexpected(web.error());
  if (!(*web)->tls_enabled()) return plain();
  std::string tls_error;
  const config::WebConfig tls_config = **web;
  m_certificates = std::make_unique<CertificateReloader>(tls_config.cert_file, tls_config.key_file, tls_config.cert_pem,
                                                         tls_config.key_pem);
  auto server = std::make_unique<httplib::SSLServer>([&](SSL_CTX& ctx) {
    auto configured = configure_tls(ctx, tls_config, *m_certificates);
    if (!configured) tls_error = configured.error();
    return configured.has_value();
  });
  if (!server->is_valid()) {
    return tl::unexpected(tls_error.empty() ? std::string("cannot set up TLS") : tls_error);
  }
  m_server = std::move(server);
  return {};
}

tl::expected<void, std::string> HttpWebServer::bind(const ListenAddress& address) {
  // Resolve first ourselves: httplib says only "failed", and an operator needs to know why.
  const std::string host = address.host.empty() ? "::" : address.host;
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  const int gai = ::getaddrinfo(host.c_str(), nullptr, &hints, &found);
  if (gai != 0) {
    if (!address.host.empty()) {
      return tl::unexpected("cannot listen on " + m_options.listen_address + ": cannot resolve host \"" + address.host +
                            "\": " + ::gai_strerror(gai));
    }
  } else {
    ::freeaddrinfo(found);
  }

  // httplib's default sets SO_REUSEPORT, which lets a second process bind the same port
  // silently: "port already in use" must be an error. SO_REUSEADDR only (fast restarts).
  m_server->set_socket_options([this](int sock) {
    m_listen_socket = sock;
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    // Accepted sockets inherit it: without it, Nagle holds the body back behind the headers
    // until the client's delayed ACK (40 ms per keep-alive request).
    ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    int no = 0;  // ":port" means IPv4 and IPv6, as in Go
    ::setsockopt(sock, IPPROTO_IPV6, IPV6_V6ONLY, &no, sizeof no);
  });

  auto try_bind = [&](const std::string& h) {
    errno = 0;
    if (address.port == 0) {
      const int port = m_server->bind_to_any_port(h);
      if (port > 0) m_port = port;
      return port > 0;
    }
    if (!m_server->bind_to_port(h, address.port)) return false;
    m_port = address.port;
    return true;
  };
  bool bound = try_bind(host);
  int error = errno;
  if (!bound && address.host.empty() && (error == EAFNOSUPPORT || error == EADDRNOTAVAIL || gai != 0)) {
    bound = try_bind("0.0.0.0");  // a host without IPv6
    error = errno;
  }
  if (bound && m_listen_socket >= 0) {
    // httplib 0.11 listens with a backlog of 5, compiled in: a handful of simultaneous
    // connects would overflow it and wait a 1 s SYN retransmit. listen() again raises it.
    ::listen(m_listen_socket, k_listen_backlog);
  }
  if (!bound) {
    std::string why = error == EADDRINUSE ? "address already in use"
                      : error != 0        ? std::strerror(error)
                                          : "bind failed";
    return tl::unexpected("cannot listen on " + m_options.listen_address + ": " + why);
  }
  return {};
}

void HttpWebServer::metrics(const Request& req, Response& res) {
  if (!m_handlers.metrics_stream) return set_text(res, 503, "metrics are not available\n");
  // Chunked transfer: a /16 is ~100 MB of text, written as it is rendered instead of built
  // as one string first, and gzip-compressed as it goes when the client accepts gzip (zlib
  // level 1: ~16x smaller; the default level costs twice the CPU for 7 % less), rendered then
  // on a second thread (chunk_pipe.hpp). httplib calls no provider for HEAD (the headers,
  // Content-Encoding included, are the same). The provider runs after this handler returned,
  // still on this worker thread; the server (and so m_handlers) outlives it, as stop() waits
  // for in-flight requests.
  const ContentCoding coding = negotiate_coding(req, res);
  res.set_chunked_content_provider(k_exposition, [this, coding](std::size_t, httplib::DataSink& sink) {
    const auto send = [&sink](std::string_view bytes) { return sink.write(bytes.data(), bytes.size()); };
    std::optional<GzipStream> gzip;
    bool open = true;
    try {
      if (coding == ContentCoding::gzip) gzip.emplace(send);
      if (gzip) {
        // Compressing costs more than rendering: render on a second thread meanwhile.
        open = run_pipelined(m_handlers.metrics_stream, [&](std::string_view chunk) { return gzip->write(chunk); });
        if (open) open = gzip->finish();
      } else {
        m_handlers.metrics_stream([&](std::string_view chunk) {
          if (open && !chunk.empty()) open = send(chunk);
          return open;
        });
      }
    } catch (const std::exception& e) {
      // Past the handler, httplib's exception handler no longer applies, and the status line
      // is already sent: log, and cut the response short.
      spdlog::error("HTTP handler for /metrics failed while streaming: {}", e.what());
      return false;
    }
    // A client gone mid-way: false makes httplib drop the connection rather than end the
    // chunked body as if it were complete.
    if (!open) return false;
    sink.done();
    return true;
  });
}

void HttpWebServer::probe(const Request& req, Response& res) {
  const std::string_view query = query_of_request_target(req.target);
  auto target = probe_target_from_query(query);
  if (!target) return set_text(res, 400, target.error() + "\n");
  if (!m_handlers.probe) return set_text(res, 503, "probing is not available\n");
  ProbeRequest request;
  request.target = std::move(*target);
  request.debug = probe_debug_from_query(query);
  request.scrape_timeout_seconds =
      parse_scrape_timeout_header(req.get_header_value("X-Prometheus-Scrape-Timeout-Seconds"));
  ProbeResponse answer = m_handlers.probe(request);
  res.status = answer.http_status;
  res.set_content(answer.body, answer.content_type.empty() ? k_text : answer.content_type.c_str());
}

void HttpWebServer::ready(const Request&, Response& res) {
  if (!m_handlers.ready || m_handlers.ready()) return set_text(res, 200, "Ready\n");
  set_text(res, 503, "Not ready: first check cycle still running\n");
}

void HttpWebServer::reload(const Request&, Response& res) {
  if (!m_handlers.reload) return set_text(res, 503, "reload is not available\n");
  auto result = m_handlers.reload();
  if (!result) return set_text(res, 500, "failed to reload config: " + result.error() + "\n");
  set_text(res, 200, "config reloaded\n");
}

void HttpWebServer::status_page(const Request& req, Response& res) {
  if (!m_handlers.status_page) return set_text(res, 503, "the status page is not available\n");
  const QueryParam param = [&](const std::string& name) {
    return req.has_param(name.c_str()) ? req.get_param_value(name.c_str()) : std::string();
  };
  res.set_header("Cache-Control", "no-store");
  // The page needs nothing but its own inline CSS: forbid everything else, so even a missed
  // escape could not run a script.
  // A Content-Security-Policy from http_server_config.headers (already set) takes precedence.
  if (!res.has_header("Content-Security-Policy"))
    res.set_header("Content-Security-Policy",
                   "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; "
                   "frame-ancestors 'none'");
  // The default page at a /16 is ~0.35 MB of HTML: gzip at level 1 takes a few milliseconds
  // where httplib's brotli (quality 11, what a browser got) took most of a second.
  const ContentCoding coding = negotiate_coding(req, res);
  std::string page = m_handlers.status_page(param);
  if (coding == ContentCoding::gzip) page = gzip_compress(page);
  res.set_content(page, "text/html; charset=utf-8");
}

void HttpWebServer::targets_json(const Request& req, Response& res) {
  if (!m_handlers.api_targets) return set_text(res, 503, "the targets API is not available\n");
  const QueryParam param = [&](const std::string& name) {
    return req.has_param(name.c_str()) ? req.get_param_value(name.c_str()) : std::string();
  };
  res.set_header("Cache-Control", "no-store");
  const ContentCoding coding = negotiate_coding(req, res);
  std::string body = m_handlers.api_targets(param);
  if (coding == ContentCoding::gzip) body = gzip_compress(body);
  res.set_content(body, "application/json");
}

void HttpWebServer::add_routes() {
  httplib::Server& s = *m_server;
  auto bind_handler = [this](void (HttpWebServer::*fn)(const Request&, Response&)) {
    return [this, fn](const Request& req, Response& res) { (this->*fn)(req, res); };
  };
  s.Get(regex_escape(m_options.telemetry_path), bind_handler(&HttpWebServer::metrics));
  s.Get("/probe", bind_handler(&HttpWebServer::probe));
  s.Get("/-/healthy", [](const Request&, Response& res) { set_text(res, 200, "Healthy\n"); });
  s.Get("/-/ready", bind_handler(&HttpWebServer::ready));
  s.Post("/-/reload", bind_handler(&HttpWebServer::reload));
  s.Get("/", bind_handler(&HttpWebServer::status_page));
  s.Get("/api/v1/targets", bind_handler(&HttpWebServer::targets_json));
  m_get_paths = {m_options.telemetry_path, "/probe", "/-/healthy", "/-/ready", "/", "/api/v1/targets"};

  // A known path with the wrong method is 405 with Allow (GET /-/reload, as Prometheus does);
  // every other error gets a one-line text body.
  s.set_error_handler([this](const Request& req, Response& res) {
    RequestGuard::header_count_refusal(req, res);
    if (res.status == 404) {
      std::string allow;
      if (req.path == "/-/reload") allow = "POST";
      for (const auto& path : m_get_paths) {
        if (req.path == path) allow = "GET, HEAD";
      }
      if (!allow.empty()) {
        res.status = 405;
        res.set_header("Allow", allow);
        res.body.clear();
      }
    }
    if (res.body.empty())
      set_text(res, res.status, std::to_string(res.status) + " " + reason_phrase(res.status) + "\n");
  });
  s.set_exception_handler([](const Request& req, Response& res, std::exception_ptr ep) {
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {}
    spdlog::error("HTTP handler for {} failed: {}", req.path, what);
    set_text(res, 500, "internal error, see the exporter's log\n");
  });
  m_guard = std::make_unique<RequestGuard>(m_web_config.get());
  s.set_pre_routing_handler([this](const Request& req, Response& res) { return m_guard->check(req, res); });
  s.set_logger([](const Request& req, const Response& res) {
    log_event(spdlog::level::debug, "http request",
              {{"method", req.method},
               {"path", req.path},
               {"status", std::to_string(res.status)},
               {"remote", req.remote_addr}});
  });
}

tl::expected<void, std::string> HttpWebServer::start() {
  auto address = parse_listen_address(m_options.listen_address);
  if (!address) return tl::unexpected(address.error());
  const std::string& path = m_options.telemetry_path;
  if (path.empty() || path.front() != '/' || path == "/" || path == "/probe" || path.starts_with("/-/") ||
      path.starts_with("/api/")) {
    return tl::unexpected("invalid telemetry path \"" + path +
                          "\": must start with '/' and not be /, /probe or under /-/ or /api/");
  }
  if (auto created = create_server(); !created) return created;

  // A peer that goes away mid-response must not kill the process.
  std::signal(SIGPIPE, SIG_IGN);

  httplib::Server& s = *m_server;
  if (dynamic_cast<GatedServer*>(m_server.get()) == nullptr) {
    s.new_task_queue = [] { return new BoundedTaskQueue(k_worker_threads, k_max_queued_connections); };
  }
  s.set_payload_max_length(k_max_payload_bytes);
  s.set_read_timeout(k_read_timeout_seconds, 0);
  s.set_write_timeout(k_write_timeout_seconds, 0);
  s.set_keep_alive_timeout(k_keep_alive_timeout_seconds);
  s.set_keep_alive_max_count(k_keep_alive_max_requests);
  add_routes();

  if (auto bound = bind(*address); !bound) return bound;
  m_thread = std::thread([this] {
    if (!m_server->listen_after_bind()) spdlog::error("HTTP server on port {} stopped with an error", m_port);
  });
  // httplib's stop() is a no-op until the accept loop runs: wait for it, so that stop() right
  // after start cannot leave the thread serving forever.
  for (int i = 0; i < 2000 && !m_server->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  spdlog::info("listening on {} (port {}, {})", m_options.listen_address, m_port,
               dynamic_cast<httplib::SSLServer*>(m_server.get()) ? "TLS" : "plain HTTP");
  return {};
}

}  // namespace

tl::expected<std::unique_ptr<WebServer>, std::string> start_web_server(const WebServerOptions& options,
                                                                       WebHandlers handlers) {
  auto server = std::make_unique<HttpWebServer>(options, std::move(handlers));
  if (auto started = server->start(); !started) return tl::unexpected(started.error());
  return std::unique_ptr<WebServer>(std::move(server));
}

}  // namespace rdns::agent
