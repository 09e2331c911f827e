// The default root anchors follow the world: the system's file (updated with the OS), else the
// built-in DS of both current root KSKs; with RFC 5011 state, libunbound follows rolls itself.
#include "checks/unbound/trust_anchor_setup.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <thread>

#include "checks/trust_anchor.hpp"
#include "checks/unbound/unbound_resolver.hpp"

namespace rdns::checks::unbound {
namespace {

// Anchor files are a few lines; a bigger one is not an anchor file.
constexpr std::streamsize k_max_anchor_bytes = 1 << 20;

// Not "quoted": for a non-const std::string argument, argument-dependent lookup prefers
// std::quoted (GCC 14 brings <iomanip> in through other headers).
std::string in_quotes(const std::string& s) { return "\"" + s + "\""; }

std::optional<std::string> read_small_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string text(static_cast<std::size_t>(k_max_anchor_bytes), '\0');
  in.read(text.data(), k_max_anchor_bytes);
  text.resize(static_cast<std::size_t>(in.gcount()));
  return text;
}

tl::expected<void, std::string> check(int rc, const std::string& what) {
  if (rc != 0) return tl::unexpected(what + ": " + ub_strerror(rc));
  return {};
}

// The anchor file unbound_config_file named, if any ("" when it set none).
std::string own_anchor_file(ub_ctx* ctx) {
  for (const char* option : {"auto-trust-anchor-file", "trust-anchor-file", "trusted-keys-file", "trust-anchor"}) {
    char* value = nullptr;
    if (ub_ctx_get_option(ctx, option, &value) == 0 && value != nullptr) {
      std::string text = value;
      std::free(value);
      // Lists come back one per line; the first names the file (or holds the inline anchor).
      text = text.substr(0, text.find('\n'));
      if (!text.empty()) return text;
    }
  }
  return {};
}

// Writes `text` to `path` whole or not at all (a reader sees the old file or the new one).
tl::expected<void, std::string> replace_file(const std::string& path, std::string_view text) {
  const std::string temp = path + ".seed." + std::to_string(::getpid()) + "." +
                           std::to_string(std::hash<std::thread::id>{}(std::this_thread::get_id()));
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) return tl::unexpected(in_quotes(temp) + ": " + std::strerror(errno));
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    const std::string error = std::strerror(errno);
    std::remove(temp.c_str());
    return tl::unexpected(in_quotes(path) + ": " + error);
  }
  return {};
}

// ub_ctx_add_ta takes one RR per call, without comments; lines that are no root anchor (blank,
// comments, other owners) are left out.
tl::expected<void, std::string> add_anchor_lines(ub_ctx* ctx, const std::string& text, const std::string& what) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (root_anchor_key_tags(line).empty()) continue;
    line = line.substr(0, line.find(';'));
    if (auto ok = check(ub_ctx_add_ta(ctx, line.c_str()), what); !ok) return ok;
  }
  return {};
}

// The default root anchors: the system file when it holds a root anchor, else the built-in ones.
TrustAnchorInfo default_anchors(const ResolverSettings& settings, std::string& text) {
  TrustAnchorInfo info;
  const auto& system = settings.system_trust_anchor_file;
  if (!system.empty()) {
    if (auto read = read_small_file(system); read && !root_anchor_key_tags(*read).empty()) {
      text = std::move(*read);
      info.source = "system";
      info.path = system;
      info.key_tags = root_anchor_key_tags(text);
      return info;
    }
    info.warning =
        "no root anchor in " + in_quotes(system) + " (install Debian's dns-root-data): using the built-in root anchors";
  }
  text = std::string(builtin_root_anchors());
  info.source = "builtin";
  info.key_tags = root_anchor_key_tags(text);
  return info;
}

// RFC 5011: libunbound loads and rewrites `settings.auto_trust_anchor_file`; seeded from the
// default anchors while it holds no trusted root key (first start, or a damaged file).
tl::expected<TrustAnchorInfo, std::string> add_automatic(ub_ctx* ctx, const ResolverSettings& settings) {
  const auto& path = settings.auto_trust_anchor_file;
  TrustAnchorInfo info;
  info.source = "auto";
  info.path = path;
  if (auto state = read_small_file(path); state) info.key_tags = root_anchor_key_tags(*state);
  if (info.key_tags.empty()) {
    std::string seed;
    const TrustAnchorInfo from = default_anchors(settings, seed);
    if (auto written = replace_file(path, seed); !written) {
      // Not fatal: validation works with the static anchors, only rolls are not followed.
      TrustAnchorInfo fallback = from;
      fallback.warning = "cannot write the RFC 5011 trust anchor state " + written.error() +
                         ": key rolls of the root are not followed";
      if (auto ok = add_anchor_lines(ctx, seed, "root trust anchors from " + from.source); !ok) {
        return tl::unexpected(ok.error());
      }
      return fallback;
    }
    info.key_tags = from.key_tags;
    info.note = "RFC 5011 trust anchor state " + in_quotes(path) + " seeded from the " + from.source + " root anchors";
  }
  if (auto ok = check(ub_ctx_set_option(ctx, "auto-trust-anchor-file:", path.c_str()),
                      "RFC 5011 trust anchor state " + in_quotes(path));
      !ok) {
    return tl::unexpected(ok.error());
  }
  return info;
}

}  // namespace

tl::expected<TrustAnchorInfo, std::string> add_trust_anchors(ub_ctx* ctx, const ResolverSettings& settings) {
  TrustAnchorInfo info;
  if (!settings.dnssec) return info;
  if (const auto& file = settings.trust_anchor_file; !file.empty()) {
    if (::access(file.c_str(), R_OK) != 0) {
      return tl::unexpected("resolver.trust_anchor_file " + in_quotes(file) + ": " + std::strerror(errno));
    }
    if (auto ok = check(ub_ctx_add_ta_file(ctx, file.c_str()), "resolver.trust_anchor_file " + in_quotes(file)); !ok) {
      return tl::unexpected(ok.error());
    }
    info.source = "file";
    info.path = file;
    if (auto text = read_small_file(file)) info.key_tags = root_anchor_key_tags(*text);
    return info;
  }
  if (const auto own = own_anchor_file(ctx); !own.empty()) {
    info.source = "unbound_config_file";
    info.path = settings.unbound_config_file;
    if (auto text = read_small_file(own)) info.key_tags = root_anchor_key_tags(*text);
    return info;
  }
  if (!settings.auto_trust_anchor_file.empty()) return add_automatic(ctx, settings);
  std::string text;
  info = default_anchors(settings, text);
  const std::string what =
      "root trust anchors from " + info.source + (info.path.empty() ? "" : " " + in_quotes(info.path));
  if (auto ok = add_anchor_lines(ctx, text, what); !ok) return tl::unexpected(ok.error());
  return info;
}

}  // namespace rdns::checks::unbound
