#include "agent/discovery/discovery_runner.hpp"

#include <algorithm>
#include <set>
#include <unordered_set>

#include <spdlog/spdlog.h>

#include "agent/logging/logging.hpp"
#include "config/ip_network.hpp"

namespace rdns::agent::discovery {
namespace {

using config::DiscoveryEntry;
using namespace std::chrono;

double system_unix_now() { return duration<double>(system_clock::now().time_since_epoch()).count(); }

const char* family_name(DiscoveryEntry::Family family) {
  return family == DiscoveryEntry::Family::ipv4 ? "ipv4" : "ipv6";
}

enum class Kind { ok, permerror, temperror };

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::ok: return "ok";
    case Kind::permerror: return "permerror";
    case Kind::temperror: return "temperror";
  }
  return "ok";
}

}  // namespace

struct DiscoveryRunner::SourceState {
  bool attempted = false;
  bool success = false;
  std::vector<std::string> addresses;                 // sorted, unique
  std::map<std::string, std::string> egress_address;  // family -> address (egress sources)
  double last_success = 0;
  std::uint64_t permerrors = 0;
  std::uint64_t temperrors = 0;
  std::size_t not_expandable = 0;
  std::string last_problem;  // what was last logged: "" while fine
};

// What one discovery of one source found, before it is applied.
struct DiscoveryRunner::Result {
  Kind kind = Kind::ok;
  std::string error;                                  // when not ok: the first problem, one line
  std::vector<std::string> addresses;                 // spf, when ok
  std::vector<std::string> not_expandable;            // spf, when ok: terms and networks left out
  std::map<std::string, std::string> egress_address;  // egress: family -> address, for families that answered
};

DiscoveryRunner::DiscoveryRunner(std::shared_ptr<DiscoveryBackend> backend, Publish publish, Clock clock)
    : m_backend(std::move(backend)),
      m_publish(std::move(publish)),
      m_clock(clock ? std::move(clock) : system_unix_now) {}

DiscoveryRunner::~DiscoveryRunner() { stop(); }

void DiscoveryRunner::configure(DiscoverySettings settings) {
  std::lock_guard lock(m_mutex);
  std::set<std::string> wanted;
  bool added = false;
  for (const auto& entry : settings.entries) {
    const std::string source = entry.source();
    wanted.insert(source);
    auto [it, inserted] = m_sources.try_emplace(source);
    if (inserted) {
      it->second = std::make_unique<SourceState>();
      added = true;
    }
  }
  std::erase_if(m_sources, [&](const auto& item) { return !wanted.contains(item.first); });
  // An egress entry with other families (or servers) starts over: a family dropped and added
  // again is a first discovery, not a change.
  if (auto it = m_sources.find("egress"); it != m_sources.end()) {
    for (const auto& entry : settings.entries) {
      if (entry.kind != DiscoveryEntry::Kind::egress) continue;
      std::erase_if(it->second->egress_address, [&](const auto& item) {
        return std::none_of(entry.egress_families.begin(), entry.egress_families.end(),
                            [&](DiscoveryEntry::Family f) { return item.first == family_name(f); });
      });
      for (DiscoveryEntry::Family family : entry.egress_families) m_egress_changes.try_emplace(family_name(family), 0);
    }
    auto& addresses = it->second->addresses;
    addresses.clear();
    for (const auto& [family, address] : it->second->egress_address) addresses.push_back(address);
    std::sort(addresses.begin(), addresses.end());
  }
  m_settings = std::move(settings);
  if (added) m_run_now = true;
  m_wake.notify_all();  // also for a new interval
}

bool DiscoveryRunner::configured() const {
  std::lock_guard lock(m_mutex);
  return !m_settings.entries.empty();
}

void DiscoveryRunner::start() {
  std::lock_guard lock(m_mutex);
  if (m_thread.joinable() || m_stop) return;
  m_thread = std::thread([this] { loop(); });
}

void DiscoveryRunner::request_stop() {
  std::lock_guard lock(m_mutex);
  m_stop = true;
  m_wake.notify_all();
}

void DiscoveryRunner::stop() {
  request_stop();
  std::thread thread;
  {
    std::lock_guard lock(m_mutex);
    thread = std::move(m_thread);
  }
  if (thread.joinable()) thread.join();
}

void DiscoveryRunner::loop() {
  for (;;) {
    const auto started = steady_clock::now();
    {
      std::lock_guard lock(m_mutex);
      m_run_now = false;  // this cycle covers what configure() asked for so far
    }
    run_cycle();
    std::unique_lock lock(m_mutex);
    // The deadline is taken again after every wake-up: a reload may have changed the interval.
    while (!m_stop && !m_run_now && steady_clock::now() < started + m_settings.interval) {
      m_wake.wait_until(lock, started + m_settings.interval);
    }
    if (m_stop) return;
  }
}

void DiscoveryRunner::run_cycle() {
  std::lock_guard cycle(m_cycle_mutex);
  DiscoverySettings settings;
  {
    std::lock_guard lock(m_mutex);
    settings = m_settings;
  }
  bool changed = false;
  for (const auto& entry : settings.entries) {
    {
      std::lock_guard lock(m_mutex);
      if (m_stop) return;
    }
    Result result = discover(entry, settings);
    std::lock_guard lock(m_mutex);
    // A reload may have removed or replaced the entry meanwhile: apply only to the one in force.
    const bool in_force = std::any_of(m_settings.entries.begin(), m_settings.entries.end(),
                                      [&](const DiscoveryEntry& e) { return e == entry; });
    if (in_force && apply_result(entry, std::move(result))) changed = true;
  }
  if (changed && m_publish) m_publish();
}

DiscoveryRunner::Result DiscoveryRunner::discover(const DiscoveryEntry& entry, const DiscoverySettings& settings) {
  Result result;
  const auto deadline = steady_clock::now() + settings.timeout;
  if (entry.kind == DiscoveryEntry::Kind::egress) {
    for (DiscoveryEntry::Family family : entry.egress_families) {
      EgressOutcome outcome = m_backend->lookup_egress(settings.resolver, entry, family, deadline);
      if (outcome.kind == EgressOutcome::Kind::ok) {
        result.egress_address[family_name(family)] = std::move(outcome.address);
        continue;
      }
      // A permerror in any family outweighs a temperror in another: it will not go away alone.
      const Kind kind = outcome.kind == EgressOutcome::Kind::permerror ? Kind::permerror : Kind::temperror;
      if (result.kind == Kind::ok || (kind == Kind::permerror && result.kind == Kind::temperror)) {
        result.kind = kind;
        result.error = std::string(family_name(family)) + ": " + outcome.error;
      }
    }
    return result;
  }

  using checks::discovery::SpfOutcome;
  checks::discovery::SpfExpansion expansion = m_backend->expand_spf(settings.resolver, entry.spf_domain, deadline);
  switch (expansion.outcome) {
    case SpfOutcome::ok: break;
    case SpfOutcome::none:
      result.kind = Kind::permerror;
      result.error = entry.spf_domain + " publishes no SPF record";
      return result;
    case SpfOutcome::permerror:
    case SpfOutcome::temperror:
      result.kind = expansion.outcome == SpfOutcome::permerror ? Kind::permerror : Kind::temperror;
      result.error = expansion.error.empty() ? "SPF " + std::string(kind_name(result.kind)) : expansion.error;
      return result;
  }
  result.not_expandable = std::move(expansion.not_expandable);
  std::set<std::string> addresses;
  for (const auto& network : expansion.networks) {
    if (addresses.size() >= k_max_addresses_per_source) {
      result.not_expandable.push_back(network + " (over " + std::to_string(k_max_addresses_per_source) +
                                      " addresses for the source)");
      continue;
    }
    auto expanded = config::expand_cidr(network, settings.max_cidr_addresses);
    if (!expanded) {
      result.not_expandable.push_back(network + " (" + expanded.error() + ", schedule.max_cidr_addresses)");
      continue;
    }
    for (auto& address : *expanded) addresses.insert(std::move(address));
  }
  result.addresses.assign(std::make_move_iterator(addresses.begin()), std::make_move_iterator(addresses.end()));
  return result;
}

bool DiscoveryRunner::apply_result(const DiscoveryEntry& entry, Result result) {
  const std::string source = entry.source();
  auto it = m_sources.find(source);
  if (it == m_sources.end()) return false;
  SourceState& state = *it->second;
  const std::vector<std::string> before = state.addresses;
  state.attempted = true;

  if (entry.kind == DiscoveryEntry::Kind::egress) {
    // Every family that answered is taken, also when another failed.
    for (auto& [family, address] : result.egress_address) {
      auto& previous = state.egress_address[family];
      if (previous.empty()) {
        // The first discovery since start: compared with what the last run found, if anything.
        if (auto restored = m_restored_egress.find(family); restored != m_restored_egress.end()) {
          if (restored->second != address) {
            ++m_egress_changes[family];
            log_event(spdlog::level::warn,
                      "egress address changed since the last run: this host's public address is dynamic",
                      {{"family", family}, {"old", restored->second}, {"new", address}});
          }
          m_restored_egress.erase(restored);
        }
      }
      if (!previous.empty() && previous != address) {
        ++m_egress_changes[family];
        log_event(spdlog::level::warn, "egress address changed: this host's public address is dynamic",
                  {{"family", family}, {"old", previous}, {"new", address}});
      } else if (previous.empty()) {
        log_event(spdlog::level::info, "egress address discovered", {{"family", family}, {"ip", address}});
      }
      previous = std::move(address);
    }
    state.addresses.clear();
    for (const auto& [family, address] : state.egress_address) state.addresses.push_back(address);
    std::sort(state.addresses.begin(), state.addresses.end());
  } else if (result.kind == Kind::ok) {
    if (result.not_expandable.size() != state.not_expandable || !state.success) {
      for (const auto& term : result.not_expandable) {
        log_event(spdlog::level::warn, "SPF term not expanded: its addresses are not monitored",
                  {{"source", source}, {"term", term}});
      }
    }
    state.not_expandable = result.not_expandable.size();
    state.addresses = std::move(result.addresses);
  }

  if (result.kind == Kind::ok) {
    state.success = true;
    state.last_success = m_clock();
    if (!state.last_problem.empty()) {
      log_event(spdlog::level::info, "discovery recovered",
                {{"source", source}, {"addresses", std::to_string(state.addresses.size())}});
    }
    state.last_problem.clear();
  } else {
    state.success = false;
    ++(result.kind == Kind::permerror ? state.permerrors : state.temperrors);
    const std::string problem = std::string(kind_name(result.kind)) + ": " + result.error;
    if (problem != state.last_problem) {
      log_event(spdlog::level::warn, "discovery failed, keeping the previous addresses",
                {{"source", source},
                 {"kind", kind_name(result.kind)},
                 {"error", result.error},
                 {"kept", std::to_string(state.addresses.size())}});
    }
    state.last_problem = problem;
  }
  return state.addresses != before;
}

std::vector<config::Target> DiscoveryRunner::targets() const {
  std::lock_guard lock(m_mutex);
  std::vector<config::Target> out;
  std::unordered_set<std::string> seen;
  for (const auto& entry : m_settings.entries) {
    const std::string source = entry.source();
    auto it = m_sources.find(source);
    if (it == m_sources.end()) continue;
    config::Labels labels = entry.labels;
    labels.emplace_back("source", source);
    std::sort(labels.begin(), labels.end());
    for (const auto& address : it->second->addresses) {
      if (!seen.insert(address).second) continue;
      config::Target target;
      target.ip = address;
      target.expected_hostname = entry.expected_hostname;
      target.helo_hostname = entry.helo_hostname;
      target.labels = labels;
      target.entry = source;
      target.series = entry.series;
      out.push_back(std::move(target));
    }
  }
  return out;
}

metrics::DiscoveryStats DiscoveryRunner::stats() const {
  std::lock_guard lock(m_mutex);
  metrics::DiscoveryStats stats;
  for (const auto& entry : m_settings.entries) {
    const std::string source = entry.source();
    auto it = m_sources.find(source);
    if (it == m_sources.end()) continue;
    const SourceState& s = *it->second;
    stats.sources.push_back({source, entry.kind == DiscoveryEntry::Kind::spf, s.attempted, s.success,
                             s.addresses.size(), s.last_success, s.permerrors, s.temperrors, s.not_expandable});
    if (entry.kind == DiscoveryEntry::Kind::egress) {
      for (DiscoveryEntry::Family family : entry.egress_families) {
        auto c = m_egress_changes.find(family_name(family));
        stats.egress_changes.emplace_back(family_name(family), c == m_egress_changes.end() ? 0 : c->second);
      }
    }
  }
  return stats;
}

std::map<std::string, std::string> DiscoveryRunner::egress_addresses() const {
  std::lock_guard lock(m_mutex);
  std::map<std::string, std::string> out = m_restored_egress;
  if (auto it = m_sources.find("egress"); it != m_sources.end()) {
    for (const auto& [family, address] : it->second->egress_address) out[family] = address;
  }
  return out;
}

void DiscoveryRunner::restore_egress(std::map<std::string, std::string> addresses) {
  std::lock_guard lock(m_mutex);
  m_restored_egress = std::move(addresses);
}

}  // namespace rdns::agent::discovery
