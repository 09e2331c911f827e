// ResolverSettings -> a configured, finalized libunbound context. Every failure names the
// setting and the file, because the operator has to find it in their config.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <string>

#include "checks/unbound/default_zones.hpp"
#include "checks/unbound/trust_anchor_setup.hpp"
#include "checks/unbound/unbound_resolver.hpp"
#include "checks/unbound/unbound_settings.hpp"

namespace rdns::checks::unbound {
namespace {

// Not "quoted": for a non-const std::string argument, argument-dependent lookup prefers
// std::quoted (GCC 14 brings <iomanip> in through other headers).
std::string in_quotes(const std::string& s) { return "\"" + s + "\""; }

[[nodiscard]] tl::expected<void, std::string> readable(const std::string& key, const std::string& file) {
  if (::access(file.c_str(), R_OK) != 0) {
    return tl::unexpected("resolver." + key + " " + in_quotes(file) + ": " + std::strerror(errno));
  }
  return {};
}

[[nodiscard]] tl::expected<void, std::string> check(int rc, const std::string& what) {
  if (rc != 0) {
    return tl::unexpected(what + ": " + ub_strerror(rc));
  }
  return {};
}

// libunbound reads unbound.conf text (ub_ctx_config, and the "option:" settings) with one
// process-wide parser that is not thread-safe: two contexts configured at once (a resolver
// renewed while discovery makes its own) corrupt each other's parse. Every context is therefore
// configured under this lock; creation is rare, resolving is not affected.
std::mutex g_configure_mutex;

}  // namespace

tl::expected<ContextPtr, std::string> make_context(const ResolverSettings& settings, TrustAnchorInfo* anchors) {
  std::lock_guard lock(g_configure_mutex);
  ContextPtr ctx(ub_ctx_create());
  if (!ctx) {
    return tl::unexpected(std::string("libunbound: cannot create a resolver context"));
  }
  // Threads, not a forked process: results come back through ub_fd() to our loop.
  if (auto ok = check(ub_ctx_async(ctx.get(), 1), "libunbound: enabling threads"); !ok) {
    return tl::unexpected(ok.error());
  }
  // Before the user's file, so the user's own local-zone / local-data still win (unbound
  // honours an explicit local-zone for a name whatever "nodefault" says about it).
  if (auto ok = load_default_zone_overrides(ctx.get()); !ok) {
    return tl::unexpected(ok.error());
  }
  const auto& conf = settings.unbound_config_file;
  if (!conf.empty()) {
    if (auto ok = readable("unbound_config_file", conf); !ok) {
      return tl::unexpected(ok.error());
    }
    if (auto ok = check(ub_ctx_config(ctx.get(), conf.c_str()), "resolver.unbound_config_file " + in_quotes(conf)); !ok) {
      return tl::unexpected(ok.error());
    }
  }
  switch (settings.mode) {
    case ResolverSettings::Mode::system:
      if (auto ok = check(ub_ctx_resolvconf(ctx.get(), nullptr), "resolver mode \"system\": reading /etc/resolv.conf");
          !ok) {
        return tl::unexpected(ok.error());
      }
      break;
    case ResolverSettings::Mode::forward:
      if (settings.forwarders.empty()) {
        return tl::unexpected(std::string("resolver mode \"forward\" needs resolver.forwarders"));
      }
      for (const auto& forwarder : settings.forwarders) {
        if (auto ok = check(ub_ctx_set_fwd(ctx.get(), forwarder.c_str()), "resolver.forwarders " + in_quotes(forwarder));
            !ok) {
          return tl::unexpected(ok.error());
        }
      }
      break;
    case ResolverSettings::Mode::recursive:
      if (const auto& hints = settings.root_hints_file; !hints.empty()) {
        if (auto ok = readable("root_hints_file", hints); !ok) {
          return tl::unexpected(ok.error());
        }
        if (auto ok = check(ub_ctx_set_option(ctx.get(), "root-hints:", hints.c_str()),
                            "resolver.root_hints_file " + in_quotes(hints));
            !ok) {
          return tl::unexpected(ok.error());
        }
      }
      break;
  }
  if (!settings.dnssec) {
    // No validator at all, so anchors from unbound_config_file cannot turn answers bogus.
    if (auto ok = check(ub_ctx_set_option(ctx.get(), "module-config:", "iterator"),
                        "resolver.dnssec = false: disabling the validator");
        !ok) {
      return tl::unexpected(ok.error());
    }
  }
  auto added = add_trust_anchors(ctx.get(), settings);
  if (!added) return tl::unexpected(added.error());
  if (anchors != nullptr) *anchors = std::move(*added);
  // Apply everything now (ub_ctx_zone_remove finalizes the context first and removing a zone
  // that does not exist is a no-op), so a broken anchor or hints file fails here.
  if (const int rc = ub_ctx_zone_remove(ctx.get(), "rdns-exporter-apply-settings.invalid."); rc != 0) {
    std::string files;
    for (const auto& [key, file] : {std::pair{"unbound_config_file", conf},
                                    {"trust_anchor_file", settings.trust_anchor_file},
                                    {"RFC 5011 trust anchor state", settings.auto_trust_anchor_file},
                                    {"root_hints_file", settings.root_hints_file}}) {
      if (!file.empty()) {
        files += std::string(files.empty() ? " (" : ", ") + key + " " + in_quotes(file);
      }
    }
    return tl::unexpected("applying the resolver settings" + files + (files.empty() ? "" : ")") + ": " +
                          ub_strerror(rc));
  }
  return ctx;
}

}  // namespace rdns::checks::unbound
