#include "agent/discovery/discovery_backend.hpp"

#include <arpa/inet.h>

#include <array>
#include <cstdint>
#include <future>
#include <mutex>

#include "checks/discovery/egress_lookup.hpp"

namespace rdns::agent::discovery {
namespace {

using config::DiscoveryEntry;

bool is_ipv6_server(const std::string& server) {
  return server.substr(0, server.find('@')).find(':') != std::string::npos;
}

// Runs one asynchronous call and waits for its `done`. The promise is shared with the callback,
// which runs on the resolver's thread and may still be returning when get() has.
template <typename T, typename Start>
T wait_for(Start start) {
  auto promise = std::make_shared<std::promise<T>>();
  auto future = promise->get_future();
  start([promise](T value) { promise->set_value(std::move(value)); });
  return future.get();
}

class ResolverBackend final : public DiscoveryBackend {
public:
  explicit ResolverBackend(ResolverFactory make_resolver) : m_make_resolver(std::move(make_resolver)) {}

  checks::discovery::SpfExpansion expand_spf(const config::ResolverConfig& resolver, const std::string& domain,
                                             Deadline deadline) override {
    auto stack = m_make_resolver(resolver, nullptr);
    if (!stack) {
      checks::discovery::SpfExpansion failed;
      failed.outcome = checks::discovery::SpfOutcome::temperror;
      failed.error = "cannot create a resolver: " + stack.error();
      return failed;
    }
    // The stack is released here, on this thread, after `done`: never on the resolver's own.
    auto expansion = wait_for<checks::discovery::SpfExpansion>([&](auto done) {
      checks::discovery::expand_spf(**stack, domain, checks::discovery::SpfLimits{}, deadline,
                                    std::move(done));
    });
    add_counts(**stack);
    return expansion;
  }

  EgressOutcome lookup_egress(const config::ResolverConfig& resolver, const DiscoveryEntry& entry,
                              DiscoveryEntry::Family family, Deadline deadline) override {
    const bool v6 = family == DiscoveryEntry::Family::ipv6;
    config::ResolverConfig forward;
    forward.mode = config::ResolverMode::forward;
    forward.dnssec = false;
    // Tuning such as do-not-query-localhost or outgoing-interface applies to these queries too.
    forward.unbound_config_file = resolver.unbound_config_file;
    for (const auto& server : entry.egress_servers) {
      if (is_ipv6_server(server) == v6) forward.forwarders.push_back(server);
    }
    auto stack = m_make_resolver(forward, nullptr);
    if (!stack) return {EgressOutcome::Kind::temperror, "", "cannot create a resolver: " + stack.error()};

    checks::discovery::EgressQuery query;
    query.method = entry.egress_method == DiscoveryEntry::EgressMethod::txt_echo
                       ? checks::discovery::EgressMethod::txt_echo
                       : checks::discovery::EgressMethod::address_echo;
    query.name = entry.egress_name;
    query.family = v6 ? checks::discovery::AddressFamily::ipv6 : checks::discovery::AddressFamily::ipv4;
    const checks::RrType type = query.method == checks::discovery::EgressMethod::txt_echo ? checks::RrType::TXT
                                : v6                                                      ? checks::RrType::AAAA
                                                                                          : checks::RrType::A;
    const checks::DnsAnswer answer = wait_for<checks::DnsAnswer>(
        [&](auto done) { (*stack)->resolve(query.name, type, deadline, std::move(done)); });
    add_counts(**stack);
    return classify(answer, query);
  }

  QueryCounts query_counts() const override {
    std::lock_guard lock(m_mutex);
    return m_counts;
  }

private:
  static EgressOutcome classify(const checks::DnsAnswer& answer, const checks::discovery::EgressQuery& query) {
    using checks::LookupStatus;
    if (answer.status == LookupStatus::nxdomain || answer.status == LookupStatus::nodata) {
      return {EgressOutcome::Kind::permerror, "",
              std::string(checks::to_string(answer.status)) + " for " + query.name + ": is egress_name right?"};
    }
    if (answer.status != LookupStatus::ok) {
      std::string error = std::string(checks::to_string(answer.status)) + " for " + query.name;
      if (!answer.detail.empty()) error += ": " + answer.detail;
      return {EgressOutcome::Kind::temperror, "", error};
    }
    auto address = checks::discovery::egress_address_from(answer, query);
    if (!address) return {EgressOutcome::Kind::permerror, "", address.error()};
    if (std::string why = unusable_egress_address(*address); !why.empty()) {
      return {EgressOutcome::Kind::permerror, "", "the echo answer " + *address + " " + why};
    }
    return {EgressOutcome::Kind::ok, *address, ""};
  }

  // Each resolver lives for one call: its counts are added up here before it goes.
  void add_counts(const ResolverStack& stack) {
    const QueryCounts counts = stack.counts();
    std::lock_guard lock(m_mutex);
    for (const auto& [key, count] : counts) m_counts[key] += count;
  }

  ResolverFactory m_make_resolver;
  mutable std::mutex m_mutex;  // guards m_counts
  QueryCounts m_counts;
};

}  // namespace

std::unique_ptr<DiscoveryBackend> make_resolver_backend(ResolverFactory make_resolver) {
  return std::make_unique<ResolverBackend>(std::move(make_resolver));
}

std::string unusable_egress_address(const std::string& ip) {
  constexpr const char* k_inside = "is not a public address: the echo server sees this host from inside its network";
  std::array<std::uint8_t, 16> b{};
  if (::inet_pton(AF_INET, ip.c_str(), b.data()) == 1) {
    if (b[0] == 0) return "is unspecified";
    if (b[0] == 127) return "is a loopback address";
    if (b[0] >= 224) return "is a multicast or reserved address";
    if (b[0] == 169 && b[1] == 254) return "is link-local";
    if (b[0] == 10 || (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168) ||
        (b[0] == 100 && (b[1] & 0xc0) == 64)) {
      return k_inside;
    }
    return {};
  }
  if (::inet_pton(AF_INET6, ip.c_str(), b.data()) == 1) {
    const std::array<std::uint8_t, 16> zero{};
    std::array<std::uint8_t, 16> loopback{};
    loopback[15] = 1;
    if (b == zero) return "is unspecified";
    if (b == loopback) return "is a loopback address";
    if (b[0] == 0xff) return "is a multicast address";
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return "is link-local";
    if ((b[0] & 0xfe) == 0xfc) return k_inside;
    return {};
  }
  return "is not an IP address";
}

}  // namespace rdns::agent::discovery
