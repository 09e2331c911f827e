// The HTTP routes mapped onto a Service: what each endpoint of the web server calls.
#pragma once

#include <string>

#include "agent/http/web_server.hpp"
#include "agent/service/service.hpp"

namespace rdns::agent {

struct WebHandlerOptions {
  std::string config_file;                  // what POST /-/reload reads; empty: reload answers 500
  std::string telemetry_path = "/metrics";  // linked from the status page
};

// The handlers keep a reference to `service`: it must outlive the web server.
WebHandlers make_web_handlers(Service& service, WebHandlerOptions options);

}  // namespace rdns::agent
