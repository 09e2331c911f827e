// ResolverSettings -> configured libunbound context. Internal to checks/unbound/.
#pragma once

#include <string>

#include <tl/expected.hpp>

#include "checks/unbound/unbound_handles.hpp"

namespace rdns::checks {
struct ResolverSettings;
struct TrustAnchorInfo;
}  // namespace rdns::checks

namespace rdns::checks::unbound {

// The order matters and is: our lifting of libunbound's default local zones (default_zones.hpp),
// unbound_config_file, mode, DNSSEC anchors (trust_anchor_setup.hpp), then finalize. `anchors`
// (may be null) receives which anchors the context got.
[[nodiscard]] tl::expected<ContextPtr, std::string> make_context(const ResolverSettings& settings, TrustAnchorInfo* anchors);

}  // namespace rdns::checks::unbound
