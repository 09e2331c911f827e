// TOML -> Config. With web_config.cpp, the only translation units that include toml++ (slow to
// compile); value checks that need no TOML live in validate.cpp, ip_network.cpp, duration.cpp.
// Errors are reported one at a time, the first in a fixed order: syntax, then [resolver],
// [schedule], [generic], [probe], the [[targets]] in file order, then duplicates; within a table,
// unknown keys first (in file order), then the known keys.
#include "config/load.hpp"

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <sstream>

#include <toml++/toml.h>

#include "config/duration.hpp"
#include "config/file_io.hpp"
#include "config/ip_network.hpp"
#include "config/load_targets.hpp"
#include "config/toml_util.hpp"
#include "config/validate.hpp"

namespace rdns::config {
namespace {

constexpr std::int64_t k_max_concurrency = 65536;
constexpr std::int64_t k_max_cidr_cap = 1 << 20;
constexpr std::int64_t k_max_contexts = 16;
constexpr std::chrono::milliseconds k_min_answer_age = std::chrono::seconds(10);

const std::vector<std::string_view> k_top_keys = {"resolver", "schedule", "generic", "probe", "targets"};
const std::vector<std::string_view> k_resolver_keys = {
    "mode",     "forwarders",     "root_hints_file", "trust_anchor_file", "dnssec", "unbound_config_file",
    "contexts", "max_answer_age", "zone_servers",    "zone_server_port"};
const std::vector<std::string_view> k_schedule_keys = {"interval", "timeout", "concurrency", "max_cidr_addresses",
                                                       "max_queries_per_second"};
constexpr double k_max_queries_per_second = 1e6;

std::string format_number(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}
const std::vector<std::string_view> k_generic_keys = {"extra_patterns", "allow_patterns"};
const std::vector<std::string_view> k_probe_keys = {"allow_cidrs"};

class Loader {
public:
  Loader(std::string file, std::string base_dir, const LoadOptions& options)
      : m_toml(std::move(file)), m_base_dir(std::move(base_dir)), m_options(options) {
    m_loaded.config.source_file = m_toml.file();
  }

  [[nodiscard]] tl::expected<Loaded, ConfigError> load(std::string_view text) {
    auto root = m_toml.parse(text);
    if (!root) return tl::make_unexpected(root.error());
    if (auto r = load_root(*root); !r) return tl::make_unexpected(r.error());
    return std::move(m_loaded);
  }

private:
  using Result = tl::expected<void, ConfigError>;

  Result load_root(const toml::table& root) {
    if (auto r = m_toml.check_keys(root, "", k_top_keys, &section_of); !r) return r;
    if (const toml::node* n = root.get("resolver")) {
      auto t = m_toml.table(*n, "resolver");
      if (!t) return tl::make_unexpected(t.error());
      if (auto r = load_resolver(**t); !r) return r;
    }
    if (const toml::node* n = root.get("schedule")) {
      auto t = m_toml.table(*n, "schedule");
      if (!t) return tl::make_unexpected(t.error());
      if (auto r = load_schedule(**t); !r) return r;
    }
    if (const toml::node* n = root.get("generic")) {
      auto t = m_toml.table(*n, "generic");
      if (!t) return tl::make_unexpected(t.error());
      if (auto r = load_generic(**t); !r) return r;
    }
    if (const toml::node* n = root.get("probe")) {
      auto t = m_toml.table(*n, "probe");
      if (!t) return tl::make_unexpected(t.error());
      if (auto r = load_probe(**t); !r) return r;
    }
    if (const toml::node* n = root.get("targets")) {
      TargetsInput input{m_options.max_total_targets, m_loaded.config.schedule.max_cidr_addresses, &section_of,
                         &m_loaded.warnings};
      if (auto r = load_targets(m_toml, *n, input, m_loaded.config.targets, m_loaded.config.discovery); !r) return r;
    }
    if (m_loaded.config.targets.empty() && m_loaded.config.discovery.empty()) {
      if (m_options.require_targets) {
        return tl::make_unexpected(
            ConfigError{m_toml.file(), 0, 0, "targets", "no [[targets]] configured; at least one is required"});
      }
      m_loaded.warnings.push_back(
          ConfigError{m_toml.file(), 0, 0, "targets",
                      "no [[targets]] configured: only /probe and the check command will look anything up"});
    }
    return {};
  }

  // For "unknown key" messages: which section a misplaced key belongs to.
  static std::string section_of(std::string_view key) {
    const std::pair<const std::vector<std::string_view>*, const char*> sections[] = {{&k_resolver_keys, "[resolver]"},
                                                                                     {&k_schedule_keys, "[schedule]"},
                                                                                     {&k_generic_keys, "[generic]"},
                                                                                     {&k_probe_keys, "[probe]"},
                                                                                     {&k_target_keys, "[[targets]]"}};
    for (const auto& [keys, name] : sections) {
      if (std::find(keys->begin(), keys->end(), key) != keys->end()) return name;
    }
    return {};
  }

  // [resolver] mode.
  Result load_resolver_mode(const toml::node& mode_node, ResolverConfig& rc) {
    auto mode = m_toml.string(mode_node, "resolver.mode");
    if (!mode) return tl::make_unexpected(mode.error());
    if (*mode == "system") {
      rc.mode = ResolverMode::system;
    } else if (*mode == "recursive") {
      rc.mode = ResolverMode::recursive;
    } else if (*mode == "forward") {
      rc.mode = ResolverMode::forward;
    } else {
      std::string message = quote(*mode) + " is not a resolver mode: use \"system\", \"recursive\" or \"forward\"";
      if (const std::string near = suggest(*mode, {"system", "recursive", "forward"}); !near.empty()) {
        message += " (did you mean " + quote(near) + "?)";
      }
      return tl::make_unexpected(m_toml.error(mode_node, "resolver.mode", message));
    }
    return {};
  }

  // [resolver] dnssec, contexts, max_answer_age, zone_servers, zone_server_port.
  Result load_resolver_tuning(const toml::table& t, ResolverConfig& rc) {
    if (const toml::node* n = t.get("dnssec")) {
      auto b = m_toml.boolean(*n, "resolver.dnssec");
      if (!b) return tl::make_unexpected(b.error());
      rc.dnssec = *b;
    }
    if (const toml::node* n = t.get("contexts")) {
      auto v = m_toml.integer(*n, "resolver.contexts");
      if (!v) return tl::make_unexpected(v.error());
      if (*v < 1 || *v > k_max_contexts) {
        return tl::make_unexpected(
            m_toml.error(*n, "resolver.contexts",
                         std::to_string(*v) + " is out of range: use 1 to " + std::to_string(k_max_contexts)));
      }
      rc.contexts = static_cast<std::size_t>(*v);
    }
    if (const toml::node* n = t.get("max_answer_age")) {
      auto text = m_toml.string(*n, "resolver.max_answer_age", "a duration such as \"30s\" or \"5m\"");
      if (!text) return tl::make_unexpected(text.error());
      auto d = parse_duration(*text);
      if (!d) {
        return tl::make_unexpected(
            m_toml.error(*n, "resolver.max_answer_age", quote(*text) + " is not a valid duration: " + d.error()));
      }
      if (*d < k_min_answer_age) {
        return tl::make_unexpected(m_toml.error(*n, "resolver.max_answer_age",
                                                quote(*text) + " is too short: use at least " +
                                                    format_duration(k_min_answer_age) +
                                                    " (each renewal starts from an empty cache)"));
      }
      rc.max_answer_age = *d;
    }
    if (const toml::node* n = t.get("zone_servers")) {
      auto b = m_toml.boolean(*n, "resolver.zone_servers");
      if (!b) return tl::make_unexpected(b.error());
      rc.zone_servers = *b;
    }
    if (const toml::node* n = t.get("zone_server_port")) {
      auto v = m_toml.integer(*n, "resolver.zone_server_port");
      if (!v) return tl::make_unexpected(v.error());
      if (*v < 1 || *v > 65535) {
        return tl::make_unexpected(
            m_toml.error(*n, "resolver.zone_server_port", std::to_string(*v) + " is out of range: use 1 to 65535"));
      }
      rc.zone_server_port = static_cast<std::uint16_t>(*v);
    }
    return {};
  }

  Result load_resolver(const toml::table& t) {
    if (auto r = m_toml.check_keys(t, "resolver", k_resolver_keys, &section_of); !r) return r;
    ResolverConfig& rc = m_loaded.config.resolver;
    const toml::node* mode_node = t.get("mode");
    if (mode_node) {
      if (auto r = load_resolver_mode(*mode_node, rc); !r) return r;
    }
    const toml::node* fwd_node = t.get("forwarders");
    if (fwd_node) {
      auto list = m_toml.string_array(*fwd_node, "resolver.forwarders");
      if (!list) return tl::make_unexpected(list.error());
      for (const auto& [value, node, key] : *list) {
        auto f = normalize_forwarder(value);
        if (!f)
          return tl::make_unexpected(m_toml.error(*node, key, "invalid forwarder " + quote(value) + ": " + f.error()));
        rc.forwarders.push_back(std::move(*f));
      }
    }
    for (auto [name, field] :
         {std::pair{"root_hints_file", &rc.root_hints_file}, std::pair{"trust_anchor_file", &rc.trust_anchor_file},
          std::pair{"unbound_config_file", &rc.unbound_config_file}}) {
      const toml::node* n = t.get(name);
      if (!n) continue;
      const std::string key = std::string("resolver.") + name;
      auto path = m_toml.string(*n, key);
      if (!path) return tl::make_unexpected(path.error());
      if (path->empty()) continue;
      std::string resolved = resolve_path(m_base_dir, *path);
      if (auto readable = check_readable(resolved); !readable) {
        return tl::make_unexpected(m_toml.error(*n, key, "cannot read " + quote(resolved) + ": " + readable.error()));
      }
      *field = std::move(resolved);
    }
    if (auto r = load_resolver_tuning(t, rc); !r) return r;

    if (rc.mode == ResolverMode::forward && rc.forwarders.empty()) {
      const toml::node& where = fwd_node ? *fwd_node : *mode_node;
      return tl::make_unexpected(
          m_toml.error(where, "resolver.forwarders",
                       "mode = \"forward\" needs at least one forwarder, e.g. forwarders = [\"127.0.0.1@53\"]"));
    }
    if (rc.mode != ResolverMode::forward && !rc.forwarders.empty()) {
      m_loaded.warnings.push_back(m_toml.error(*fwd_node, "resolver.forwarders", "ignored: mode is not \"forward\""));
    }
    if (rc.mode != ResolverMode::recursive && !rc.root_hints_file.empty()) {
      m_loaded.warnings.push_back(
          m_toml.error(*t.get("root_hints_file"), "resolver.root_hints_file", "ignored: mode is not \"recursive\""));
    }
    if (!rc.dnssec && !rc.trust_anchor_file.empty()) {
      m_loaded.warnings.push_back(
          m_toml.error(*t.get("trust_anchor_file"), "resolver.trust_anchor_file", "ignored: dnssec = false"));
    }
    return {};
  }

  Result load_schedule(const toml::table& t) {
    if (auto r = m_toml.check_keys(t, "schedule", k_schedule_keys, &section_of); !r) return r;
    ScheduleConfig& sc = m_loaded.config.schedule;
    const toml::node* interval_node = t.get("interval");
    const toml::node* timeout_node = t.get("timeout");
    for (auto [node, key, field] : {std::tuple{interval_node, "schedule.interval", &sc.interval},
                                    std::tuple{timeout_node, "schedule.timeout", &sc.timeout}}) {
      if (!node) continue;
      auto text = m_toml.string(*node, key, "a duration such as \"30s\" or \"5m\"");
      if (!text) return tl::make_unexpected(text.error());
      auto d = parse_duration(*text);
      if (!d)
        return tl::make_unexpected(m_toml.error(*node, key, quote(*text) + " is not a valid duration: " + d.error()));
      *field = *d;
    }
    if (sc.timeout >= sc.interval) {
      if (timeout_node) {
        return tl::make_unexpected(m_toml.error(*timeout_node, "schedule.timeout",
                                                "timeout " + format_duration(sc.timeout) +
                                                    " must be shorter than the interval " +
                                                    format_duration(sc.interval)));
      }
      return tl::make_unexpected(m_toml.error(*interval_node, "schedule.interval",
                                              "interval " + format_duration(sc.interval) +
                                                  " must be longer than the timeout " + format_duration(sc.timeout)));
    }
    for (auto [name, field, max] : {std::tuple{"concurrency", &sc.concurrency, k_max_concurrency},
                                    std::tuple{"max_cidr_addresses", &sc.max_cidr_addresses, k_max_cidr_cap}}) {
      const toml::node* n = t.get(name);
      if (!n) continue;
      const std::string key = std::string("schedule.") + name;
      auto v = m_toml.integer(*n, key);
      if (!v) return tl::make_unexpected(v.error());
      if (*v < 1 || *v > max) {
        return tl::make_unexpected(
            m_toml.error(*n, key, std::to_string(*v) + " is out of range: use 1 to " + std::to_string(max)));
      }
      *field = static_cast<std::size_t>(*v);
    }
    if (const toml::node* n = t.get("max_queries_per_second")) {
      auto v = m_toml.number(*n, "schedule.max_queries_per_second");
      if (!v) return tl::make_unexpected(v.error());
      if (!(*v >= 0 && *v <= k_max_queries_per_second)) {  // also refuses nan
        return tl::make_unexpected(m_toml.error(*n, "schedule.max_queries_per_second",
                                                format_number(*v) + " is out of range: use 0 (no cap) to 1000000"));
      }
      sc.max_queries_per_second = *v;
    }
    return {};
  }

  Result load_generic(const toml::table& t) {
    if (auto r = m_toml.check_keys(t, "generic", k_generic_keys, &section_of); !r) return r;
    for (auto [name, field] : {std::pair{"extra_patterns", &m_loaded.config.generic.extra_patterns},
                               std::pair{"allow_patterns", &m_loaded.config.generic.allow_patterns}}) {
      const toml::node* n = t.get(name);
      if (!n) continue;
      auto list = m_toml.string_array(*n, std::string("generic.") + name);
      if (!list) return tl::make_unexpected(list.error());
      for (const auto& [value, node, key] : *list) {
        if (auto ok = check_regex(value); !ok) {
          return tl::make_unexpected(m_toml.error(*node, key, quote(value) + " is not a valid regex: " + ok.error()));
        }
        field->push_back(value);
      }
    }
    return {};
  }

  // Networks /probe may check, stored as canonical "network/len" text.
  Result load_probe(const toml::table& t) {
    if (auto r = m_toml.check_keys(t, "probe", k_probe_keys, &section_of); !r) return r;
    const toml::node* n = t.get("allow_cidrs");
    if (!n) return {};
    auto list = m_toml.string_array(*n, "probe.allow_cidrs");
    if (!list) return tl::make_unexpected(list.error());
    for (const auto& [value, node, key] : *list) {
      auto cidr = parse_cidr(value);
      if (!cidr) {
        std::string message = quote(value) + " is not a valid CIDR: ";
        if (value.find('/') == std::string::npos) {
          // parse_cidr's own hint (use ip = ...) is for [[targets]]; here one address is a /32 or /128.
          message += "missing \"/\" and prefix length";
          if (auto ip = canonical_ip(value)) {
            message +=
                " (write " + quote(*ip + (ip->find(':') == std::string::npos ? "/32" : "/128")) + " for one address)";
          }
        } else {
          message += cidr.error();
          if (cidr.error().starts_with("host bits")) {
            message += " (write " + quote(cidr.error().substr(cidr.error().rfind(' ') + 1)) + ")";
          }
        }
        return tl::make_unexpected(m_toml.error(*node, key, message));
      }
      unsigned prefix = cidr->prefix_length;
      // An IPv4-mapped network (::ffff:192.0.2.0/120) is canonically an IPv4 one, as a probed
      // ::ffff:a.b.c.d is the IPv4 address a.b.c.d: keep network and length consistent.
      if (cidr->ipv6 && cidr->network.find(':') == std::string::npos) prefix -= 96;
      m_loaded.config.probe.allow_cidrs.push_back(cidr->network + "/" + std::to_string(prefix));
    }
    return {};
  }

  TomlReader m_toml;
  std::string m_base_dir;
  LoadOptions m_options;
  Loaded m_loaded;
};

}  // namespace

tl::expected<Loaded, ConfigError> load_config_file(const std::string& path, const LoadOptions& options) {
  auto text = read_file(path);
  if (!text) return tl::make_unexpected(ConfigError{path, 0, 0, "", "cannot read config file: " + text.error()});
  return Loader(path, directory_of(path), options).load(*text);
}

tl::expected<Loaded, ConfigError> load_config_string(std::string_view toml_text, const std::string& source_name,
                                                     const LoadOptions& options) {
  return Loader(source_name, directory_of(source_name), options).load(toml_text);
}

}  // namespace rdns::config
