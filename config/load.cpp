// TOML -> Config. With web_config.cpp, the only translation units that include toml++ (slow to
// compile); value checks that need no TOML live in validate.cpp, ip_network.cpp, duration.cpp.
// Errors are reported one at a time, the first in a fixed order: syntax, then [resolver],
// [schedule], [generic], [probe], the [[targets]] in file order, then duplicates; within a table,
// unknown keys first (in file order), then the known keys.
#include "config/load.hpp"

#include <algorithm>
#include <cstdint>
#include <numeric>

#include <toml++/toml.h>

#include "config/duration.hpp"
#include "config/file_io.hpp"
#include "config/ip_network.hpp"
#include "config/toml_util.hpp"
#include "config/validate.hpp"

namespace rdns::config {
namespace {

constexpr std::int64_t k_max_concurrency = 65536;
constexpr std::int64_t k_max_cidr_cap = 1 << 20;

const std::vector<std::string_view> k_top_keys = {"resolver", "schedule", "generic", "probe", "targets"};
const std::vector<std::string_view> k_resolver_keys = {"mode",      "forwarders",        "root_hints_file",
                                                       "trust_anchor_file", "dnssec", "unbound_config_file"};
const std::vector<std::string_view> k_schedule_keys = {"interval", "timeout", "concurrency", "max_cidr_addresses"};
const std::vector<std::string_view> k_generic_keys = {"extra_patterns", "allow_patterns"};
const std::vector<std::string_view> k_probe_keys = {"allow_cidrs"};
const std::vector<std::string_view> k_target_keys = {"ip", "cidr", "expected_hostname", "helo_hostname", "labels"};

// Where each configured address came from, for duplicate messages (kept apart from Target so
// the model stays plain; 4 bytes per address).
struct Origin {
  std::uint32_t entry = 0;  // index into [[targets]]
};

struct EntryInfo {
  std::string key;  // "targets[3].cidr"
  int line = 0;
  int column = 0;
  std::string cidr;  // the cidr text when the entry is a cidr
};

class Loader {
 public:
  Loader(std::string file, std::string base_dir, const LoadOptions& options)
      : m_toml(std::move(file)), m_base_dir(std::move(base_dir)), m_options(options) {
    m_loaded.config.source_file = m_toml.file();
  }

  tl::expected<Loaded, ConfigError> load(std::string_view text) {
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
      if (auto r = load_targets(*n); !r) return r;
    }
    if (m_loaded.config.targets.empty()) {
      if (m_options.require_targets) {
        return tl::make_unexpected(ConfigError{m_toml.file(), 0, 0, "targets", "no [[targets]] configured; at least one is required"});
      }
      m_loaded.warnings.push_back(ConfigError{m_toml.file(), 0, 0, "targets",
                                              "no [[targets]] configured: only /probe and the check command will look anything up"});
    }
    return {};
  }

  // For "unknown key" messages: which section a misplaced key belongs to.
  static std::string section_of(std::string_view key) {
    const std::pair<const std::vector<std::string_view>*, const char*> sections[] = {
        {&k_resolver_keys, "[resolver]"}, {&k_schedule_keys, "[schedule]"},
        {&k_generic_keys, "[generic]"},   {&k_probe_keys, "[probe]"},
        {&k_target_keys, "[[targets]]"}};
    for (const auto& [keys, name] : sections) {
      if (std::find(keys->begin(), keys->end(), key) != keys->end()) return name;
    }
    return {};
  }

  Result load_resolver(const toml::table& t) {
    if (auto r = m_toml.check_keys(t, "resolver", k_resolver_keys, &section_of); !r) return r;
    ResolverConfig& rc = m_loaded.config.resolver;
    const toml::node* mode_node = t.get("mode");
    if (mode_node) {
      auto mode = m_toml.string(*mode_node, "resolver.mode");
      if (!mode) return tl::make_unexpected(mode.error());
      if (*mode == "system") rc.mode = ResolverMode::system;
      else if (*mode == "recursive") rc.mode = ResolverMode::recursive;
      else if (*mode == "forward") rc.mode = ResolverMode::forward;
      else {
        std::string message = quote(*mode) + " is not a resolver mode: use \"system\", \"recursive\" or \"forward\"";
        if (const std::string near = suggest(*mode, {"system", "recursive", "forward"}); !near.empty()) {
          message += " (did you mean " + quote(near) + "?)";
        }
        return tl::make_unexpected(m_toml.error(*mode_node, "resolver.mode", message));
      }
    }
    const toml::node* fwd_node = t.get("forwarders");
    if (fwd_node) {
      auto list = m_toml.string_array(*fwd_node, "resolver.forwarders");
      if (!list) return tl::make_unexpected(list.error());
      for (const auto& [value, node, key] : *list) {
        auto f = normalize_forwarder(value);
        if (!f) return tl::make_unexpected(m_toml.error(*node, key, "invalid forwarder " + quote(value) + ": " + f.error()));
        rc.forwarders.push_back(std::move(*f));
      }
    }
    for (auto [name, field] : {std::pair{"root_hints_file", &rc.root_hints_file},
                               std::pair{"trust_anchor_file", &rc.trust_anchor_file},
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
    if (const toml::node* n = t.get("dnssec")) {
      auto b = m_toml.boolean(*n, "resolver.dnssec");
      if (!b) return tl::make_unexpected(b.error());
      rc.dnssec = *b;
    }

    if (rc.mode == ResolverMode::forward && rc.forwarders.empty()) {
      const toml::node& where = fwd_node ? *fwd_node : *mode_node;
      return tl::make_unexpected(m_toml.error(where, "resolver.forwarders",
                                              "mode = \"forward\" needs at least one forwarder, e.g. forwarders = [\"127.0.0.1@53\"]"));
    }
    if (rc.mode != ResolverMode::forward && !rc.forwarders.empty()) {
      m_loaded.warnings.push_back(m_toml.error(*fwd_node, "resolver.forwarders", "ignored: mode is not \"forward\""));
    }
    if (rc.mode != ResolverMode::recursive && !rc.root_hints_file.empty()) {
      m_loaded.warnings.push_back(m_toml.error(*t.get("root_hints_file"), "resolver.root_hints_file",
                                               "ignored: mode is not \"recursive\""));
    }
    if (!rc.dnssec && !rc.trust_anchor_file.empty()) {
      m_loaded.warnings.push_back(m_toml.error(*t.get("trust_anchor_file"), "resolver.trust_anchor_file",
                                               "ignored: dnssec = false"));
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
      if (!d) return tl::make_unexpected(m_toml.error(*node, key, quote(*text) + " is not a valid duration: " + d.error()));
      *field = *d;
    }
    if (sc.timeout >= sc.interval) {
      if (timeout_node) {
        return tl::make_unexpected(m_toml.error(*timeout_node, "schedule.timeout",
                                                "timeout " + format_duration(sc.timeout) + " must be shorter than the interval " +
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
        return tl::make_unexpected(m_toml.error(*n, key, std::to_string(*v) + " is out of range: use 1 to " + std::to_string(max)));
      }
      *field = static_cast<std::size_t>(*v);
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
            message += " (write " + quote(*ip + (ip->find(':') == std::string::npos ? "/32" : "/128")) + " for one address)";
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

  Result load_targets(const toml::node& node) {
    const toml::array* entries = node.as_array();
    if (!entries) {
      return tl::make_unexpected(m_toml.error(node, "targets", "expected an array of tables ([[targets]]), got " +
                                                                   TomlReader::type_name(node)));
    }
    std::vector<Origin> origins;
    std::vector<EntryInfo> infos;
    for (std::size_t i = 0; i < entries->size(); ++i) {
      const toml::node& entry = *entries->get(i);
      const std::string path = "targets[" + std::to_string(i) + "]";
      const toml::table* t = entry.as_table();
      if (!t) {
        return tl::make_unexpected(m_toml.error(entry, path, "expected a table ([[targets]]), got " + TomlReader::type_name(entry)));
      }
      if (auto r = load_target(*t, path, static_cast<std::uint32_t>(i), origins, infos); !r) return r;
    }
    return check_duplicates(origins, infos);
  }

  Result load_target(const toml::table& t, const std::string& path, std::uint32_t index, std::vector<Origin>& origins,
                     std::vector<EntryInfo>& infos) {
    if (auto r = m_toml.check_keys(t, path, k_target_keys, &section_of); !r) return r;
    const toml::node* ip_node = t.get("ip");
    const toml::node* cidr_node = t.get("cidr");
    if (ip_node && cidr_node) {
      const toml::node& later = TomlReader::before(*ip_node, *cidr_node) ? *cidr_node : *ip_node;
      return tl::make_unexpected(m_toml.error(later, path, "has both ip and cidr: use one of them per [[targets]] entry"));
    }
    if (!ip_node && !cidr_node) {
      return tl::make_unexpected(m_toml.error(t, path, "needs ip = \"...\" or cidr = \"...\""));
    }

    Target proto;  // what every address of this entry shares
    for (auto [name, field] : {std::pair{"expected_hostname", &proto.expected_hostname},
                               std::pair{"helo_hostname", &proto.helo_hostname}}) {
      const toml::node* n = t.get(name);
      if (!n) continue;
      const std::string key = path + "." + name;
      auto text = m_toml.string(*n, key);
      if (!text) return tl::make_unexpected(text.error());
      auto host = normalize_hostname(*text);
      if (!host) return tl::make_unexpected(m_toml.error(*n, key, quote(*text) + " is not a valid host name: it " + host.error()));
      *field = std::move(*host);
    }
    if (const toml::node* n = t.get("labels")) {
      auto labels = load_labels(*n, path + ".labels");
      if (!labels) return tl::make_unexpected(labels.error());
      proto.labels = std::move(*labels);
    }

    EntryInfo info;
    const toml::node& addr_node = ip_node ? *ip_node : *cidr_node;
    info.key = path + (ip_node ? ".ip" : ".cidr");
    info.line = static_cast<int>(addr_node.source().begin.line);
    info.column = static_cast<int>(addr_node.source().begin.column);
    auto text = m_toml.string(addr_node, info.key);
    if (!text) return tl::make_unexpected(text.error());

    std::vector<Target>& targets = m_loaded.config.targets;
    const std::size_t budget = targets.size() < m_options.max_total_targets ? m_options.max_total_targets - targets.size() : 0;
    if (ip_node) {
      auto ip = canonical_ip(*text);
      if (!ip) {
        std::string message = quote(*text) + " is not a valid IP address";
        if (text->find('/') != std::string::npos) message += " (for a network write cidr = " + quote(*text) + ")";
        else if (ip.error() != "not an IPv4 or IPv6 address") message += ": " + ip.error();
        return tl::make_unexpected(m_toml.error(addr_node, info.key, message));
      }
      if (budget == 0) return tl::make_unexpected(too_many(addr_node, info.key));
      proto.ip = std::move(*ip);
      targets.push_back(std::move(proto));
      origins.push_back(Origin{index});
    } else {
      auto cidr = parse_cidr(*text);
      if (!cidr) {
        std::string message = quote(*text) + " is not a valid CIDR: " + cidr.error();
        if (cidr.error().starts_with("host bits")) {
          const auto slash = text->find('/');
          message += " (write cidr = " + quote(cidr.error().substr(cidr.error().rfind(' ') + 1)) +
                     ", or ip = " + quote(text->substr(0, slash)) + " for one address)";
        }
        return tl::make_unexpected(m_toml.error(addr_node, info.key, message));
      }
      const std::size_t cap = m_loaded.config.schedule.max_cidr_addresses;
      if (cidr->host_bits >= 63 || (std::uint64_t{1} << cidr->host_bits) > cap) {
        return tl::make_unexpected(m_toml.error(addr_node, info.key,
                                                quote(*text) + " expands to " + address_count_text(cidr->host_bits) +
                                                    " addresses, more than schedule.max_cidr_addresses = " + std::to_string(cap)));
      }
      if ((std::uint64_t{1} << cidr->host_bits) > budget) return tl::make_unexpected(too_many(addr_node, info.key));
      auto addresses = expand_cidr(*text, cap);
      if (!addresses) return tl::make_unexpected(m_toml.error(addr_node, info.key, quote(*text) + " " + addresses.error()));
      info.cidr = *text;
      targets.reserve(targets.size() + addresses->size());
      for (std::string& a : *addresses) {
        Target target;
        target.ip = std::move(a);
        target.expected_hostname = proto.expected_hostname;
        target.helo_hostname = proto.helo_hostname;
        target.labels = proto.labels;
        targets.push_back(std::move(target));
        origins.push_back(Origin{index});
      }
    }
    infos.push_back(std::move(info));
    return {};
  }

  ConfigError too_many(const toml::node& node, const std::string& key) const {
    return m_toml.error(node, key, "more than " + std::to_string(m_options.max_total_targets) + " addresses in all [[targets]] together");
  }

  tl::expected<Labels, ConfigError> load_labels(const toml::node& node, const std::string& path) {
    const toml::table* t = node.as_table();
    if (!t) {
      return tl::make_unexpected(m_toml.error(node, path, "expected a table such as { pool = \"outbound\" }, got " +
                                                              TomlReader::type_name(node)));
    }
    Labels labels;
    for (const auto& [key, value] : TomlReader::entries_in_order(*t)) {
      const std::string name(key->str());
      const std::string key_path = path + "." + key_segment(name);
      if (auto ok = check_label_name(name); !ok) {
        return tl::make_unexpected(m_toml.error(key->source(), key_path, ok.error()));
      }
      const auto* s = value->as_string();
      if (!s) {
        return tl::make_unexpected(m_toml.error(*value, key_path, "label values must be strings, got " +
                                                                      TomlReader::type_name(*value)));
      }
      if (s->get().empty()) {
        return tl::make_unexpected(m_toml.error(*value, key_path,
                                                "label value is empty (Prometheus treats an empty label as absent)"));
      }
      labels.emplace_back(name, s->get());
    }
    if (labels.size() > k_max_target_labels) {
      return tl::make_unexpected(m_toml.error(node, path, std::to_string(labels.size()) + " labels: at most " +
                                                              std::to_string(k_max_target_labels) + " per target"));
    }
    std::sort(labels.begin(), labels.end());
    return labels;
  }

  // Each address may be configured once: two entries for one IP could expect different host
  // names, and merging them silently would hide that.
  Result check_duplicates(const std::vector<Origin>& origins, const std::vector<EntryInfo>& infos) {
    const std::vector<Target>& targets = m_loaded.config.targets;
    std::vector<std::uint32_t> order(targets.size());
    std::iota(order.begin(), order.end(), 0u);
    std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return targets[a].ip < targets[b].ip; });
    std::size_t first_dup = targets.size(), first_original = 0;
    for (std::size_t i = 1; i < order.size(); ++i) {
      if (targets[order[i]].ip != targets[order[i - 1]].ip) continue;
      std::size_t original = i - 1;
      while (original > 0 && targets[order[original - 1]].ip == targets[order[i]].ip) --original;
      if (order[i] < first_dup) {
        first_dup = order[i];
        first_original = order[original];
      }
    }
    if (first_dup == targets.size()) return {};
    const EntryInfo& dup = infos[origins[first_dup].entry];
    const EntryInfo& orig = infos[origins[first_original].entry];
    std::string message = targets[first_dup].ip;
    if (!dup.cidr.empty()) message += " (in " + quote(dup.cidr) + ")";
    message += " is already a target: " + orig.key;
    if (!orig.cidr.empty()) message += " = " + quote(orig.cidr);
    message += " at line " + std::to_string(orig.line) + "; list each address once";
    return tl::make_unexpected(ConfigError{m_toml.file(), dup.line, dup.column, dup.key, message});
  }

  TomlReader m_toml;
  std::string m_base_dir;
  LoadOptions m_options;
  Loaded m_loaded;
};

}  // namespace

std::string ConfigError::to_string() const {
  std::string out = file.empty() ? "<config>" : file;
  if (line > 0) {
    out += ":" + std::to_string(line);
    if (column > 0) out += ":" + std::to_string(column);
  }
  if (!key.empty()) out += ": " + key;
  out += ": " + message;
  return one_line(out);
}

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
