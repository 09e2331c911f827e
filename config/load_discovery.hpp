// One spf_domain / discover = "egress" entry of [[targets]] into a DiscoveryEntry (the agent
// finds its addresses at run time): the SPF domain or the egress method, name, echo servers and
// families, with the public echo services as defaults. Internal to config/ (it reads toml++
// nodes); load_targets.cpp calls it and checks that each source is configured once.
#pragma once

#include <string>

#include <tl/expected.hpp>

#include "config/model.hpp"
#include "config/toml_util.hpp"

namespace rdns::config {

struct LoadedDiscovery {
  DiscoveryEntry entry;
  std::string key;                           // "targets[3].spf_domain" or "targets[3].discover"
  const toml::node* address_node = nullptr;  // that key's value, for positions in messages
};

// `proto` carries what the entry shares with address entries (host names, labels, series).
[[nodiscard]] tl::expected<LoadedDiscovery, ConfigError> load_discovery_entry(TomlReader& toml, const toml::table& t,
                                                                              const std::string& path, Target proto);

}  // namespace rdns::config
