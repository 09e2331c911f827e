// libunbound's built-in local zones (RFC 6303 / AS112 reverse zones, test., ...) answer
// NXDOMAIN ("SOA localhost. nobody.invalid.") without asking any server. For an exporter that
// would be a record verdict invented by the resolver library, so the context lifts them.
// Internal to checks/unbound/. Thread-safety: pure functions; load_* before ub_ctx finalizes.
#pragma once

#include <string>

#include <tl/expected.hpp>

#include "checks/unbound/unbound_handles.hpp"

namespace rdns::checks::unbound {

// The unbound.conf text ("server:" clause) that lifts the defaults. Deterministic.
std::string default_zone_overrides();

// Loads default_zone_overrides() into `ctx` with ub_ctx_config (the only way that works in
// libunbound 1.17: ub_ctx_set_option("local-zone:", "x. nodefault") is accepted and ignored).
// Call it BEFORE the user's unbound_config_file: unbound applies a user's explicit local-zone
// for a name whether or not it is also "nodefault", so the user's zones and data still win.
// The text goes through a memfd (/proc/self/fd/N), falling back to a private mkstemp file that
// is removed at once, so a read-only root filesystem needs no writable /tmp.
// `transport` exists for the tests of the fallback path.
enum class OverrideTransport { memfd_or_file, file_only };
[[nodiscard]] tl::expected<void, std::string> load_default_zone_overrides(
    ub_ctx* ctx, OverrideTransport transport = OverrideTransport::memfd_or_file);

}  // namespace rdns::checks::unbound
