// ResolverSettings -> configured libunbound context. Internal to checks/unbound/.
#pragma once

#include <string>

#include <tl/expected.hpp>

#include "checks/unbound/unbound_handles.hpp"

namespace rdns::checks {
struct ResolverSettings;
}

namespace rdns::checks::unbound {

// The order matters and is: our lifting of libunbound's default local zones (default_zones.hpp),
// unbound_config_file, mode, DNSSEC anchors, then finalize.
[[nodiscard]] tl::expected<ContextPtr, std::string> make_context(const ResolverSettings& settings);

}  // namespace rdns::checks::unbound
