#include "config/load_targets.hpp"

#include <algorithm>
#include <cstdint>
#include <numeric>

#include "config/ip_network.hpp"
#include "config/validate.hpp"

namespace rdns::config {

const std::vector<std::string_view> k_target_keys = {"ip",     "cidr",  "expected_hostname", "helo_hostname",
                                                     "labels", "series"};

namespace {

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
  TargetsLoader(TomlReader& toml, const TargetsInput& input, std::vector<Target>& targets)
      : m_toml(toml), m_input(input), m_targets(targets) {}

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
    if (auto r = m_toml.check_keys(t, path, k_target_keys, m_input.section_of); !r) return r;
    const toml::node* ip_node = t.get("ip");
    const toml::node* cidr_node = t.get("cidr");
    if (ip_node && cidr_node) {
      const toml::node& later = TomlReader::before(*ip_node, *cidr_node) ? *cidr_node : *ip_node;
      return tl::make_unexpected(
          m_toml.error(later, path, "has both ip and cidr: use one of them per [[targets]] entry"));
    }
    if (!ip_node && !cidr_node) {
      return tl::make_unexpected(m_toml.error(t, path, "needs ip = \"...\" or cidr = \"...\""));
    }

    Target proto;  // what every address of this entry shares
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

    EntryInfo info;
    const toml::node& addr_node = ip_node ? *ip_node : *cidr_node;
    info.key = path + (ip_node ? ".ip" : ".cidr");
    info.line = static_cast<int>(addr_node.source().begin.line);
    info.column = static_cast<int>(addr_node.source().begin.column);
    auto text = m_toml.string(addr_node, info.key);
    if (!text) return tl::make_unexpected(text.error());

    std::vector<Target>& targets = m_targets;
    const std::size_t budget =
        targets.size() < m_input.max_total_targets ? m_input.max_total_targets - targets.size() : 0;
    if (ip_node) {
      auto ip = canonical_ip(*text);
      if (!ip) {
        std::string message = quote(*text) + " is not a valid IP address";
        if (text->find('/') != std::string::npos)
          message += " (for a network write cidr = " + quote(*text) + ")";
        else if (ip.error() != "not an IPv4 or IPv6 address")
          message += ": " + ip.error();
        return tl::make_unexpected(m_toml.error(addr_node, info.key, message));
      }
      if (budget == 0) return tl::make_unexpected(too_many(addr_node, info.key));
      proto.ip = std::move(*ip);
      proto.entry = proto.ip;
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
      const std::size_t cap = m_input.max_cidr_addresses;
      if (cidr->host_bits >= 63 || (std::uint64_t{1} << cidr->host_bits) > cap) {
        return tl::make_unexpected(
            m_toml.error(addr_node, info.key,
                         quote(*text) + " expands to " + address_count_text(cidr->host_bits) +
                             " addresses, more than schedule.max_cidr_addresses = " + std::to_string(cap)));
      }
      if ((std::uint64_t{1} << cidr->host_bits) > budget) return tl::make_unexpected(too_many(addr_node, info.key));
      auto addresses = expand_cidr(*text, cap);
      if (!addresses)
        return tl::make_unexpected(m_toml.error(addr_node, info.key, quote(*text) + " " + addresses.error()));
      if (proto.series == SeriesMode::all && addresses->size() > k_series_all_warning_addresses && m_input.warnings) {
        // ~30 series per IP: a /16 is about 2 million series and 100 MB per scrape.
        m_input.warnings->push_back(
            m_toml.error(addr_node, info.key,
                         quote(*text) + " has " + std::to_string(addresses->size()) +
                             " addresses and series = \"all\" (about 30 series each): consider series = \"failing\" "
                             "(per-IP series only for IPs that fail, counts per entry for the rest)"));
      }
      info.cidr = *text;
      // The network as canonical text: the same entry spelled differently keeps its series.
      unsigned prefix = cidr->prefix_length;
      if (cidr->ipv6 && cidr->network.find(':') == std::string::npos) prefix -= 96;  // ::ffff:a.b.c.d/len
      const std::string entry = cidr->network + "/" + std::to_string(prefix);
      targets.reserve(targets.size() + addresses->size());
      for (std::string& a : *addresses) {
        Target target;
        target.ip = std::move(a);
        target.expected_hostname = proto.expected_hostname;
        target.helo_hostname = proto.helo_hostname;
        target.labels = proto.labels;
        target.entry = entry;
        target.series = proto.series;
        targets.push_back(std::move(target));
        origins.push_back(Origin{index});
      }
    }
    infos.push_back(std::move(info));
    return {};
  }

  tl::expected<SeriesMode, ConfigError> load_series(const toml::node& node, const std::string& key) {
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

  ConfigError too_many(const toml::node& node, const std::string& key) const {
    return m_toml.error(
        node, key, "more than " + std::to_string(m_input.max_total_targets) + " addresses in all [[targets]] together");
  }

  tl::expected<Labels, ConfigError> load_labels(const toml::node& node, const std::string& path) {
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
};

}  // namespace

tl::expected<void, ConfigError> load_targets(TomlReader& toml, const toml::node& node, const TargetsInput& input,
                                             std::vector<Target>& targets) {
  return TargetsLoader(toml, input, targets).load(node);
}

}  // namespace rdns::config
