// `rdns_exporter --config.check`: the agent's start-up validation without starting anything.
// The config and the web config are loaded exactly as the agent loads them, and a resolver is
// configured from [resolver] (files, anchors, unbound.conf) and destroyed unused: libunbound
// reads its files then but sends no query before the first lookup, and there is none.
#include <ostream>

#include "agent/cli/commands.hpp"
#include "agent/report/exit_codes.hpp"
#include "agent/engine/resolver_factory.hpp"
#include "config/load.hpp"
#include "config/web_config.hpp"

namespace rdns::agent {

int run_config_check(const std::string& config_file, const std::string& web_config_file, std::ostream& out,
                     std::ostream& err) {
  auto loaded = config::load_config_file(config_file, config::LoadOptions{.require_targets = false});
  if (!loaded) {
    err << loaded.error().to_string() << "\n";
    return k_exit_config;
  }
  for (const auto& warning : loaded->warnings) err << "warning: " << warning.to_string() << "\n";
  if (!web_config_file.empty()) {
    if (auto web = config::load_web_config_file(web_config_file); !web) {
      err << web.error().to_string() << "\n";
      return k_exit_config;
    }
  }
  // One context is enough to judge the settings (every context gets the same ones).
  config::ResolverConfig resolver = loaded->config.resolver;
  resolver.contexts = 1;
  if (auto made = make_resolver(resolver); !made) {
    err << config_file << ": resolver: " << made.error() << "\n";
    return k_exit_config;
  }
  out << "OK\n";
  return k_exit_ok;
}

}  // namespace rdns::agent
