#include "config/load_discovery.hpp"

#include <algorithm>

#include "config/ip_network.hpp"
#include "config/validate.hpp"

namespace rdns::config {
namespace {

// The public echo services (checks/discovery/egress_lookup.hpp): Google's authoritative servers
// ns1..ns4.google.com answer o-o.myaddr.l.google.com TXT with the asking address; OpenDNS's
// resolvers answer myip.opendns.com A/AAAA with it.
const std::vector<std::string> k_google_servers = {
    "216.239.32.10",        "216.239.34.10",        "216.239.36.10",        "216.239.38.10",
    "2001:4860:4802:32::a", "2001:4860:4802:34::a", "2001:4860:4802:36::a", "2001:4860:4802:38::a"};
const std::vector<std::string> k_opendns_servers = {"208.67.222.222", "208.67.220.220", "2620:119:35::35",
                                                    "2620:119:53::53"};

bool is_ipv6_server(std::string_view server) {
  // "addr" or "addr@port", canonical: only IPv6 text holds a colon.
  return server.substr(0, server.find('@')).find(':') != std::string_view::npos;
}

// The egress_* keys of a discover = "egress" entry, with the public echo service of the method
// as the default.
[[nodiscard]] tl::expected<void, ConfigError> load_egress(TomlReader& toml, const toml::table& t,
                                                          const std::string& path, DiscoveryEntry& entry) {
  if (const toml::node* n = t.get("egress_method")) {
    const std::string key = path + ".egress_method";
    auto text = toml.string(*n, key);
    if (!text) return tl::make_unexpected(text.error());
    if (*text == "txt_echo") {
      entry.egress_method = DiscoveryEntry::EgressMethod::txt_echo;
    } else if (*text == "address_echo") {
      entry.egress_method = DiscoveryEntry::EgressMethod::address_echo;
    } else {
      std::string message = quote(*text) + " is not an egress method: use \"txt_echo\" or \"address_echo\"";
      if (const std::string near = suggest(*text, {"txt_echo", "address_echo"}); !near.empty()) {
        message += " (did you mean " + quote(near) + "?)";
      }
      return tl::make_unexpected(toml.error(*n, key, message));
    }
  }
  const bool txt = entry.egress_method == DiscoveryEntry::EgressMethod::txt_echo;
  entry.egress_name = txt ? "o-o.myaddr.l.google.com." : "myip.opendns.com.";
  if (const toml::node* n = t.get("egress_name")) {
    const std::string key = path + ".egress_name";
    auto text = toml.string(*n, key);
    if (!text) return tl::make_unexpected(text.error());
    auto name = normalize_domain_name(*text);
    if (!name) {
      return tl::make_unexpected(toml.error(*n, key, quote(*text) + " is not a valid domain name: it " + name.error()));
    }
    entry.egress_name = *name + ".";
  }
  const toml::node* servers_node = t.get("egress_servers");
  if (servers_node) {
    const std::string key = path + ".egress_servers";
    auto list = toml.string_array(*servers_node, key);
    if (!list) return tl::make_unexpected(list.error());
    if (list->empty()) {
      return tl::make_unexpected(toml.error(
          *servers_node, key, "is empty: leave the key out for the public echo servers, or list at least one"));
    }
    for (const auto& [value, node, item_key] : *list) {
      auto server = normalize_forwarder(value);
      if (!server) {
        return tl::make_unexpected(
            toml.error(*node, item_key, "invalid echo server " + quote(value) + ": " + server.error()));
      }
      entry.egress_servers.push_back(std::move(*server));
    }
  } else {
    entry.egress_servers = txt ? k_google_servers : k_opendns_servers;
  }
  const toml::node* families_node = t.get("egress_families");
  if (families_node) {
    const std::string key = path + ".egress_families";
    auto list = toml.string_array(*families_node, key);
    if (!list) return tl::make_unexpected(list.error());
    if (list->empty()) {
      return tl::make_unexpected(
          toml.error(*families_node, key, "is empty: list \"ipv4\", \"ipv6\" or both (default [\"ipv4\"])"));
    }
    for (const auto& [value, node, item_key] : *list) {
      DiscoveryEntry::Family family;
      if (value == "ipv4") {
        family = DiscoveryEntry::Family::ipv4;
      } else if (value == "ipv6") {
        family = DiscoveryEntry::Family::ipv6;
      } else {
        return tl::make_unexpected(
            toml.error(*node, item_key, quote(value) + " is not an address family: use \"ipv4\" or \"ipv6\""));
      }
      if (std::find(entry.egress_families.begin(), entry.egress_families.end(), family) !=
          entry.egress_families.end()) {
        return tl::make_unexpected(toml.error(*node, item_key, quote(value) + " is listed twice"));
      }
      entry.egress_families.push_back(family);
    }
  } else {
    entry.egress_families = {DiscoveryEntry::Family::ipv4};
  }
  // The echo server sees the family the query was sent over: each family needs a server of it.
  for (const DiscoveryEntry::Family family : entry.egress_families) {
    const bool v6 = family == DiscoveryEntry::Family::ipv6;
    if (std::none_of(entry.egress_servers.begin(), entry.egress_servers.end(),
                     [&](const std::string& s) { return is_ipv6_server(s) == v6; })) {
      const toml::node& where = servers_node ? *servers_node : *families_node;
      return tl::make_unexpected(toml.error(where, path + (servers_node ? ".egress_servers" : ".egress_families"),
                                            std::string("no ") + (v6 ? "IPv6" : "IPv4") +
                                                " server in egress_servers for family \"" + (v6 ? "ipv6" : "ipv4") +
                                                "\": the echo server sees the family the query travels over"));
    }
  }
  return {};
}

}  // namespace

tl::expected<LoadedDiscovery, ConfigError> load_discovery_entry(TomlReader& toml, const toml::table& t,
                                                                const std::string& path, Target proto) {
  DiscoveryEntry entry;
  entry.expected_hostname = std::move(proto.expected_hostname);
  entry.helo_hostname = std::move(proto.helo_hostname);
  entry.labels = std::move(proto.labels);
  entry.series = proto.series;
  std::string key;
  const toml::node* address_node = nullptr;
  if (const toml::node* n = t.get("spf_domain")) {
    address_node = n;
    key = path + ".spf_domain";
    auto text = toml.string(*n, key);
    if (!text) return tl::make_unexpected(text.error());
    if (canonical_ip(*text)) {
      return tl::make_unexpected(toml.error(
          *n, key, quote(*text) + " is an IP address, not a domain (for one address write ip = " + quote(*text) + ")"));
    }
    auto domain = normalize_domain_name(*text);
    if (!domain) {
      return tl::make_unexpected(
          toml.error(*n, key, quote(*text) + " is not a valid domain name: it " + domain.error()));
    }
    entry.kind = DiscoveryEntry::Kind::spf;
    entry.spf_domain = std::move(*domain);
  } else {
    const toml::node& d = *t.get("discover");
    address_node = &d;
    key = path + ".discover";
    auto text = toml.string(d, key);
    if (!text) return tl::make_unexpected(text.error());
    if (*text != "egress") {
      std::string message = quote(*text) +
                            " is not a discovery method: use \"egress\" (for the addresses of an "
                            "SPF record write spf_domain = \"example.com\")";
      if (const std::string near = suggest(*text, {"egress"}); !near.empty()) {
        message = quote(*text) + " is not a discovery method (did you mean " + quote(near) + "?)";
      }
      return tl::make_unexpected(toml.error(d, key, message));
    }
    entry.kind = DiscoveryEntry::Kind::egress;
    if (auto r = load_egress(toml, t, path, entry); !r) return tl::make_unexpected(r.error());
  }
  for (const auto& [name, value] : entry.labels) {
    if (name == "source") {
      return tl::make_unexpected(
          toml.error(*t.get("labels"), path + ".labels.source",
                     "label \"source\" is set by the exporter on discovered targets (" + quote(entry.source()) + ")"));
    }
  }
  return LoadedDiscovery{std::move(entry), std::move(key), address_node};
}

}  // namespace rdns::config
