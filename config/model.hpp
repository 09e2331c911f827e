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
  std::string trust_anchor_file;        // empty = the system's root anchors, else the built-in ones
  bool dnssec = true;
  std::string unbound_config_file;  // loaded into libunbound first
  std::size_t contexts = 0;         // libunbound contexts (1..16); 0 = chosen from the CPU count
  // The agent renews its resolver (drops every cached answer) when it is this old, so no answer
  // it reports is older; 0 = the schedule interval.
  std::chrono::milliseconds max_answer_age{0};
  // Ask every authoritative server of each reverse zone directly (same PTR, reachable, in sync),
  // on this port (53 in real DNS; a lab whose servers listen elsewhere sets its own).
  bool zone_servers = true;
  std::uint16_t zone_server_port = 53;

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

// `[[targets]] series`: which per-IP series the exposition writes for the entry's IPs. `all`:
// every family for every checked IP. `failing`: only for IPs that do not pass (a failed check,
// or a failed lookup); the per-entry aggregates (rdns_target_ips, rdns_target_check_failures,
// ...) are written in both modes. For large CIDRs: ~30 series per IP otherwise.
enum class SeriesMode : std::uint8_t { all, failing };

// One IP to watch. A `cidr` target is expanded into one Target per address.
struct Target {
  std::string ip;                 // canonical text: dotted quad, or RFC 5952 lower-case IPv6
  std::string expected_hostname;  // empty = not set; lower case, no trailing dot
  std::string helo_hostname;      // empty = not set; lower case, no trailing dot
  Labels labels;
  std::string entry;  // the [[targets]] entry it comes from: its ip, or its cidr ("198.51.100.0/28")
  SeriesMode series = SeriesMode::all;

  bool operator==(const Target&) const = default;
};

// [probe]: who may be checked through /probe (`[probe] allow_cidrs = ["192.0.2.0/24", ...]`).
struct ProbeConfig {
  std::vector<std::string> allow_cidrs;  // "addr/len", validated; empty = any IP may be probed

  bool operator==(const ProbeConfig&) const = default;
};

// `[[targets]] spf_domain = "..."` or `discover = "egress"`: targets the agent finds itself,
// again at every interval (agent/discovery/). Every address found becomes a Target with the
// entry's names and labels, plus `source` = source().
struct DiscoveryEntry {
  enum class Kind { spf, egress };
  enum class EgressMethod { txt_echo, address_echo };
  enum class Family { ipv4, ipv6 };

  Kind kind = Kind::spf;
  std::string spf_domain;  // kind spf: lower case, no trailing dot
  // kind egress (the defaults are set by the loader, per method: Google's or OpenDNS's servers)
  EgressMethod egress_method = EgressMethod::txt_echo;
  std::string egress_name;                  // absolute, trailing dot: "o-o.myaddr.l.google.com."
  std::vector<std::string> egress_servers;  // "addr" or "addr@port", canonical (normalize_forwarder)
  std::vector<Family> egress_families;      // each at most once, each with a server of its family
  // as for a static entry
  std::string expected_hostname;
  std::string helo_hostname;
  Labels labels;  // never "source": that one is the exporter's
  SeriesMode series = SeriesMode::all;

  // "spf:example.com" or "egress": the `source` label of the addresses found, and their
  // `target` (entry) label. Unique among the entries of one config.
  std::string source() const { return kind == Kind::spf ? "spf:" + spf_domain : std::string("egress"); }

  bool operator==(const DiscoveryEntry&) const = default;
};

struct Config {
  std::string source_file;  // where it was read from (for messages)
  ResolverConfig resolver;
  ScheduleConfig schedule;
  GenericConfig generic;
  ProbeConfig probe;
  std::vector<Target> targets;  // unique by ip, in config order
  // Discovery entries, in config order. Their addresses may repeat a static target's: the
  // static one wins (agent/discovery/).
  std::vector<DiscoveryEntry> discovery;
};

}  // namespace rdns::config
