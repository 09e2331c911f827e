// `rdns_exporter check [--config.file=F] [--format=text|json] [--timeout=10s] IP|CIDR ...`:
// every check once, a report with remediation, and the contract's exit status.
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <unordered_set>

#include "agent/report/check_report.hpp"
#include "agent/cli/commands.hpp"
#include "agent/report/exit_codes.hpp"
#include "agent/cli/flags.hpp"
#include "agent/engine/resolver_factory.hpp"
#include "checks/checker.hpp"
#include "checks/generic_hostname.hpp"
#include "checks/zone/server_querier.hpp"
#include "checks/zone/zone_surveyor.hpp"
#include "config/duration.hpp"
#include "config/ip_network.hpp"
#include "config/load.hpp"

namespace rdns::agent {
namespace {

// Without a config, this many checks run at once: enough to finish a /24 in about one
// timeout, few enough not to flood a home router's resolver.
constexpr std::size_t k_default_in_flight = 64;

constexpr const char* k_usage =
    "rdns_exporter check [--config.file=F] [--format=text|json] [--timeout=10s] IP|CIDR ...\n"
    "  Checks PTR, forward confirmation, generic names (and the config's expected/HELO names)\n"
    "  once and prints what to fix. Exit status: 0 all pass, 1 a check failed, 2 could not\n"
    "  decide (lookup errors), 64 usage error, 78 config error";

// IPs and CIDRs from the command line -> requests; the error is a usage message.
[[nodiscard]] tl::expected<std::vector<checks::CheckRequest>, std::string> requests_from_arguments(
    const std::vector<std::string>& arguments, std::size_t max_cidr_addresses) {
  std::vector<checks::CheckRequest> requests;
  std::unordered_set<std::string> seen;
  auto add = [&](std::string ip) {
    if (!seen.insert(ip).second) return;
    checks::CheckRequest request;
    request.ip = std::move(ip);
    requests.push_back(std::move(request));
  };
  for (const std::string& argument : arguments) {
    if (argument.find('/') != std::string::npos) {
      auto addresses = config::expand_cidr(argument, max_cidr_addresses);
      if (!addresses) return tl::make_unexpected("\"" + argument + "\": " + addresses.error());
      for (std::string& address : *addresses) add(std::move(address));
      continue;
    }
    auto ip = config::canonical_ip(argument);
    if (!ip) return tl::make_unexpected("\"" + argument + "\": " + ip.error());
    add(std::move(*ip));
  }
  return requests;
}

// Runs every request, at most `in_flight` at once; results in request order.
std::vector<checks::CheckResult> run_all(const checks::Checker& checker,
                                         const std::vector<checks::CheckRequest>& requests, std::size_t in_flight) {
  struct Shared {
    std::mutex mutex;  // guards the counters and results
    std::condition_variable changed;
    std::size_t running = 0;
    std::size_t finished = 0;
    std::vector<checks::CheckResult> results;
  };
  auto shared = std::make_shared<Shared>();
  shared->results.resize(requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) {
    {
      std::unique_lock lock(shared->mutex);
      shared->changed.wait(lock, [&] { return shared->running < in_flight; });
      ++shared->running;
    }
    checker.start(requests[i], [shared, i](checks::CheckResult result) {
      std::lock_guard lock(shared->mutex);
      shared->results[i] = std::move(result);
      --shared->running;
      ++shared->finished;
      shared->changed.notify_all();
    });
  }
  std::unique_lock lock(shared->mutex);
  shared->changed.wait(lock, [&] { return shared->finished == requests.size(); });
  return std::move(shared->results);
}

bool colour_wanted(const std::ostream& out) {
  return &out == &std::cout && ::isatty(STDOUT_FILENO) == 1 && std::getenv("NO_COLOR") == nullptr;
}

// What the command line asked for. An exit status instead means the command ends there (help, or
// a usage error already written to `err`).
struct CheckInvocation {
  std::string config_file;
  std::string format = "text";
  std::chrono::milliseconds timeout{0};  // 0: the config's
  std::vector<std::string> arguments;    // IPs and CIDRs
};

tl::expected<CheckInvocation, int> parse_check_flags(std::span<const std::string> args, std::ostream& out,
                                                     std::ostream& err) {
  CheckInvocation invocation;
  std::string timeout_text;
  bool show_help = false;
  FlagParser flags(k_usage);
  flags.add_string("config.file", &invocation.config_file,
                   "take [resolver], [schedule] timeout, [generic] and, without IPs, [[targets]] from this file");
  flags.add_string("format", &invocation.format, "report format: text or json");
  flags.add_string("timeout", &timeout_text,
                   "per-IP time limit, all lookups included (default: the config's, else 10s)");
  flags.add_bool("help", &show_help, "print this help and exit");

  auto arguments = flags.parse(args);
  if (!arguments) {
    err << "rdns_exporter check: " << arguments.error() << "\ntry: rdns_exporter check --help\n";
    return tl::make_unexpected(k_exit_usage);
  }
  if (show_help) {
    out << flags.help();
    return tl::make_unexpected(k_exit_ok);
  }
  if (invocation.format != "text" && invocation.format != "json") {
    err << "rdns_exporter check: --format must be text or json, got \"" << invocation.format << "\"\n";
    return tl::make_unexpected(k_exit_usage);
  }
  if (!timeout_text.empty()) {
    auto parsed = config::parse_duration(timeout_text);
    if (!parsed || parsed->count() <= 0) {
      err << "rdns_exporter check: --timeout: " << (parsed ? std::string("must be more than 0") : parsed.error())
          << "\n";
      return tl::make_unexpected(k_exit_usage);
    }
    invocation.timeout = *parsed;
  }
  invocation.arguments = std::move(*arguments);
  return invocation;
}

// The configuration: the defaults (system resolver, DNSSEC on, 10s timeout), or --config.file.
tl::expected<config::Config, int> load_check_config(const CheckInvocation& invocation, std::ostream& err) {
  if (invocation.config_file.empty()) return config::Config{};
  auto loaded = config::load_config_file(invocation.config_file, config::LoadOptions{.require_targets = false});
  if (!loaded) {
    err << "rdns_exporter check: " << loaded.error().to_string() << "\n";
    return tl::make_unexpected(k_exit_config);
  }
  for (const auto& warning : loaded->warnings) {
    // "no [[targets]]" is expected when the IPs come from the command line.
    if (warning.key == "targets" && !invocation.arguments.empty()) continue;
    err << "rdns_exporter check: warning: " << warning.to_string() << "\n";
  }
  return std::move(loaded->config);
}

// One request per IP of the arguments, else per [[targets]] entry of the config.
tl::expected<std::vector<checks::CheckRequest>, int> check_requests(const CheckInvocation& invocation,
                                                                    const config::Config& config, std::ostream& err) {
  std::vector<checks::CheckRequest> requests;
  if (!invocation.arguments.empty()) {
    auto from_arguments = requests_from_arguments(invocation.arguments, config.schedule.max_cidr_addresses);
    if (!from_arguments) {
      err << "rdns_exporter check: " << from_arguments.error() << "\n";
      return tl::make_unexpected(k_exit_usage);
    }
    requests = std::move(*from_arguments);
  } else {
    for (const auto& target : config.targets) {
      requests.push_back(checks::CheckRequest{
          .ip = target.ip, .expected_hostname = target.expected_hostname, .helo_hostname = target.helo_hostname});
    }
  }
  if (requests.empty()) {
    err << "rdns_exporter check: no IPs to check: give IP or CIDR arguments"
        << (invocation.config_file.empty() ? std::string(" or a --config.file with [[targets]]")
                                           : " (" + invocation.config_file + " has no [[targets]])")
        << "\ntry: rdns_exporter check --help\n";
    return tl::make_unexpected(k_exit_usage);
  }
  const auto timeout = invocation.timeout.count() > 0 ? invocation.timeout : config.schedule.timeout;
  for (auto& request : requests) {
    request.timeout = timeout;
    request.want_soa = true;
  }
  return requests;
}

// Every check, through a resolver and classifier made for `config`.
tl::expected<std::vector<checks::CheckResult>, int> run_checks(const CheckInvocation& invocation,
                                                               const config::Config& config,
                                                               const std::vector<checks::CheckRequest>& requests,
                                                               std::ostream& err) {
  auto classifier = checks::GenericClassifier::create(config.generic.extra_patterns, config.generic.allow_patterns);
  if (!classifier) {
    err << "rdns_exporter check: [generic]: " << classifier.error() << "\n";
    return tl::make_unexpected(k_exit_config);
  }
  auto resolver = make_resolver(config.resolver);
  if (!resolver) {
    err << "rdns_exporter check: resolver: " << resolver.error() << "\n";
    return tl::make_unexpected(invocation.config_file.empty() ? k_exit_software : k_exit_config);
  }
  // Declared in this order so the querier goes first (its callbacks use the surveyor).
  std::unique_ptr<checks::zone::ZoneSurveyor> surveyor;
  std::unique_ptr<checks::zone::ServerQuerier> querier;
  checks::Checker checker(**resolver, *classifier);
  if (config.resolver.zone_servers) {
    querier = checks::zone::make_socket_querier();
    surveyor = std::make_unique<checks::zone::ZoneSurveyor>(**resolver, *querier, config.resolver.zone_server_port);
    checker.set_zone_surveyor(surveyor.get());
  }
  const std::size_t in_flight =
      invocation.config_file.empty() ? k_default_in_flight : std::max<std::size_t>(1, config.schedule.concurrency);
  return run_all(checker, requests, in_flight);
}

}  // namespace

int run_check_command(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  const auto invocation = parse_check_flags(args, out, err);
  if (!invocation) return invocation.error();
  const auto config = load_check_config(*invocation, err);
  if (!config) return config.error();
  const auto requests = check_requests(*invocation, *config, err);
  if (!requests) return requests.error();
  const auto results = run_checks(*invocation, *config, *requests, err);
  if (!results) return results.error();

  if (invocation->format == "json") {
    write_json_report(out, *results);
  } else {
    write_text_report(out, *results, TextOptions{.colour = colour_wanted(out)});
  }
  out.flush();
  return exit_status_for(*results);
}

}  // namespace rdns::agent
