// Serves the real status page (start_web_server + render_status_page + remediation hints) with
// synthetic check results covering every verdict, for the headless-Chromium test. Prints the
// bound port on stdout, then serves until stdin closes (the driver holds the pipe) or a signal.
#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "agent/http/web_server.hpp"
#include "agent/status/status_page.hpp"
#include "checks/remediation.hpp"

namespace {

using namespace std::chrono_literals;
using rdns::agent::TargetStatus;
using rdns::checks::CheckResult;
using rdns::checks::LookupStatus;

TargetStatus make(const std::string& ip, std::optional<CheckResult> result) {
  TargetStatus status;
  status.target.ip = ip;
  if (result) {
    result->ip = ip;
    result->checked_at = std::chrono::system_clock::now() - 37s;
    result->duration = 23ms;
  }
  status.result = std::move(result);
  return status;
}

rdns::checks::ForwardCheck forward(const std::string& name, std::vector<std::string> addresses, bool confirms) {
  rdns::checks::ForwardCheck check;
  check.hostname = name;
  check.status = LookupStatus::ok;
  check.addresses = std::move(addresses);
  check.confirms = confirms;
  return check;
}

CheckResult good(const std::string& name) {
  CheckResult r;
  r.ptr_status = LookupStatus::ok;
  r.ptr_hostnames = {name};
  r.ptr_ttl = 3600;
  r.ptr_present = true;
  r.forward_status = LookupStatus::ok;
  r.forward.push_back(forward(name, {}, true));
  r.fcrdns_pass = true;
  r.fcrdns_confirmed_names = 1;
  r.ptr_hostname_valid = true;
  r.generic = rdns::checks::GenericVerdict{false, 0.05, "no dynamic pattern"};
  r.success = true;
  return r;
}

std::vector<TargetStatus> synthetic_targets() {
  std::vector<TargetStatus> targets;
  auto ok = make("192.0.2.10", good("mail.example.com"));
  ok.target.expected_hostname = "mail.example.com";
  ok.target.helo_hostname = "mail.example.com";
  ok.target.labels = {{"pool", "outbound"}};
  ok.result->expected_hostname_match = true;
  ok.result->helo_match = true;
  ok.result->dnssec_secure = true;
  targets.push_back(ok);

  CheckResult missing;
  missing.reverse_name = "11.2.0.192.in-addr.arpa.";
  missing.ptr_status = LookupStatus::nxdomain;
  missing.ptr_present = false;
  missing.success = false;
  missing.reverse_zone_soa = rdns::checks::SoaInfo{"2.0.192.in-addr.arpa", "ns1.isp.example", "hostmaster@isp.example"};
  auto no_ptr = make("192.0.2.11", missing);
  no_ptr.target.expected_hostname = "mail2.example.com";
  targets.push_back(no_ptr);

  CheckResult generic = good("c-198-51-100-7.hsd1.ca.comcast.example");
  generic.generic = rdns::checks::GenericVerdict{true, 0.98, "embeds the IP (dynamic pool)"};
  generic.success = false;
  targets.push_back(make("198.51.100.7", generic));

  CheckResult no_match = good("mx.example.net");
  no_match.forward = {forward("mx.example.net", {"203.0.113.99"}, false)};
  no_match.fcrdns_pass = false;
  no_match.fcrdns_confirmed_names = 0;
  no_match.success = false;
  targets.push_back(make("203.0.113.5", no_match));

  CheckResult servfail;
  servfail.ptr_status = LookupStatus::servfail;
  servfail.ptr_detail = "all name servers failed";
  targets.push_back(make("198.51.100.8", servfail));

  // Hostile PTR data: markup, quotes, an escaped space, and a 200-character label run.
  CheckResult hostile = good("\"><script>document.title='pwned'</script><img src=x onerror=alert(1)>\\032x");
  hostile.ptr_hostnames.push_back(std::string(60, 'a') + "." + std::string(60, 'b') + "." + std::string(60, 'c') +
                                  ".example");
  hostile.ptr_hostname_valid = false;
  hostile.success = false;
  targets.push_back(make("2001:db8::25", hostile));

  targets.push_back(make("192.0.2.12", std::nullopt));
  for (int i = 20; i < 26; ++i) {
    targets.push_back(make("192.0.2." + std::to_string(i), good("out" + std::to_string(i) + ".example.com")));
  }
  return targets;
}

}  // namespace

int main() {
  spdlog::set_default_logger(spdlog::stderr_logger_mt("stderr"));  // stdout carries the port
  std::signal(SIGTERM, [](int) { std::_Exit(0); });
  const auto targets = synthetic_targets();
  rdns::agent::WebHandlers handlers;
  handlers.metrics_stream = [](const std::function<bool(std::string_view)>& write) { write("rdns_targets 14\n"); };
  handlers.ready = [] { return true; };
  handlers.status_page = [targets](const rdns::agent::QueryParam& param) {
    const auto query = rdns::agent::make_status_page_query(param);
    return rdns::agent::render_status_page(targets, query, std::chrono::system_clock::now(),
                                           [](const CheckResult& r) { return rdns::checks::remediation_hints(r); });
  };
  rdns::agent::WebServerOptions options;
  options.listen_address = "127.0.0.1:0";
  auto server = rdns::agent::start_web_server(options, handlers);
  if (!server) {
    std::fprintf(stderr, "status_page_server: %s\n", server.error().c_str());
    return 1;
  }
  std::printf("%d\n", (*server)->bound_port());
  std::fflush(stdout);
  std::string line;
  while (std::getline(std::cin, line)) {}
  (*server)->stop();
  return 0;
}
