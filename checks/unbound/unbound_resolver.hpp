// The Resolver over libunbound: one libunbound context in threaded async mode, driven by one
// event-loop thread of our own (poll on ub_fd and a wake-up eventfd), hundreds of queries in
// flight without a thread per query. This is the only code that includes <unbound.h>; the
// header keeps it out (pimpl) so nothing else depends on libunbound.
//
// Thread-safety: resolve() may be called from any thread, also from inside a callback.
// Callbacks run on the resolver's loop thread, exactly once per resolve(): with the answer,
// with LookupStatus::timeout past the deadline (the query is ub_cancel()ed), or with
// LookupStatus::error "resolver shutting down" when the resolver is destroyed first.
// A callback that throws does not take the loop down: the exception is caught, handed to
// ResolverSettings::on_callback_exception (the agent logs it) and counted
// (callback_exceptions()); the query counts as completed. Checker's callbacks complete their
// check as an error before letting an exception through (checks/checker.hpp).
// Destroy the resolver from a thread other than its loop thread (not from inside a callback);
// no resolve() may race with or follow the destructor.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "checks/resolver.hpp"
#include "checks/trust_anchor.hpp"

namespace rdns::checks {

// Debian's dns-root-data package installs the root KSKs here.
inline constexpr const char* k_system_root_anchor_file = "/usr/share/dns/root.key";

struct ResolverSettings {
  enum class Mode { system, recursive, forward };
  Mode mode = Mode::system;
  std::vector<std::string> forwarders;  // forward mode: "addr" or "addr@port"
  std::string root_hints_file;          // recursive mode: a private root; empty = built-in hints
  // DNSSEC anchors (DS or DNSKEY lines), used as they are. Empty: the default root anchors
  // below, unless unbound_config_file configures anchors of its own (then those alone are used).
  std::string trust_anchor_file;
  // The default root anchors: this file when it holds a root anchor (Debian's dns-root-data),
  // else the built-in DS records of the IANA root KSKs (checks/trust_anchor.hpp).
  std::string system_trust_anchor_file = k_system_root_anchor_file;
  // RFC 5011: when set, libunbound keeps the default anchors' state in this file (seeded from
  // them while it holds no trusted root key) and follows key rolls; empty: static anchors.
  std::string auto_trust_anchor_file;
  bool dnssec = true;               // false: the validator module is not loaded at all
  std::string unbound_config_file;  // unbound.conf-style file, applied before all else
  // libunbound's default local zones for the documentation, RFC 1918/6598, link-local and ULA
  // reverse zones and for test. are lifted (queries go to the DNS, not to a synthetic NXDOMAIN);
  // localhost., invalid., onion., home.arpa. and the loopback reverse zones keep theirs. A
  // local-zone / local-data in unbound_config_file still takes precedence for its names.

  // Called with the exception's what() when a result callback throws, on the thread that ran
  // the callback (the loop thread, or resolve()'s caller while shutting down). Must not throw.
  // checks/ does no logging of its own: the agent injects its logger here.
  std::function<void(const std::string& what)> on_callback_exception;
};

class UnboundResolver final : public Resolver {
public:
  // Configures the context and applies it at once (ub_ctx_finalize via a no-op call), so a bad
  // file or setting is reported here, naming the setting, not on the first query.
  [[nodiscard]] static tl::expected<std::unique_ptr<UnboundResolver>, std::string> create(
      const ResolverSettings& settings);

  // libunbound's version string (ub_version()).
  static std::string version();

  ~UnboundResolver() override;
  UnboundResolver(const UnboundResolver&) = delete;
  UnboundResolver& operator=(const UnboundResolver&) = delete;

  void resolve(std::string name, RrType type, Deadline deadline, Callback done) override;

  // The DNSSEC anchors this resolver was created with.
  const TrustAnchorInfo& trust_anchors() const;

  // How many result callbacks have thrown since creation.
  std::uint64_t callback_exceptions() const;

  struct Impl;

private:
  explicit UnboundResolver(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

}  // namespace rdns::checks
