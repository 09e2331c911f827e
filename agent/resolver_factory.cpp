#include "agent/resolver_factory.hpp"

namespace rdns::agent {

checks::ResolverSettings to_resolver_settings(const config::ResolverConfig& config) {
  checks::ResolverSettings settings;
  switch (config.mode) {
    case config::ResolverMode::system:
      settings.mode = checks::ResolverSettings::Mode::system;
      break;
    case config::ResolverMode::recursive:
      settings.mode = checks::ResolverSettings::Mode::recursive;
      break;
    case config::ResolverMode::forward:
      settings.mode = checks::ResolverSettings::Mode::forward;
      break;
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
  return checks::UnboundResolver::create(to_resolver_settings(config));
}

}  // namespace rdns::agent
