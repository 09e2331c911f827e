// What every request must pass before it is routed: header limits, no Range requests, and from
// --web.config.file (re-read when the file changed): the extra response headers
// (http_server_config.headers, on every response, refusals included), the rate limit (rate_limit:
// 429 beyond it) and basic auth (bcrypt successes cached).
//
// Thread-safety: check() from any number of HTTP worker threads at once.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include <httplib.h>

#include "agent/http/basic_auth.hpp"
#include "agent/http/web_config_source.hpp"

namespace rdns::agent {

class RequestGuard {
public:
  // `web_config` may be null (no --web.config.file: no authentication).
  explicit RequestGuard(WebConfigSource* web_config) : m_web_config(web_config) {}

  // Handled: `res` holds the refusal (431, 429, 401, or 500 when the web config turned invalid:
  // never unauthenticated); Unhandled: route the request.
  httplib::Server::HandlerResponse check(const httplib::Request& req, httplib::Response& res);

  // `res` (status 400 from httplib) turned into the 431 check() gives for too many header
  // fields, when httplib refused the request for that reason before check() could see it; false
  // (and `res` untouched) otherwise. For the error handler.
  static bool header_count_refusal(const httplib::Request& req, httplib::Response& res);

private:
  // rate_limit as a token bucket: `burst` tokens, one more every `interval`. A change of the
  // settings in the file starts a full bucket.
  bool rate_allows(std::chrono::milliseconds interval, int burst);

  WebConfigSource* m_web_config;
  std::mutex m_rate_mutex;  // guards the bucket
  std::chrono::milliseconds m_rate_interval{0};
  int m_rate_burst = 0;
  double m_tokens = 0;
  std::chrono::steady_clock::time_point m_refilled{};
  BcryptVerifier m_verifier;
};

}  // namespace rdns::agent
