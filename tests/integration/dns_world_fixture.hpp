// The shared DNS test world (tests/dns_world/dns_world.py) for C++ tests: starts a real Knot
// server (+ tiny_auth.py) on loopback with the generated zones, reads DIR/world.toml, and stops
// everything when the DnsWorld object goes away. The server also stops by itself when this
// process dies (the world's supervisor watches our pid), so a crashed test leaves nothing behind.
//
// Use DnsWorldTest as the base of a gtest fixture: one world per test suite (per process under
// ctest), resolver settings for it from recursive_settings() / forward_settings().
// Link the CMake target rdns_dns_world_fixture. Thread-safety: none needed (test main thread).
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <toml++/toml.h>

#include "checks/unbound/unbound_resolver.hpp"

#ifndef RDNS_DNS_WORLD_SCRIPT
#error "link rdns_dns_world_fixture (it defines RDNS_DNS_WORLD_SCRIPT)"
#endif

namespace rdns::testing {

struct ForwardExpectation {
  std::string name;    // a PTR name as given (presentation form, trailing dot)
  std::string status;  // A (IPv4) / AAAA (IPv6) lookup status of that name
};

struct PtrExpectation {
  std::string status;                 // the expected LookupStatus text
  std::vector<std::string> statuses;  // every acceptable one (servfail|timeout for dead servers)
  std::vector<std::string> records;   // decoded PTR rdata, in zone order
  std::uint32_t ttl = 0;              // the zone TTL when status is ok
  bool secure = false;
  std::string canonical_name;  // after CNAMEs ("" when none)
  std::string soa_zone;        // authority SOA owner of a negative answer ("" = unchecked)
};

struct Scenario {
  std::string ip, reverse_name, description;
  PtrExpectation ptr;
  std::vector<ForwardExpectation> forward;
  std::string fcrdns;  // pass | fail | undecidable | none
  int confirmed_names = 0;
  bool hostname_valid = false;
  bool forward_mode = true;               // same PTR answer when resolving in forward mode
  std::string consistency;                // consistent | inconsistent | none (the zone's servers are not asked)
  std::vector<std::string> servers_down;  // NS names lame or unreachable while another answers
};

// What expanding an SPF name of the spf.test. zone must give (dns_world.py SPF_EXPECTED).
struct SpfExpectation {
  std::string domain;
  std::string outcome;                // ok | none | permerror | temperror
  std::vector<std::string> networks;  // exactly, sorted as SpfExpansion::networks (ok)
  std::string error;                  // a fragment of the error (otherwise)
  int not_expandable = 0;
};

class DnsWorld {
public:
  // Starts a world in a new directory under $TMPDIR. `extra_args` go to `dns_world.py start`
  // (e.g. "--cache-max-ttl 1"). Throws std::runtime_error when it does not come up.
  static std::unique_ptr<DnsWorld> start(const std::string& extra_args = "") {
    std::string tmpl = (std::filesystem::temp_directory_path() / "rdns-dns-world-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) {
      throw std::runtime_error("mkdtemp failed");
    }
    std::unique_ptr<DnsWorld> world(new DnsWorld(tmpl));
    world->run("start --owner-pid " + std::to_string(::getpid()) + " " + extra_args);
    world->load();
    return world;
  }

  ~DnsWorld() {
    run_quietly("stop");
    std::error_code ignored;
    std::filesystem::remove_all(m_dir, ignored);
  }
  DnsWorld(const DnsWorld&) = delete;
  DnsWorld& operator=(const DnsWorld&) = delete;

  const std::string& dir() const { return m_dir; }

  // Simulated outage and recovery of the whole server (same ports).
  void server_stop() { run("server-stop"); }
  void server_start() { run("server-start"); }
  // Replaces the PTRs of `ip` (none: delete them) and waits until the server serves the change.
  void set_ptr(const std::string& ip, const std::vector<std::string>& hostnames) {
    std::string args = "set-ptr " + ip;
    for (const auto& h : hostnames) {
      args += " '" + h + "'";
    }
    run(args);
  }
  // Replaces the TXT records of `name` (each text one record; none: delete them), waits until
  // served. Texts must not hold a single quote (they go through the shell).
  void set_txt(const std::string& name, const std::vector<std::string>& texts) {
    std::string args = "set-txt '" + name + "'";
    for (const auto& t : texts) {
      args += " '" + t + "'";
    }
    run(args);
  }
  // What the egress echo server (tests/dns_world/echo_server.py, on echo_port) answers from now
  // on: one TXT record per line, A/AAAA from the lines that are addresses, "!servfail", "!drop".
  void set_egress(const std::vector<std::string>& lines) {
    std::string args = "set-egress";
    for (const auto& l : lines) {
      args += " '" + l + "'";
    }
    run(args);
  }

  const Scenario& scenario(std::string_view ip) const {
    for (const auto& s : scenarios) {
      if (s.ip == ip) {
        return s;
      }
    }
    throw std::out_of_range("no DNS world scenario for " + std::string(ip));
  }

  // libunbound iterating through stub zones (unbound.conf has the anchors and local-zones).
  checks::ResolverSettings recursive_settings() const {
    checks::ResolverSettings s;
    s.mode = checks::ResolverSettings::Mode::recursive;
    s.unbound_config_file = unbound_config_file;
    return s;
  }
  // libunbound forwarding to the Knot server.
  checks::ResolverSettings forward_settings() const {
    checks::ResolverSettings s;
    s.mode = checks::ResolverSettings::Mode::forward;
    s.forwarders = {host + "@" + std::to_string(port)};
    s.unbound_config_file = unbound_forward_config_file;
    return s;
  }
  // The [resolver] section of an rdns_exporter.toml for this world (recursive mode).
  std::string resolver_toml() const {
    return "[resolver]\nmode = \"recursive\"\nunbound_config_file = \"" + unbound_config_file +
           "\"\nzone_server_port = " + std::to_string(zone_server_port) + "\n";
  }

  // The scenarios whose PTR answer is the same when resolving in forward mode.
  std::vector<const Scenario*> forward_mode_scenarios() const {
    std::vector<const Scenario*> out;
    for (const auto& s : scenarios) {
      if (s.forward_mode) out.push_back(&s);
    }
    return out;
  }

  std::string host;
  int port = 0;              // Knot
  int tiny_port = 0;         // tiny_auth.py
  int zone_server_port = 0;  // where every name server of the world answers (Knot's port)
  int echo_port = 0;         // echo_server.py (egress echo: TXT o-o.myaddr.l.google.com, A/AAAA myip.opendns.com)
  std::string unbound_config_file, unbound_forward_config_file, trust_anchor_file, dead_ns;
  std::uint32_t ttl = 0;
  std::vector<Scenario> scenarios;
  std::vector<SpfExpectation> spf;

private:
  explicit DnsWorld(std::string dir) : m_dir(std::move(dir)) {}

  std::string command(const std::string& args) const {
    return std::string(RDNS_PYTHON_EXECUTABLE) + " " + RDNS_DNS_WORLD_SCRIPT + " " + args.substr(0, args.find(' ')) +
           " --dir '" + m_dir + "'" + (args.find(' ') == std::string::npos ? "" : args.substr(args.find(' ')));
  }
  void run(const std::string& args) const {
    const std::string cmd = command(args) + " >>'" + m_dir + "/dns_world.out' 2>&1";
    if (std::system(cmd.c_str()) != 0) {
      std::string log;
      if (FILE* f = std::fopen((m_dir + "/dns_world.out").c_str(), "r")) {
        char buf[4096];
        size_t n = 0;
        while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) log.append(buf, n);
        std::fclose(f);
      }
      throw std::runtime_error("dns_world.py " + args + " failed:\n" + log);
    }
  }
  void run_quietly(const std::string& args) const noexcept {
    const std::string cmd = command(args) + " >/dev/null 2>&1";
    [[maybe_unused]] const int rc = std::system(cmd.c_str());
  }

  static std::vector<std::string> strings(const toml::node_view<const toml::node> node) {
    std::vector<std::string> out;
    if (const auto* array = node.as_array()) {
      for (const auto& item : *array) {
        out.push_back(item.value_or(std::string()));
      }
    }
    return out;
  }

  void load() {
    const toml::table t = toml::parse_file(m_dir + "/world.toml");
    host = t["host"].value_or(std::string());
    port = t["port"].value_or(0);
    tiny_port = t["tiny_port"].value_or(0);
    echo_port = t["echo_port"].value_or(0);
    zone_server_port = t["zone_server_port"].value_or(0);
    unbound_config_file = t["unbound_config_file"].value_or(std::string());
    unbound_forward_config_file = t["unbound_forward_config_file"].value_or(std::string());
    trust_anchor_file = t["trust_anchor_file"].value_or(std::string());
    dead_ns = t["dead_ns"].value_or(std::string());
    ttl = t["ttl"].value_or(0u);
    const toml::node_view<const toml::node> list = t["scenarios"];
    for (const auto& node : *list.as_array()) {
      const toml::table& r = *node.as_table();
      Scenario s;
      s.ip = r["ip"].value_or(std::string());
      s.reverse_name = r["reverse_name"].value_or(std::string());
      s.description = r["description"].value_or(std::string());
      s.ptr.status = r["ptr"]["status"].value_or(std::string());
      s.ptr.statuses = strings(r["ptr"]["statuses"]);
      s.ptr.records = strings(r["ptr"]["records"]);
      s.ptr.ttl = r["ptr"]["ttl"].value_or(0u);
      s.ptr.secure = r["ptr"]["secure"].value_or(false);
      s.ptr.canonical_name = r["ptr"]["canonical_name"].value_or(std::string());
      s.ptr.soa_zone = r["ptr"]["soa_zone"].value_or(std::string());
      if (const auto* forward = r["forward"].as_array()) {
        for (const auto& f : *forward) {
          const toml::table& fv = *f.as_table();
          s.forward.push_back({fv["name"].value_or(std::string()), fv["status"].value_or(std::string())});
        }
      }
      s.fcrdns = r["fcrdns"].value_or(std::string());
      s.confirmed_names = r["confirmed_names"].value_or(0);
      s.hostname_valid = r["hostname_valid"].value_or(false);
      s.forward_mode = r["forward_mode"].value_or(true);
      s.consistency = r["consistency"].value_or(std::string());
      s.servers_down = strings(r["servers_down"]);
      scenarios.push_back(std::move(s));
    }
    if (const auto* rows = t["spf"].as_array()) {
      for (const auto& node : *rows) {
        const toml::table& r = *node.as_table();
        spf.push_back({r["domain"].value_or(std::string()), r["outcome"].value_or(std::string()),
                       strings(r["networks"]), r["error"].value_or(std::string()), r["not_expandable"].value_or(0)});
      }
    }
    if (port == 0 || scenarios.empty()) {
      throw std::runtime_error("unreadable " + m_dir + "/world.toml");
    }
  }

  std::string m_dir;
};

// Base for gtest fixtures: one world per test suite.
class DnsWorldTest : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    s_start_error.clear();
    try {
      s_world = DnsWorld::start();
    } catch (const std::exception& e) {
      s_start_error = e.what();
    }
  }
  static void TearDownTestSuite() { s_world.reset(); }

  void SetUp() override { ASSERT_TRUE(s_world) << "the DNS world did not start: " << s_start_error; }

  static DnsWorld& world() { return *s_world; }

  inline static std::unique_ptr<DnsWorld> s_world;
  inline static std::string s_start_error;
};

}  // namespace rdns::testing
