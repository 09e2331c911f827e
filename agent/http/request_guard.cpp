#include "agent/http/request_guard.hpp"

namespace rdns::agent {
namespace {

using httplib::Request;
using httplib::Response;

constexpr std::size_t k_max_header_bytes = 16 * 1024;
constexpr std::size_t k_max_header_count = 100;

void set_text(Response& res, int status, const std::string& body) {
  res.status = status;
  res.set_content(body, "text/plain; charset=utf-8");
}

}  // namespace

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
