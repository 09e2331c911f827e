// libunbound's default local zones must not invent record verdicts: with a user unbound.conf
// that says nothing about local zones, a PTR in the documentation / RFC 1918 reverse zones and an
// A lookup under test. go to the configured server (the DNS world's Knot, in forward mode), not
// to unbound's synthetic "SOA localhost. nobody.invalid." NXDOMAIN. A user's own local-zone /
// local-data in unbound_config_file still wins, and localhost. / invalid. keep their defaults.
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "checks/unbound/default_zones.hpp"
#include "checks/unbound/unbound_resolver.hpp"
#include "tests/integration/dns_world_fixture.hpp"
#include "tests/integration/resolve_sync.hpp"

namespace rdns::testing {
namespace {

using checks::DnsAnswer;
using checks::LookupStatus;
using checks::RrType;
using checks::UnboundResolver;
using namespace std::chrono_literals;

// libunbound's synthetic default-zone answer carries this SOA (services/localzone.c).
bool is_synthetic_negative(const DnsAnswer& answer) {
  return answer.authority_soa && answer.authority_soa->primary_ns == "localhost" &&
         answer.authority_soa->responsible == "nobody@invalid";
}

class UnboundDefaultZones : public DnsWorldTest {
protected:
  // A user unbound.conf with the given server: lines and nothing else.
  std::string write_conf(const std::string& name, const std::string& server_lines) {
    const std::string path = world().dir() + "/" + name;
    std::ofstream(path) << "server:\n    do-not-query-localhost: no\n" << server_lines;
    return path;
  }

  // Forward mode to the world's Knot, DNSSEC with only the world's anchor (113.0.203...).
  checks::ResolverSettings settings(const std::string& conf) {
    checks::ResolverSettings s;
    s.mode = checks::ResolverSettings::Mode::forward;
    s.forwarders = {world().host + "@" + std::to_string(world().port)};
    s.trust_anchor_file = world().trust_anchor_file;
    s.unbound_config_file = conf;
    return s;
  }

  std::unique_ptr<UnboundResolver> make(const checks::ResolverSettings& s) {
    auto resolver = UnboundResolver::create(s);
    if (!resolver) {
      ADD_FAILURE() << resolver.error();
      return nullptr;
    }
    return std::move(*resolver);
  }
};

// Every forward-mode scenario (all in documentation ranges) answered as the world says.
TEST_F(UnboundDefaultZones, DocumentationRangePtrsComeFromTheServer) {
  auto resolver = make(settings(write_conf("plain.conf", "")));
  ASSERT_TRUE(resolver);
  const std::vector<const Scenario*> used = world().forward_mode_scenarios();
  ASSERT_GE(used.size(), 20u);
  std::vector<Query> queries;
  for (const Scenario* s : used) queries.push_back({s->reverse_name, RrType::PTR});
  const auto answers = resolve_all(*resolver, queries, 4s);
  for (std::size_t i = 0; i < answers.size(); ++i) {
    const Scenario& s = *used[i];
    const DnsAnswer& a = answers[i];
    SCOPED_TRACE(s.ip + ": " + s.description);
    const std::string got(checks::to_string(a.status));
    EXPECT_NE(std::find(s.ptr.statuses.begin(), s.ptr.statuses.end(), got), s.ptr.statuses.end())
        << "status " << status_text(a) << ", expected " << s.ptr.status;
    auto got_records = a.records;
    auto want_records = s.ptr.records;
    std::sort(got_records.begin(), got_records.end());
    std::sort(want_records.begin(), want_records.end());
    EXPECT_EQ(got_records, want_records);
    EXPECT_EQ(a.secure, s.ptr.secure);
    EXPECT_FALSE(is_synthetic_negative(a)) << "libunbound answered from its default zone";
    if (!s.ptr.soa_zone.empty()) {
      ASSERT_TRUE(a.authority_soa.has_value());
      EXPECT_EQ(a.authority_soa->zone, s.ptr.soa_zone);
      EXPECT_EQ(a.authority_soa->primary_ns, "ns1.example.test");
    }
  }
}

// The headline case, spelled out: 192.0.2.10 has its real PTR, not a synthetic NXDOMAIN.
TEST_F(UnboundDefaultZones, GoodDocumentationIpIsOk) {
  auto resolver = make(settings(write_conf("plain.conf", "")));
  ASSERT_TRUE(resolver);
  const auto a = resolve_sync(*resolver, "10.2.0.192.in-addr.arpa.", RrType::PTR);
  ASSERT_EQ(a.status, LookupStatus::ok) << status_text(a);
  EXPECT_EQ(a.records, world().scenario("192.0.2.10").ptr.records);
  const auto v6 = resolve_sync(*resolver, world().scenario("2001:db8::25").reverse_name, RrType::PTR);
  ASSERT_EQ(v6.status, LookupStatus::ok) << status_text(v6);
  EXPECT_EQ(v6.records, world().scenario("2001:db8::25").ptr.records);
}

// Forward names under test. (every PTR name of the world) are looked up too.
TEST_F(UnboundDefaultZones, TestTldForwardNamesComeFromTheServer) {
  auto resolver = make(settings(write_conf("plain.conf", "")));
  ASSERT_TRUE(resolver);
  std::size_t checked = 0;
  for (const auto& s : world().scenarios) {
    if (!s.forward_mode) {
      continue;
    }
    for (const auto& f : s.forward) {
      SCOPED_TRACE(s.ip + " -> " + f.name);
      const bool v6 = s.ip.find(':') != std::string::npos;
      const auto a = resolve_sync(*resolver, f.name, v6 ? RrType::AAAA : RrType::A);
      EXPECT_EQ(checks::to_string(a.status), f.status) << status_text(a);
      EXPECT_FALSE(is_synthetic_negative(a));
      ++checked;
    }
  }
  EXPECT_GE(checked, 10u);
}

// RFC 1918 / RFC 6598 / link-local / ULA reverse names reach the server too. Knot is not
// authoritative for them and refuses, so the answer is a resolver failure, never NXDOMAIN.
TEST_F(UnboundDefaultZones, PrivateRangesAreAskedNotSynthesized) {
  auto resolver = make(settings(write_conf("plain.conf", "")));
  ASSERT_TRUE(resolver);
  const std::vector<Query> queries = {
      {"1.0.0.10.in-addr.arpa.", RrType::PTR},
      {"1.0.16.172.in-addr.arpa.", RrType::PTR},
      {"1.1.168.192.in-addr.arpa.", RrType::PTR},
      {"1.0.64.100.in-addr.arpa.", RrType::PTR},
      {"1.0.254.169.in-addr.arpa.", RrType::PTR},
      {"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.", RrType::PTR},
      {"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.e.f.ip6.arpa.", RrType::PTR},
  };
  const auto answers = resolve_all(*resolver, queries, 4s);
  for (std::size_t i = 0; i < answers.size(); ++i) {
    SCOPED_TRACE(queries[i].name);
    const auto& a = answers[i];
    EXPECT_TRUE(a.status == LookupStatus::refused || a.status == LookupStatus::servfail ||
                a.status == LookupStatus::timeout)
        << status_text(a);
    EXPECT_FALSE(is_synthetic_negative(a));
  }
}

// Deliberately kept defaults: localhost. is the loopback host, invalid. never exists (RFC 6761).
// Knot would refuse both, so these answers can only come from libunbound itself.
TEST_F(UnboundDefaultZones, LocalhostAndInvalidKeepTheirDefaults) {
  auto resolver = make(settings(write_conf("plain.conf", "")));
  ASSERT_TRUE(resolver);
  const auto localhost = resolve_sync(*resolver, "localhost.", RrType::A);
  ASSERT_EQ(localhost.status, LookupStatus::ok) << status_text(localhost);
  EXPECT_EQ(localhost.records, std::vector<std::string>{"127.0.0.1"});
  const auto invalid = resolve_sync(*resolver, "mail.invalid.", RrType::A);
  EXPECT_EQ(invalid.status, LookupStatus::nxdomain) << status_text(invalid);
  EXPECT_TRUE(is_synthetic_negative(invalid));
}

// A user's explicit local-zone in unbound_config_file is still the answer for its zone;
// the other documentation zones still come from the server.
TEST_F(UnboundDefaultZones, UserLocalZoneStillWins) {
  auto resolver = make(settings(write_conf("static.conf",
                                           "    local-zone: \"2.0.192.in-addr.arpa.\" static\n"
                                           "    local-data: \"10.2.0.192.in-addr.arpa. 60 IN PTR local.example.\"\n")));
  ASSERT_TRUE(resolver);
  const auto data = resolve_sync(*resolver, "10.2.0.192.in-addr.arpa.", RrType::PTR);
  ASSERT_EQ(data.status, LookupStatus::ok) << status_text(data);
  EXPECT_EQ(data.records, std::vector<std::string>{"local.example."});
  // 192.0.2.13 has a PTR in the world; the user's static zone says it has none.
  const auto hidden = resolve_sync(*resolver, "13.2.0.192.in-addr.arpa.", RrType::PTR);
  EXPECT_EQ(hidden.status, LookupStatus::nxdomain) << status_text(hidden);
  const auto other = resolve_sync(*resolver, "10.100.51.198.in-addr.arpa.", RrType::PTR);
  ASSERT_EQ(other.status, LookupStatus::ok) << status_text(other);
  EXPECT_EQ(other.records, world().scenario("198.51.100.10").ptr.records);
}

// local-data alone (no local-zone) answers its own name; its neighbours come from the server.
TEST_F(UnboundDefaultZones, UserLocalDataStillWins) {
  auto resolver = make(
      settings(write_conf("data.conf", "    local-data: \"30.2.0.192.in-addr.arpa. 60 IN PTR data-only.example.\"\n")));
  ASSERT_TRUE(resolver);
  const auto data = resolve_sync(*resolver, "30.2.0.192.in-addr.arpa.", RrType::PTR);
  ASSERT_EQ(data.status, LookupStatus::ok) << status_text(data);
  EXPECT_EQ(data.records, std::vector<std::string>{"data-only.example."});
  const auto world_answer = resolve_sync(*resolver, "10.2.0.192.in-addr.arpa.", RrType::PTR);
  ASSERT_EQ(world_answer.status, LookupStatus::ok) << status_text(world_answer);
  EXPECT_EQ(world_answer.records, world().scenario("192.0.2.10").ptr.records);
}

// A user who wants unbound's blocking back for a zone can say so explicitly.
TEST_F(UnboundDefaultZones, UserCanReblockAZone) {
  auto resolver = make(settings(write_conf("reblock.conf", "    local-zone: \"100.51.198.in-addr.arpa.\" static\n")));
  ASSERT_TRUE(resolver);
  const auto a = resolve_sync(*resolver, "10.100.51.198.in-addr.arpa.", RrType::PTR);
  EXPECT_EQ(a.status, LookupStatus::nxdomain) << status_text(a);
}

// --- Unit level: the generated unbound.conf text and how it reaches libunbound (no DNS). ---

bool has_line(const std::string& conf, const std::string& line) {
  return conf.find("    " + line + "\n") != std::string::npos;
}

TEST(UnboundDefaultZoneOverrides, LiftsExactlyTheIntendedZones) {
  const std::string conf = checks::unbound::default_zone_overrides();
  ASSERT_EQ(conf.rfind("server:\n", 0), 0u);
  for (const char* zone :
       {"test.", "2.0.192.in-addr.arpa.", "100.51.198.in-addr.arpa.", "113.0.203.in-addr.arpa.",
        "8.b.d.0.1.0.0.2.ip6.arpa.", "10.in-addr.arpa.", "16.172.in-addr.arpa.", "31.172.in-addr.arpa.",
        "168.192.in-addr.arpa.", "64.100.in-addr.arpa.", "127.100.in-addr.arpa.", "254.169.in-addr.arpa.",
        "d.f.ip6.arpa.", "8.e.f.ip6.arpa.", "b.e.f.ip6.arpa."}) {
    EXPECT_TRUE(has_line(conf, "local-zone: \"" + std::string(zone) + "\" nodefault")) << zone;
  }
  // Kept defaults: never lifted.
  for (const char* zone :
       {"localhost.", "127.in-addr.arpa.", "invalid.", "onion.", "home.arpa.", "15.172.in-addr.arpa.",
        "32.172.in-addr.arpa.", "63.100.in-addr.arpa.", "128.100.in-addr.arpa."}) {
    EXPECT_EQ(conf.find("\"" + std::string(zone) + "\""), std::string::npos) << zone;
  }
  // Private reverse zones are insecure, the documentation zones keep validation.
  EXPECT_TRUE(has_line(conf, "domain-insecure: \"10.in-addr.arpa.\""));
  EXPECT_TRUE(has_line(conf, "domain-insecure: \"d.f.ip6.arpa.\""));
  for (const char* zone : {"2.0.192.in-addr.arpa.", "100.51.198.in-addr.arpa.", "113.0.203.in-addr.arpa.",
                           "8.b.d.0.1.0.0.2.ip6.arpa.", "test."}) {
    EXPECT_FALSE(has_line(conf, "domain-insecure: \"" + std::string(zone) + "\"")) << zone;
  }
  EXPECT_EQ(conf.find("insecure-lan-zones: yes"), std::string::npos);
  EXPECT_TRUE(has_line(conf, "unblock-lan-zones: yes"));
}

// Sets TMPDIR to a fresh directory for one test and restores it.
class ScopedTmpdir {
public:
  ScopedTmpdir() {
    std::string tmpl = ::testing::TempDir() + "/rdns-default-zones-XXXXXX";
    m_dir = ::mkdtemp(tmpl.data()) != nullptr ? tmpl : "";
    if (const char* old = std::getenv("TMPDIR")) {
      m_old = old;
      m_had_old = true;
    }
    ::setenv("TMPDIR", m_dir.c_str(), 1);
  }
  ~ScopedTmpdir() {
    if (m_had_old) {
      ::setenv("TMPDIR", m_old.c_str(), 1);
    } else {
      ::unsetenv("TMPDIR");
    }
    std::error_code ignored;
    std::filesystem::remove_all(m_dir, ignored);
  }
  const std::string& dir() const { return m_dir; }
  bool empty() const { return std::filesystem::is_empty(m_dir); }

private:
  std::string m_dir, m_old;
  bool m_had_old = false;
};

std::string option(ub_ctx* ctx, const char* name) {
  char* value = nullptr;
  if (ub_ctx_get_option(ctx, name, &value) != 0 || value == nullptr) {
    return "<unset>";
  }
  std::string out = value;
  std::free(value);
  return out;
}

// Both transports load the text into the context and leave no file behind.
TEST(UnboundDefaultZoneOverrides, LoadedByEitherTransportAndNoFileLeft) {
  for (const auto transport :
       {checks::unbound::OverrideTransport::memfd_or_file, checks::unbound::OverrideTransport::file_only}) {
    ScopedTmpdir tmp;
    ASSERT_FALSE(tmp.dir().empty());
    checks::unbound::ContextPtr ctx(ub_ctx_create());
    ASSERT_TRUE(ctx);
    EXPECT_EQ(option(ctx.get(), "unblock-lan-zones"), "no");
    const auto ok = checks::unbound::load_default_zone_overrides(ctx.get(), transport);
    ASSERT_TRUE(ok) << ok.error();
    EXPECT_EQ(option(ctx.get(), "unblock-lan-zones"), "yes");
    EXPECT_NE(option(ctx.get(), "domain-insecure").find("10.in-addr.arpa."), std::string::npos);
    EXPECT_TRUE(tmp.empty()) << "the private override file must be removed at once";
  }
}

// No writable TMPDIR and no memfd: an error value naming the problem, not a crash.
TEST(UnboundDefaultZoneOverrides, UnwritableTmpdirIsAnError) {
  ScopedTmpdir tmp;
  ::setenv("TMPDIR", "/nonexistent/rdns-tmp", 1);
  checks::unbound::ContextPtr ctx(ub_ctx_create());
  ASSERT_TRUE(ctx);
  const auto ok =
      checks::unbound::load_default_zone_overrides(ctx.get(), checks::unbound::OverrideTransport::file_only);
  ASSERT_FALSE(ok);
  EXPECT_NE(ok.error().find("/nonexistent/rdns-tmp"), std::string::npos) << ok.error();
}

}  // namespace
}  // namespace rdns::testing
