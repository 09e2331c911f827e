#include "agent/probe/probe_handler.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <memory>

#include "agent/probe/probe_gather.hpp"
#include "checks/hostname.hpp"
#include "checks/reverse_name.hpp"
#include "config/ip_network.hpp"

namespace rdns::agent {
namespace {

using namespace std::chrono;
using Clock = steady_clock;

constexpr const char* k_text = "text/plain; charset=utf-8";
constexpr const char* k_exposition = "text/plain; version=0.0.4; charset=utf-8";

ProbeResponse text_response(int status, std::string body) { return ProbeResponse{status, k_text, std::move(body)}; }

// Releases a probe slot however handle() returns.
struct SlotGuard {
  std::atomic<std::size_t>& count;
  ~SlotGuard() { --count; }
};

// IPv4 before IPv6, each in address order.
std::array<unsigned char, 17> address_key(const std::string& ip) {
  std::array<unsigned char, 17> key{};
  if (::inet_pton(AF_INET, ip.c_str(), key.data() + 1) != 1) {
    key[0] = 1;
    ::inet_pton(AF_INET6, ip.c_str(), key.data() + 1);
  }
  return key;
}

bool address_less(const std::string& a, const std::string& b) { return address_key(a) < address_key(b); }

// What a check that did not finish by the deadline reports: a PTR lookup that timed out, which
// decides nothing.
checks::CheckResult unfinished_check(const std::string& ip) {
  checks::CheckResult result;
  result.ip = ip;
  if (auto reverse = checks::reverse_name(ip)) result.reverse_name = *reverse;
  result.ptr_status = checks::LookupStatus::timeout;
  result.ptr_detail = "no answer before the probe's deadline";
  result.checked_at = system_clock::now();
  return result;
}

}  // namespace

void ProbeHandler::set_policy(ProbeAllowList allow, milliseconds timeout) {
  std::lock_guard lock(m_mutex);
  m_policy = Policy{std::move(allow), timeout};
}

ProbeHandler::Policy ProbeHandler::policy() const {
  std::lock_guard lock(m_mutex);
  return m_policy;
}

bool ProbeHandler::lookup_host(Engine& engine, const std::string& name, Clock::time_point deadline,
                               Clock::time_point give_up, const std::shared_ptr<checks::LookupTrace>& trace,
                               ProbeOutcome& outcome) {
  auto gather = std::make_shared<Gather<checks::DnsAnswer>>(2);
  const checks::RrType types[] = {checks::RrType::A, checks::RrType::AAAA};
  for (std::size_t i = 0; i < 2; ++i) {
    engine.resolve(name + ".", types[i], deadline, trace,
                   [gather, i](checks::DnsAnswer answer) { gather->put(i, std::move(answer)); });
  }
  const auto answers = gather->wait(give_up, [this] { return m_stopping.load(); });
  if (m_stopping) return false;
  HostLookup host;
  host.name = name;
  std::vector<std::string> addresses;
  for (std::size_t i = 0; i < 2; ++i) {
    const auto status = answers[i] ? answers[i]->status : checks::LookupStatus::timeout;
    (i == 0 ? host.a_status : host.aaaa_status) = status;
    if (!answers[i] || status != checks::LookupStatus::ok) continue;
    for (const auto& record : answers[i]->records) {
      if (auto canonical = config::canonical_ip(record)) addresses.push_back(*canonical);
    }
  }
  std::sort(addresses.begin(), addresses.end(), address_less);
  addresses.erase(std::unique(addresses.begin(), addresses.end()), addresses.end());
  if (addresses.size() > k_max_probe_host_addresses) {
    host.dropped = addresses.size() - k_max_probe_host_addresses;
    addresses.resize(k_max_probe_host_addresses);
  }
  host.addresses = std::move(addresses);
  outcome.host = std::move(host);
  return true;
}

bool ProbeHandler::check_addresses(Engine& engine, const std::vector<std::string>& addresses,
                                   Clock::time_point deadline, Clock::time_point give_up,
                                   const std::shared_ptr<checks::LookupTrace>& trace, ProbeOutcome& outcome) {
  auto gather = std::make_shared<Gather<checks::CheckResult>>(addresses.size());
  const auto left = duration_cast<milliseconds>(deadline - Clock::now());
  for (std::size_t i = 0; i < addresses.size(); ++i) {
    checks::CheckRequest request;
    request.ip = addresses[i];
    // Remediation lookups (SOA) only serve the human report: worth their time with debug=true.
    request.want_soa = trace != nullptr;
    request.timeout = std::max(left, milliseconds(1));
    auto done = [gather, i](checks::CheckResult result) { gather->put(i, std::move(result)); };
    if (trace) {
      engine.start_traced_check(std::move(request), trace, std::move(done));
    } else {
      engine.start_check(std::move(request), std::move(done));
    }
  }
  auto results = gather->wait(give_up, [this] { return m_stopping.load(); });
  if (m_stopping) return false;
  for (std::size_t i = 0; i < addresses.size(); ++i) {
    outcome.timed_out.push_back(!results[i]);
    outcome.results.push_back(results[i] ? std::move(*results[i]) : unfinished_check(addresses[i]));
  }
  return true;
}

ProbeResponse ProbeHandler::handle(const ProbeRequest& probe) {
  const auto started = Clock::now();
  auto canonical = config::canonical_ip(probe.target);
  const std::string host_name = checks::normalise_hostname(probe.target);
  if (!canonical && !checks::is_valid_hostname(host_name)) {
    return text_response(400, "target \"" + probe.target + "\" is neither an IP address (" + canonical.error() +
                                  ") nor a valid host name\n");
  }
  const Policy policy = this->policy();
  if (canonical && !policy.allow.allows(*canonical)) {
    return text_response(403, "target " + *canonical + " is outside [probe] allow_cidrs\n");
  }
  if (m_stopping) return text_response(503, "shutting down\n");
  if (m_in_flight.fetch_add(1) >= m_max) {
    --m_in_flight;
    return text_response(503, "too many probes in flight, retry later\n");
  }
  SlotGuard slot{m_in_flight};
  std::shared_ptr<Engine> engine = m_engines.current();
  if (!engine) return text_response(503, "probe cancelled\n");

  ProbeOutcome outcome;
  outcome.target = probe.target;
  outcome.budget = probe_budget(probe.scrape_timeout_seconds, m_offset, policy.timeout);
  const auto deadline = started + outcome.budget.budget;
  // The lookups end at the deadline by themselves; the margin covers a resolver that is late to
  // say so. Within a scrape it must stay inside the offset, or the answer would come too late.
  const auto grace =
      outcome.budget.from_scrape_timeout ? std::min<milliseconds>(m_offset / 2, milliseconds(250)) : milliseconds(2000);
  const auto give_up = deadline + grace;
  auto trace = probe.debug ? std::make_shared<checks::LookupTrace>() : nullptr;

  std::vector<std::string> addresses;
  if (canonical) {
    addresses.push_back(*canonical);
  } else {
    if (!lookup_host(*engine, host_name, deadline, give_up, trace, outcome))
      return text_response(503, "probe cancelled\n");
    for (const auto& ip : outcome.host->addresses) {
      (policy.allow.allows(ip) ? addresses : outcome.refused).push_back(ip);
    }
    if (addresses.empty() && !outcome.refused.empty()) {
      return text_response(403, "every address of " + host_name + " is outside [probe] allow_cidrs\n");
    }
  }
  if (!check_addresses(*engine, addresses, deadline, give_up, trace, outcome)) {
    return text_response(503, "probe cancelled\n");
  }
  engine.reset();
  outcome.elapsed = Clock::now() - started;
  if (trace) return ProbeResponse{200, k_text, probe_debug_text(outcome, trace->lookups())};
  return ProbeResponse{200, k_exposition, probe_exposition(outcome)};
}

}  // namespace rdns::agent
