// The long-running agent: scheduler, HTTP endpoints, reload, signals.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "agent/schedule/sharding.hpp"
#include "config/model.hpp"

namespace rdns::agent {

struct AgentOptions {
  std::string config_file = "rdns_exporter.toml";
  std::string listen_address = ":9781";
  std::string telemetry_path = "/metrics";
  std::string web_config_file;  // exporter-toolkit style TLS/basic-auth TOML; empty = plain HTTP
  std::optional<Shard> shard;   // --shard: check only this agent's share of the targets
  std::string storage_path;     // --storage.path: where results survive restarts; empty = nowhere
  std::chrono::milliseconds probe_timeout_offset{500};  // --probe.timeout-offset
};

// Runs until SIGTERM/SIGINT; returns the process exit status. `initial` is the already
// validated config loaded from options.config_file.
int run_agent(const AgentOptions& options, config::Config initial);

}  // namespace rdns::agent
