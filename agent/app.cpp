// run_agent: the process around Service — resolver construction, the web server, signals.
#include "agent/app.hpp"

#include <malloc.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <spdlog/spdlog.h>

#include "agent/report/exit_codes.hpp"
#include "agent/discovery/discovery_backend.hpp"
#include "agent/http/web_server.hpp"
#include "agent/logging/logging.hpp"
#include "agent/engine/resolver_factory.hpp"
#include "agent/service/service.hpp"
#include "agent/signals.hpp"
#include "agent/service/state_keeper.hpp"
#include "agent/web_handlers.hpp"
#include "checks/unbound/unbound_resolver.hpp"

namespace rdns::agent {
namespace {

// The anchors in use, once at start: with the RFC 5011 state or what is given up without it.
void log_trust_anchors(const checks::TrustAnchorInfo& anchors) {
  if (anchors.source.empty()) {
    spdlog::info("DNSSEC validation is off (resolver.dnssec = false)");
    return;
  }
  if (!anchors.warning.empty()) log_event(spdlog::level::warn, anchors.warning, {{"source", anchors.source}});
  if (!anchors.note.empty()) log_event(spdlog::level::info, anchors.note, {{"source", anchors.source}});
  log_event(spdlog::level::info, "DNSSEC trust anchors",
            {{"source", anchors.source},
             {"key_tags", checks::key_tags_text(anchors.key_tags)},
             {"path", anchors.path.empty() ? "none" : anchors.path}});
  if (anchors.source == "system" || anchors.source == "builtin") {
    spdlog::info(
        "no --storage.path: the root trust anchors are static (no RFC 5011); after a root key roll they "
        "are only renewed with the system's dns-root-data package or a new rdns_exporter");
  }
}

}  // namespace

int run_agent(const AgentOptions& options, config::Config initial) {
  // glibc gives each HTTP worker thread its own malloc arena, and an arena keeps the ~15 MB a
  // /16 scrape freed: peak RSS grew with every scrape served by another worker (162-206 MB at a
  // /16, measured by tests/bench/scale). Two arenas keep it flat (84 MB) at no measurable cost.
  mallopt(M_ARENA_MAX, 2);
  // Before any thread exists: every thread inherits the blocked signals.
  SignalWaiter signals;

  const std::size_t target_count = initial.targets.size();
  const auto mode = initial.resolver.mode;
  const auto interval = initial.schedule.interval;
  ServiceOptions service_options;
  const ResolverFactory make_unbound_stack = unbound_resolver_factory(auto_trust_anchor_path(options.storage_path));
  service_options.make_resolver = make_unbound_stack;
  service_options.unbound_version = checks::UnboundResolver::version();
  service_options.shard = options.shard;
  service_options.probe_timeout_offset = options.probe_timeout_offset;
  service_options.discovery_backend = discovery::make_resolver_backend(make_unbound_stack);
  auto service = Service::create(std::move(initial), std::move(service_options));
  if (!service) {
    spdlog::error("cannot start: {}", service.error());
    return k_exit_config;
  }

  if (const auto engine = (*service)->current_engine()) {
    log_trust_anchors(engine->resolver()->trust_anchors());
  }

  WebServerOptions web_options;
  web_options.listen_address = options.listen_address;
  web_options.telemetry_path = options.telemetry_path;
  web_options.web_config_file = options.web_config_file;
  // Before the first scrape can come: restored results are served from the first request on.
  std::optional<StateKeeper> state;
  if (!options.storage_path.empty()) {
    state.emplace(options.storage_path, **service);
    state->load();
  }

  auto web = start_web_server(web_options, make_web_handlers(**service, {options.config_file, options.telemetry_path}));
  if (!web) {
    spdlog::error("cannot start the web server: {}", web.error());
    (*service)->shutdown();
    return k_exit_software;
  }
  log_event(spdlog::level::info, "rdns_exporter started",
            {{"listen", options.listen_address},
             {"port", std::to_string((*web)->bound_port())},
             {"telemetry_path", options.telemetry_path},
             {"targets", std::to_string(target_count)},
             {"resolver", std::string(mode_name(mode))},
             {"interval_seconds", std::to_string(std::chrono::duration_cast<std::chrono::seconds>(interval).count())},
             {"tls_auth_config", options.web_config_file.empty() ? "none" : options.web_config_file},
             {"storage_path", options.storage_path.empty() ? "none" : options.storage_path}});
  (*service)->start();

  for (;;) {
    const auto event = signals.wait(std::chrono::seconds(1));
    if (event == SignalWaiter::Event::terminate) break;
    if (event == SignalWaiter::Event::reload) {
      spdlog::info("SIGHUP: reloading {}", options.config_file);
      (void)(*service)->reload_from_file(options.config_file);
    }
    (*service)->tick();
    if (state) state->tick();
  }

  spdlog::info("shutting down");
  (*service)->begin_shutdown();
  (*web)->stop();
  (*service)->shutdown();
  if (state) state->flush();
  spdlog::info("stopped");
  return k_exit_ok;
}

}  // namespace rdns::agent
