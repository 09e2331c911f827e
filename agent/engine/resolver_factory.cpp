#include "agent/engine/resolver_factory.hpp"

#include <algorithm>
#include <cstdlib>
#include <thread>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "checks/sharded_resolver.hpp"

namespace rdns::agent {
namespace {

// More contexts than cores only adds threads competing for them (each context is two busy
// threads: ours and libunbound's); past 4 the gain, if any, is not worth the split cache.
constexpr unsigned k_max_default_contexts = 4;

}  // namespace

std::string_view mode_name(config::ResolverMode mode) {
  switch (mode) {
    case config::ResolverMode::system: return "system";
    case config::ResolverMode::recursive: return "recursive";
    case config::ResolverMode::forward: return "forward";
  }
  return "system";
}

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

std::size_t effective_contexts(const config::ResolverConfig& config, unsigned hardware_threads) {
  if (config.contexts > 0) return config.contexts;
  return std::clamp(hardware_threads, 1u, k_max_default_contexts);
}

std::string auto_trust_anchor_path(const std::string& storage_path) {
  if (storage_path.empty()) return {};
  return storage_path + (storage_path.back() == '/' ? "" : "/") + "root-anchors.rfc5011";
}

tl::expected<std::unique_ptr<checks::Resolver>, std::string> make_resolver(const config::ResolverConfig& config,
                                                                           const std::string& auto_trust_anchor_file,
                                                                           checks::TrustAnchorInfo* anchors) {
  checks::ResolverSettings settings = to_resolver_settings(config);
  if (const char* system = std::getenv(k_system_trust_anchor_env)) settings.system_trust_anchor_file = system;
  settings.auto_trust_anchor_file = auto_trust_anchor_file;
  // checks/ does not log; a callback that throws is a bug that must not pass silently.
  settings.on_callback_exception = [](const std::string& what) { spdlog::error("{}", what); };
  const std::size_t contexts = effective_contexts(config, std::thread::hardware_concurrency());
  std::vector<std::unique_ptr<checks::Resolver>> shards;
  shards.reserve(contexts);
  for (std::size_t i = 0; i < contexts; ++i) {
    auto made = checks::UnboundResolver::create(settings);
    if (!made) return tl::unexpected(std::move(made.error()));  // the shards made so far go with `shards`
    if (i == 0 && anchors != nullptr) *anchors = (*made)->trust_anchors();
    shards.push_back(std::move(*made));
  }
  if (shards.size() == 1) return std::move(shards.front());
  return std::make_unique<checks::ShardedResolver>(std::move(shards));
}

tl::expected<std::shared_ptr<ResolverStack>, std::string> make_resolver_stack(
    const config::ResolverConfig& config, std::shared_ptr<QueryRateLimiter> limiter,
    const std::string& auto_trust_anchor_file) {
  ResolverStackOptions options;
  options.limiter = std::move(limiter);
  auto base = make_resolver(config, auto_trust_anchor_file, &options.trust_anchors);
  if (!base) return tl::make_unexpected(base.error());
  options.description = std::string(mode_name(config.mode)) +
                        " contexts=" + std::to_string(effective_contexts(config, std::thread::hardware_concurrency()));
  if (!config.unbound_config_file.empty()) options.description += " unbound_config_file=" + config.unbound_config_file;
  return std::make_shared<ResolverStack>(std::move(*base), std::move(options));
}

ResolverFactory unbound_resolver_factory(std::string auto_trust_anchor_file) {
  return [auto_trust_anchor_file = std::move(auto_trust_anchor_file)](const config::ResolverConfig& config,
                                                                      std::shared_ptr<QueryRateLimiter> limiter) {
    return make_resolver_stack(config, std::move(limiter), auto_trust_anchor_file);
  };
}

}  // namespace rdns::agent
