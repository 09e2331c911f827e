// config::ResolverConfig -> a running resolver: the one place that maps the [resolver]
// section onto libunbound settings, for the agent and the `check` command alike.
// Thread-safety: stateless functions, callable from any thread.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include <tl/expected.hpp>

#include "checks/resolver.hpp"
#include "checks/unbound/unbound_resolver.hpp"
#include "config/model.hpp"

namespace rdns::agent {

// Field-for-field mapping (pure; unit-testable without libunbound doing anything).
checks::ResolverSettings to_resolver_settings(const config::ResolverConfig& config);

// How many libunbound contexts `config` asks for: `contexts`, or when 0 (not set) the number
// of CPU cores `hardware_threads` (std::thread::hardware_concurrency(); 0 = unknown) clamped
// to 1..4. Pure.
std::size_t effective_contexts(const config::ResolverConfig& config, unsigned hardware_threads);

// A new resolver for `config`: one UnboundResolver, or a ShardedResolver over
// effective_contexts() of them (same settings) when that is more than one. The error names the
// offending setting and file. A result callback that throws is logged at error level (spdlog).
[[nodiscard]] tl::expected<std::unique_ptr<checks::Resolver>, std::string> make_resolver(
    const config::ResolverConfig& config);

}  // namespace rdns::agent
