#include "config/load_targets.hpp"

#include <algorithm>
#include <cstdint>
#include <numeric>

#include "config/ip_network.hpp"
#include "config/load_discovery.hpp"
#include "config/validate.hpp"

namespace rdns::config {

const std::vector<std::string_view> k_target_keys = {
    "ip", "cidr", "expected_hostname", "helo_hostname", "labels", "series",
    // discovery (agent/discovery/)
    "spf_domain", "discover", "egress_method", "egress_name", "egress_servers", "egress_families"};

namespace {

// The keys that say what an entry watches: exactly one per entry.
constexpr std::string_view k_address_keys[] = {"ip", "cidr", "spf_domain", "discover"};
constexpr std::string_view k_egress_keys[] = {"egress_method", "egress_name", "egress_servers", "egress_families"};

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

class TargetsLoader {
public:
  TargetsLoader(TomlReader& toml, const TargetsInput& input, std::vector<Target>& targets,
                std::vector<DiscoveryEntry>& discovery)
      : m_toml(toml), m_input(input), m_targets(targets), m_discovery(discovery) {}

  using Result = tl::expected<void, ConfigError>;

  Result load(const toml::node& node) {
    const toml::array* entries = node.as_array();
    if (!entries) {
      return tl::make_unexpected(m_toml.error(
          node, "targets", "expected an array of tables ([[targets]]), got " + TomlReader::type_name(node)));
    }
    std::vector<Origin> origins;
    std::vector<EntryInfo> infos;
    for (std::size_t i = 0; i < entries->size(); ++i) {
      const toml::node& entry = *entries->get(i);
      const std::string path = "targets[" + std::to_string(i) + "]";
      const toml::table* t = entry.as_table();
      if (!t) {
        return tl::make_unexpected(
            m_toml.error(entry, path, "expected a table ([[targets]]), got " + TomlReader::type_name(entry)));
      }
      if (auto r = load_target(*t, path, static_cast<std::uint32_t>(i), origins, infos); !r) return r;
    }
    return check_duplicates(origins, infos);
  }

  Result load_target(const toml::table& t, const std::string& path, std::uint32_t index, std::vector<Origin>& origins,
                     std::vector<EntryInfo>& infos) {
    if (auto r = check_entry_keys(t, path); !r) return r;
    auto proto = load_shared(t, path);
    if (!proto) return tl::make_unexpected(proto.error());
    const toml::node* ip_node = t.get("ip");
    const toml::node* cidr_node = t.get("cidr");
    if (!ip_node && !cidr_node) return load_discovery(t, path, std::move(*proto), infos);

    EntryInfo info;
    const toml::node& addr_node = ip_node ? *ip_node : *cidr_node;
    info.key = path + (ip_node ? ".ip" : ".cidr");
    info.line = static_cast<int>(addr_node.source().begin.line);
    info.column = static_cast<int>(addr_node.source().begin.column);
    auto text = m_toml.string(addr_node, info.key);
    if (!text) return tl::make_unexpected(text.error());
    const std::size_t before = m_targets.size();
    auto added = ip_node ? add_ip(addr_node, info.key, *text, std::move(*proto))
                         : add_cidr(addr_node, info.key, *text, std::move(*proto));
    if (!added) return added;
    if (cidr_node) info.cidr = *text;
    origins.insert(origins.end(), m_targets.size() - before, Origin{index});
    infos.push_back(std::move(info));
    return {};
  }

  // The keys of one entry: all known, exactly one of ip, cidr, spf_domain, discover (the second
  // in file order is the error), egress_* only with discover.
  Result check_entry_keys(const toml::table& t, const std::string& path) {
    if (auto r = m_toml.check_keys(t, path, k_target_keys, m_input.section_of); !r) return r;
    const toml::node* first = nullptr;
    std::string_view first_key;
    for (std::string_view key : k_address_keys) {
      const toml::node* n = t.get(key);
      if (!n) continue;
      if (!first) {
        first = n;
        first_key = key;
        continue;
      }
      const bool n_first = TomlReader::before(*n, *first);
      const toml::node& later = n_first ? *first : *n;
      const std::string_view a = n_first ? key : first_key, b = n_first ? first_key : key;
      return tl::make_unexpected(m_toml.error(later, path,
                                              "has both " + std::string(a) + " and " + std::string(b) +
                                                  ": use exactly one of ip, cidr, spf_domain, discover per "
                                                  "[[targets]] entry"));
    }
    if (!first) {
      return tl::make_unexpected(
          m_toml.error(t, path, "needs ip = \"...\", cidr = \"...\", spf_domain = \"...\" or discover = \"egress\""));
    }
    if (!t.get("discover")) {
      for (std::string_view key : k_egress_keys) {
        if (const toml::node* n = t.get(key)) {
          return tl::make_unexpected(
              m_toml.error(*n, path + "." + std::string(key), "applies only to an entry with discover = \"egress\""));
        }
      }
    }
    return {};
  }

  // What every address of an entry shares: host names, labels, series.
  [[nodiscard]] tl::expected<Target, ConfigError> load_shared(const toml::table& t, const std::string& path) {
    Target proto;
    for (auto [name, field] :
         {std::pair{"expected_hostname", &proto.expected_hostname}, std::pair{"helo_hostname", &proto.helo_hostname}}) {
      const toml::node* n = t.get(name);
      if (!n) continue;
      const std::string key = path + "." + name;
      auto text = m_toml.string(*n, key);
      if (!text) return tl::make_unexpected(text.error());
      auto host = normalize_hostname(*text);
      if (!host)
        return tl::make_unexpected(
            m_toml.error(*n, key, quote(*text) + " is not a valid host name: it " + host.error()));
      *field = std::move(*host);
    }
    if (const toml::node* n = t.get("labels")) {
      auto labels = load_labels(*n, path + ".labels");
      if (!labels) return tl::make_unexpected(labels.error());
      proto.labels = std::move(*labels);
    }
    if (const toml::node* n = t.get("series")) {
      auto mode = load_series(*n, path + ".series");
      if (!mode) return tl::make_unexpected(mode.error());
      proto.series = *mode;
    }
    return proto;
  }

  // Addresses left under max_total_targets.
  std::size_t budget() const {
    return m_targets.size() < m_input.max_total_targets ? m_input.max_total_targets - m_targets.size() : 0;
  }

  Result add_ip(const toml::node& addr_node, const std::string& key, const std::string& text, Target proto) {
    auto ip = canonical_ip(text);
    if (!ip) {
      std::string message = quote(text) + " is not a valid IP address";
      if (text.find('/') != std::string::npos)
        message += " (for a network write cidr = " + quote(text) + ")";
      else if (ip.error() != "not an IPv4 or IPv6 address")
        message += ": " + ip.error();
      return tl::make_unexpected(m_toml.error(addr_node, key, message));
    }
    if (budget() == 0) return tl::make_unexpected(too_many(addr_node, key));
    proto.ip = std::move(*ip);
    proto.entry = proto.ip;
    m_targets.push_back(std::move(proto));
    return {};
  }

  Result add_cidr(const toml::node& addr_node, const std::string& key, const std::string& text, Target proto) {
    auto cidr = parse_cidr(text);
    if (!cidr) {
      std::string message = quote(text) + " is not a valid CIDR: " + cidr.error();
      if (cidr.error().starts_with("host bits")) {
        const auto slash = text.find('/');
        message += " (write cidr = " + quote(cidr.error().substr(cidr.error().rfind(' ') + 1)) +
                   ", or ip = " + quote(text.substr(0, slash)) + " for one address)";
      }
      return tl::make_unexpected(m_toml.error(addr_node, key, message));
    }
    const std::size_t cap = m_input.max_cidr_addresses;
    if (cidr->host_bits >= 63 || (std::uint64_t{1} << cidr->host_bits) > cap) {
      return tl::make_unexpected(
          m_toml.error(addr_node, key,
                       quote(text) + " expands to " + address_count_text(cidr->host_bits) +
                           " addresses, more than schedule.max_cidr_addresses = " + std::to_string(cap)));
    }
    if ((std::uint64_t{1} << cidr->host_bits) > budget()) return tl::make_unexpected(too_many(addr_node, key));
    auto addresses = expand_cidr(text, cap);
    if (!addresses) return tl::make_unexpected(m_toml.error(addr_node, key, quote(text) + " " + addresses.error()));
    if (proto.series == SeriesMode::all && addresses->size() > k_series_all_warning_addresses && m_input.warnings) {
      // ~30 series per IP: a /16 is about 2 million series and 100 MB per scrape.
      m_input.warnings->push_back(
          m_toml.error(addr_node, key,
                       quote(text) + " has " + std::to_string(addresses->size()) +
                           " addresses and series = \"all\" (about 30 series each): consider series = \"failing\" "
                           "(per-IP series only for IPs that fail, counts per entry for the rest)"));
    }
    // The network as canonical text: the same entry spelled differently keeps its series.
    unsigned prefix = cidr->prefix_length;
    if (cidr->ipv6 && cidr->network.find(':') == std::string::npos) prefix -= 96;  // ::ffff:a.b.c.d/len
    const std::string entry = cidr->network + "/" + std::to_string(prefix);
    m_targets.reserve(m_targets.size() + addresses->size());
    for (std::string& a : *addresses) {
      Target target;
      target.ip = std::move(a);
      target.expected_hostname = proto.expected_hostname;
      target.helo_hostname = proto.helo_hostname;
      target.labels = proto.labels;
      target.entry = entry;
      target.series = proto.series;
      m_targets.push_back(std::move(target));
    }
    return {};
  }

  [[nodiscard]] tl::expected<SeriesMode, ConfigError> load_series(const toml::node& node, const std::string& key) {
    auto text = m_toml.string(node, key);
    if (!text) return tl::make_unexpected(text.error());
    if (*text == "all") return SeriesMode::all;
    if (*text == "failing") return SeriesMode::failing;
    std::string message = quote(*text) + " is not a series mode: use \"all\" or \"failing\"";
    if (const std::string near = suggest(*text, {"all", "failing"}); !near.empty()) {
      message += " (did you mean " + quote(near) + "?)";
    }
    return tl::make_unexpected(m_toml.error(node, key, message));
  }

  // An spf_domain or discover entry (load_discovery.hpp), kept once per source; the agent finds
  // its addresses at run time.
  Result load_discovery(const toml::table& t, const std::string& path, Target proto, std::vector<EntryInfo>& infos) {
    auto loaded = load_discovery_entry(m_toml, t, path, std::move(proto));
    if (!loaded) return tl::make_unexpected(loaded.error());
    EntryInfo info;
    info.key = std::move(loaded->key);
    info.line = static_cast<int>(loaded->address_node->source().begin.line);
    info.column = static_cast<int>(loaded->address_node->source().begin.column);
    const DiscoveryEntry& entry = loaded->entry;
    for (std::size_t i = 0; i < m_discovery.size(); ++i) {
      if (m_discovery[i].source() != entry.source()) continue;
      const EntryInfo& orig = infos[m_discovery_entry[i]];
      return tl::make_unexpected(ConfigError{
          m_toml.file(), info.line, info.column, info.key,
          entry.kind == DiscoveryEntry::Kind::spf
              ? quote(entry.spf_domain) + " is already discovered by " + orig.key + " at line " +
                    std::to_string(orig.line) + "; list each domain once"
              : "discover = \"egress\" is already configured by " + orig.key + " at line " + std::to_string(orig.line) +
                    "; one egress entry covers every family (egress_families)"});
    }
    m_discovery_entry.push_back(infos.size());
    m_discovery.push_back(std::move(loaded->entry));
    infos.push_back(std::move(info));
    return {};
  }

  ConfigError too_many(const toml::node& node, const std::string& key) const {
    return m_toml.error(
        node, key, "more than " + std::to_string(m_input.max_total_targets) + " addresses in all [[targets]] together");
  }

  [[nodiscard]] tl::expected<Labels, ConfigError> load_labels(const toml::node& node, const std::string& path) {
    const toml::table* t = node.as_table();
    if (!t) {
      return tl::make_unexpected(m_toml.error(
          node, path, "expected a table such as { pool = \"outbound\" }, got " + TomlReader::type_name(node)));
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
        return tl::make_unexpected(
            m_toml.error(*value, key_path, "label values must be strings, got " + TomlReader::type_name(*value)));
      }
      if (s->get().empty()) {
        return tl::make_unexpected(
            m_toml.error(*value, key_path, "label value is empty (Prometheus treats an empty label as absent)"));
      }
      labels.emplace_back(name, s->get());
    }
    if (labels.size() > k_max_target_labels) {
      return tl::make_unexpected(m_toml.error(
          node, path,
          std::to_string(labels.size()) + " labels: at most " + std::to_string(k_max_target_labels) + " per target"));
    }
    std::sort(labels.begin(), labels.end());
    return labels;
  }

  // Each address may be configured once: two entries for one IP could expect different host
  // names, and merging them silently would hide that.
  Result check_duplicates(const std::vector<Origin>& origins, const std::vector<EntryInfo>& infos) {
    const std::vector<Target>& targets = m_targets;
    std::vector<std::uint32_t> order(targets.size());
    std::iota(order.begin(), order.end(), 0u);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return targets[a].ip < targets[b].ip; });
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

private:
  TomlReader& m_toml;
  const TargetsInput& m_input;
  std::vector<Target>& m_targets;
  std::vector<DiscoveryEntry>& m_discovery;
  std::vector<std::size_t> m_discovery_entry;  // per m_discovery entry: its index in `infos`
};

}  // namespace

tl::expected<void, ConfigError> load_targets(TomlReader& toml, const toml::node& node, const TargetsInput& input,
                                             std::vector<Target>& targets, std::vector<DiscoveryEntry>& discovery) {
  return TargetsLoader(toml, input, targets, discovery).load(node);
}

}  // namespace rdns::config
