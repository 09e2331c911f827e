// Which DNSSEC anchors a libunbound context gets, and loading them. Internal to checks/unbound/.
#pragma once

#include <string>

#include <tl/expected.hpp>

#include "checks/unbound/unbound_handles.hpp"

namespace rdns::checks {
struct ResolverSettings;
struct TrustAnchorInfo;
}  // namespace rdns::checks

namespace rdns::checks::unbound {

// Adds the anchors `settings` call for to `ctx` (after unbound_config_file was loaded) and says
// which they are, in this order of precedence:
//   dnssec = false                      -> none (source "");
//   trust_anchor_file                   -> that file, static (source "file");
//   anchors set in unbound_config_file  -> those alone (source "unbound_config_file");
//   otherwise the default root anchors: system_trust_anchor_file when it holds a root anchor
//   (source "system"), else builtin_root_anchors() ("builtin"); with auto_trust_anchor_file
//   they seed that RFC 5011 state file when it has no trusted root key yet, and libunbound
//   loads and updates the state file instead (source "auto").
// Errors name the setting and the file.
[[nodiscard]] tl::expected<TrustAnchorInfo, std::string> add_trust_anchors(ub_ctx* ctx, const ResolverSettings& settings);

}  // namespace rdns::checks::unbound
