// config::ResolverConfig -> a running resolver: the one place that maps the [resolver]
// section onto libunbound settings, for the agent and the `check` command alike, and that builds
// the agent's resolver stack (resolver_stack.hpp) over them.
// Thread-safety: stateless functions, callable from any thread.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "agent/engine/query_rate_limiter.hpp"
#include "agent/engine/resolver_stack.hpp"
#include "checks/resolver.hpp"
#include "checks/unbound/unbound_resolver.hpp"
#include "config/model.hpp"

namespace rdns::agent {

// "system", "recursive" or "forward", as [resolver] mode spells it (for the log).
std::string_view mode_name(config::ResolverMode mode);

// Field-for-field mapping (pure; unit-testable without libunbound doing anything).
checks::ResolverSettings to_resolver_settings(const config::ResolverConfig& config);

// How many libunbound contexts `config` asks for: `contexts`, or when 0 (not set) the number
// of CPU cores `hardware_threads` (std::thread::hardware_concurrency(); 0 = unknown) clamped
// to 1..4. Pure.
std::size_t effective_contexts(const config::ResolverConfig& config, unsigned hardware_threads);

// The environment variable that replaces the system's root anchor file
// (checks::k_system_root_anchor_file); set but empty: no system file, the built-in anchors.
inline constexpr const char* k_system_trust_anchor_env = "RDNS_EXPORTER_SYSTEM_TRUST_ANCHOR_FILE";

// Where --storage.path keeps the RFC 5011 state of the default root anchors.
std::string auto_trust_anchor_path(const std::string& storage_path);

// A new resolver for `config`: one UnboundResolver, or a ShardedResolver over
// effective_contexts() of them (same settings) when that is more than one. The error names the
// offending setting and file. A result callback that throws is logged at error level (spdlog).
// `auto_trust_anchor_file`: see checks::ResolverSettings (empty: static anchors). `anchors`
// (may be null) receives the anchors the (first) context got.
[[nodiscard]] tl::expected<std::unique_ptr<checks::Resolver>, std::string> make_resolver(
    const config::ResolverConfig& config, const std::string& auto_trust_anchor_file = {},
    checks::TrustAnchorInfo* anchors = nullptr);

// The agent's resolver stack for `config`: make_resolver()'s base under the counting, rate-limit
// and gate layers, with its description for the log and the anchors it was created with.
[[nodiscard]] tl::expected<std::shared_ptr<ResolverStack>, std::string> make_resolver_stack(
    const config::ResolverConfig& config, std::shared_ptr<QueryRateLimiter> limiter,
    const std::string& auto_trust_anchor_file = {});

// make_resolver_stack() as the agent's ResolverFactory (RFC 5011 state in
// `auto_trust_anchor_file`; empty: static anchors).
ResolverFactory unbound_resolver_factory(std::string auto_trust_anchor_file);

}  // namespace rdns::agent
