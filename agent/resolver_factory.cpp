#include "agent/resolver_factory.hpp"

#include <spdlog/spdlog.h>

namespace rdns::agent {

checks::ResolverSettings to_resolver_settings(const config::ResolverConfig& config) {
  checks::ResolverSettings settings;
  switch (config.mode) {
    case config::ResolverMode::system: settings.mode = checks::ResolverSettings::Mode::system; break;
    case config::ResolverMode::recursive: settings.mode = checks::ResolverSettings::Mode::recursive; break;
    case config::ResolverMode::forward: settings.mode = checks::ResolverSettings::Mode::forward; break;
  }
  settings.forwarders = config.forwarders;
  settings.root_hints_file = config.root_hints_file;
  settings.trust_anchor_file = config.trust_anchor_file;
  settings.dnssec = config.dnssec;
  settings.unbound_config_file = config.unbound_config_file;
  return settings;
}

tl::expected<std::unique_ptr<checks::UnboundResolver>, std::string> make_resolver(
    const config::ResolverConfig& config) {
  checks::ResolverSettings settings = to_resolver_settings(config);
  // checks/ does not log; a callback that throws is a bug that must not pass silently.
  settings.on_callback_exception = [](const std::string& what) { spdlog::error("{}", what); };
  return checks::UnboundResolver::create(settings);
}

}  // namespace rdns::agent
