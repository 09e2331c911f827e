#include "agent/http/request_guard.hpp"

#include <algorithm>

#include "agent/http/http_text.hpp"

namespace rdns::agent {
namespace {

using httplib::Request;
using httplib::Response;

constexpr std::size_t k_max_header_bytes = 16 * 1024;
constexpr std::size_t k_max_header_count = 100;

}  // namespace

bool RequestGuard::header_count_refusal([[maybe_unused]] const Request& req, [[maybe_unused]] Response& res) {
  // cpp-httplib 0.22 (and Debian 13's 0.18.7+deb13u1, which backports it) stops reading a
  // request at the 101st header field (CPPHTTPLIB_HEADER_MAX_COUNT) and answers 400 before any
  // handler runs; the error handler sees the request with the fields read so far, and without
  // the peer's address, which httplib sets only once the head was read whole. 0.11 reads them
  // all, and check() answers 431: the same answer for the same request on both.
#ifdef CPPHTTPLIB_HEADER_MAX_COUNT
  if (res.status == 400 && req.remote_addr.empty() && req.headers.size() >= CPPHTTPLIB_HEADER_MAX_COUNT) {
    set_text(res, 431, "request headers too large\n");
    return true;
  }
#endif
  return false;
}

bool RequestGuard::rate_allows(std::chrono::milliseconds interval, int burst) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(m_rate_mutex);
  if (interval != m_rate_interval || burst != m_rate_burst) {
    m_rate_interval = interval;
    m_rate_burst = burst;
    m_tokens = burst;
    m_refilled = now;
  }
  const double earned = std::chrono::duration<double>(now - m_refilled) / std::chrono::duration<double>(interval);
  m_tokens = std::min<double>(burst, m_tokens + earned);
  m_refilled = now;
  if (m_tokens < 1) return false;
  m_tokens -= 1;
  return true;
}

httplib::Server::HandlerResponse RequestGuard::check(const Request& req, Response& res) {
  using HR = httplib::Server::HandlerResponse;
  // httplib 0.11 answers Range requests with no limit on the number of ranges: "bytes=0-,0-,..."
  // would make a 30 MB scrape N times over. Nothing here needs ranges, and a server may ignore
  // them (RFC 9110 14.2). The Request is httplib's own non-const object, handed to us as const.
  const_cast<Request&>(req).ranges.clear();
  std::size_t header_bytes = 0;
  for (const auto& [name, value] : req.headers) header_bytes += name.size() + value.size() + 4;
  if (header_bytes > k_max_header_bytes || req.headers.size() > k_max_header_count) {
    set_text(res, 431, "request headers too large\n");
    return HR::Handled;
  }
  if (!m_web_config) return HR::Unhandled;
  auto web = m_web_config->current();
  if (!web) {
    // Never fall back to serving without the configured auth: fail closed until it is fixed.
    set_text(res, 500, "web config file is invalid, see the exporter's log\n");
    return HR::Handled;
  }
  for (const auto& [name, value] : (*web)->headers) res.set_header(name, value);
  if ((*web)->rate_limit_interval.count() > 0 && !rate_allows((*web)->rate_limit_interval, (*web)->rate_limit_burst)) {
    set_text(res, 429, "Too Many Requests\n");
    return HR::Handled;
  }
  const auto& users = (*web)->basic_auth_users;
  if (users.empty()) return HR::Unhandled;
  if (req.has_header("Authorization")) {
    if (auto credentials = parse_basic_authorization(req.get_header_value("Authorization"))) {
      const std::string* hash = nullptr;
      for (const auto& [name, stored] : users) {
        if (name == credentials->user) hash = &stored;
      }
      if (m_verifier.verify(credentials->user, credentials->password, hash)) return HR::Unhandled;
    }
  }
  res.set_header("WWW-Authenticate", "Basic");
  set_text(res, 401, "Unauthorized\n");
  return HR::Handled;
}

}  // namespace rdns::agent
