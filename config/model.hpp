// Plain configuration structs: what a parsed, validated rdns_exporter.toml means.
// No TOML, no I/O here; config/load.hpp produces these, agent/ consumes them.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace rdns::config {

enum class ResolverMode { system, recursive, forward };

struct ResolverConfig {
  ResolverMode mode = ResolverMode::system;
  std::vector<std::string> forwarders;  // "addr" or "addr@port", validated
  std::string root_hints_file;          // recursive mode: private root; empty = IANA root
  std::string trust_anchor_file;        // empty = built-in root anchor
  bool dnssec = true;
  std::string unbound_config_file;  // loaded into libunbound first
  std::size_t contexts = 0;         // libunbound contexts (1..16); 0 = chosen from the CPU count

  bool operator==(const ResolverConfig&) const = default;
};

struct ScheduleConfig {
  std::chrono::milliseconds interval = std::chrono::minutes(5);
  std::chrono::milliseconds timeout = std::chrono::seconds(10);
  std::size_t concurrency = 256;
  std::size_t max_cidr_addresses = 65536;  // cap on addresses one `cidr` may expand to
  double max_queries_per_second = 0;       // token bucket over all DNS queries; 0 = no cap

  bool operator==(const ScheduleConfig&) const = default;
};

struct GenericConfig {
  std::vector<std::string> extra_patterns;  // regexes (validated) that mark a name generic
  std::vector<std::string> allow_patterns;  // regexes that never mark it generic

  bool operator==(const GenericConfig&) const = default;
};

using Labels = std::vector<std::pair<std::string, std::string>>;  // sorted by name

// The most labels one target may carry: every one of its series repeats them all.
inline constexpr std::size_t k_max_target_labels = 32;

// One IP to watch. A `cidr` target is expanded into one Target per address.
struct Target {
  std::string ip;                 // canonical text: dotted quad, or RFC 5952 lower-case IPv6
  std::string expected_hostname;  // empty = not set; lower case, no trailing dot
  std::string helo_hostname;      // empty = not set; lower case, no trailing dot
  Labels labels;
  std::string entry;  // the [[targets]] entry it comes from: its ip, or its cidr ("198.51.100.0/28")

  bool operator==(const Target&) const = default;
};

// [probe]: who may be checked through /probe (`[probe] allow_cidrs = ["192.0.2.0/24", ...]`).
struct ProbeConfig {
  std::vector<std::string> allow_cidrs;  // "addr/len", validated; empty = any IP may be probed

  bool operator==(const ProbeConfig&) const = default;
};

struct Config {
  std::string source_file;  // where it was read from (for messages)
  ResolverConfig resolver;
  ScheduleConfig schedule;
  GenericConfig generic;
  ProbeConfig probe;
  std::vector<Target> targets;  // unique by ip, in config order
};

}  // namespace rdns::config
