// config::ResolverConfig -> a running UnboundResolver: the one place that maps the [resolver]
// section onto libunbound settings, for the agent and the `check` command alike.
// Thread-safety: stateless functions, callable from any thread.
#pragma once

#include <memory>
#include <string>

#include <tl/expected.hpp>

#include "checks/unbound/unbound_resolver.hpp"
#include "config/model.hpp"

namespace rdns::agent {

// Field-for-field mapping (pure; unit-testable without libunbound doing anything).
checks::ResolverSettings to_resolver_settings(const config::ResolverConfig& config);

// A new resolver for `config`; the error names the offending setting and file. A result
// callback that throws is logged at error level (spdlog).
tl::expected<std::unique_ptr<checks::UnboundResolver>, std::string> make_resolver(const config::ResolverConfig& config);

}  // namespace rdns::agent
