// What every request must pass before it is routed: header limits, no Range requests, and basic
// auth from --web.config.file (re-read when the file changed; bcrypt successes cached).
//
// Thread-safety: check() from any number of HTTP worker threads at once.
#pragma once

#include <memory>
#include <string>

#include <httplib.h>

#include "agent/http/basic_auth.hpp"
#include "agent/http/web_config_source.hpp"

namespace rdns::agent {

class RequestGuard {
public:
  // `web_config` may be null (no --web.config.file: no authentication).
  explicit RequestGuard(WebConfigSource* web_config) : m_web_config(web_config) {}

  // Handled: `res` holds the refusal (431, 401, or 500 when the web config turned invalid:
  // never unauthenticated); Unhandled: route the request.
  httplib::Server::HandlerResponse check(const httplib::Request& req, httplib::Response& res);

private:
  WebConfigSource* m_web_config;
  BcryptVerifier m_verifier;
};

}  // namespace rdns::agent
