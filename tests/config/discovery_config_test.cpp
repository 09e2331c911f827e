// [[targets]] spf_domain / discover = "egress": what a valid entry becomes (defaults per
// method included) and the exact error of each mistake.
#include <gtest/gtest.h>

#include "config/load.hpp"

using namespace rdns::config;

namespace {

using Family = DiscoveryEntry::Family;

Config load_ok(std::string_view text) {
  auto loaded = load_config_string(text, "test.toml");
  if (!loaded) {
    ADD_FAILURE() << loaded.error().to_string();
    return {};
  }
  EXPECT_TRUE(loaded->warnings.empty()) << loaded->warnings.front().to_string();
  return loaded->config;
}

std::string load_error(std::string_view text) {
  auto loaded = load_config_string(text, "test.toml");
  if (loaded) {
    ADD_FAILURE() << "loaded without error: " << text;
    return {};
  }
  return loaded.error().to_string();
}

TEST(DiscoveryConfig, SpfEntryWithNamesAndLabels) {
  const Config c = load_ok(R"([[targets]]
ip = "192.0.2.10"
[[targets]]
spf_domain = "_SPF.Example.COM."
expected_hostname = "mail.example.com"
helo_hostname = "mail.example.com"
labels = { pool = "outbound" }
)");
  ASSERT_EQ(c.targets.size(), 1u);
  ASSERT_EQ(c.discovery.size(), 1u);
  const DiscoveryEntry& e = c.discovery[0];
  EXPECT_EQ(e.kind, DiscoveryEntry::Kind::spf);
  EXPECT_EQ(e.spf_domain, "_spf.example.com");
  EXPECT_EQ(e.source(), "spf:_spf.example.com");
  EXPECT_EQ(e.expected_hostname, "mail.example.com");
  EXPECT_EQ(e.helo_hostname, "mail.example.com");
  EXPECT_EQ(e.labels, (Labels{{"pool", "outbound"}}));
}

TEST(DiscoveryConfig, DiscoveryAloneIsEnoughTargets) {
  auto loaded = load_config_string("[[targets]]\nspf_domain = \"example.com\"\n", "test.toml",
                                   LoadOptions{.require_targets = false});
  ASSERT_TRUE(loaded);
  EXPECT_TRUE(loaded->warnings.empty());  // no "no [[targets]] configured" warning
  EXPECT_TRUE(loaded->config.targets.empty());
}

TEST(DiscoveryConfig, EgressDefaultsAreGooglesEcho) {
  const Config c = load_ok("[[targets]]\ndiscover = \"egress\"\n");
  ASSERT_EQ(c.discovery.size(), 1u);
  const DiscoveryEntry& e = c.discovery[0];
  EXPECT_EQ(e.kind, DiscoveryEntry::Kind::egress);
  EXPECT_EQ(e.source(), "egress");
  EXPECT_EQ(e.egress_method, DiscoveryEntry::EgressMethod::txt_echo);
  EXPECT_EQ(e.egress_name, "o-o.myaddr.l.google.com.");
  EXPECT_EQ(e.egress_families, (std::vector<Family>{Family::ipv4}));
  ASSERT_EQ(e.egress_servers.size(), 8u);
  EXPECT_EQ(e.egress_servers[0], "216.239.32.10");
  EXPECT_EQ(e.egress_servers[4], "2001:4860:4802:32::a");
}

TEST(DiscoveryConfig, AddressEchoDefaultsAreOpenDns) {
  const Config c = load_ok(R"([[targets]]
discover = "egress"
egress_method = "address_echo"
egress_families = ["ipv6", "ipv4"]
)");
  const DiscoveryEntry& e = c.discovery.at(0);
  EXPECT_EQ(e.egress_method, DiscoveryEntry::EgressMethod::address_echo);
  EXPECT_EQ(e.egress_name, "myip.opendns.com.");
  EXPECT_EQ(e.egress_servers,
            (std::vector<std::string>{"208.67.222.222", "208.67.220.220", "2620:119:35::35", "2620:119:53::53"}));
  EXPECT_EQ(e.egress_families, (std::vector<Family>{Family::ipv6, Family::ipv4}));
}

TEST(DiscoveryConfig, EgressOwnServersAndName) {
  const Config c = load_ok(R"([[targets]]
discover = "egress"
egress_name = "echo.example.test"
egress_servers = ["127.0.0.1@5353", "::1@5353"]
egress_families = ["ipv4", "ipv6"]
)");
  const DiscoveryEntry& e = c.discovery.at(0);
  EXPECT_EQ(e.egress_name, "echo.example.test.");
  EXPECT_EQ(e.egress_servers, (std::vector<std::string>{"127.0.0.1@5353", "::1@5353"}));
}

TEST(DiscoveryConfig, ExactlyOneAddressKey) {
  EXPECT_EQ(load_error("[[targets]]\nspf_domain = \"example.com\"\ncidr = \"192.0.2.0/30\"\n"),
            "test.toml:3:8: targets[0]: has both spf_domain and cidr: use exactly one of ip, cidr, spf_domain, "
            "discover per [[targets]] entry");
  EXPECT_EQ(load_error("[[targets]]\ndiscover = \"egress\"\nspf_domain = \"example.com\"\n"),
            "test.toml:3:14: targets[0]: has both discover and spf_domain: use exactly one of ip, cidr, spf_domain, "
            "discover per [[targets]] entry");
  EXPECT_EQ(load_error("[[targets]]\nlabels = { a = \"b\" }\n"),
            "test.toml:1:1: targets[0]: needs ip = \"...\", cidr = \"...\", spf_domain = \"...\" or discover = "
            "\"egress\"");
}

TEST(DiscoveryConfig, BadSpfDomain) {
  EXPECT_EQ(load_error("[[targets]]\nspf_domain = \"192.0.2.1\"\n"),
            "test.toml:2:14: targets[0].spf_domain: \"192.0.2.1\" is an IP address, not a domain (for one address "
            "write ip = \"192.0.2.1\")");
  EXPECT_EQ(load_error("[[targets]]\nspf_domain = \"example\"\n"),
            "test.toml:2:14: targets[0].spf_domain: \"example\" is not a valid domain name: it is not a fully "
            "qualified name (e.g. mail.example.com)");
  EXPECT_EQ(load_error("[[targets]]\nspf_domain = \"exa mple.com\"\n"),
            "test.toml:2:14: targets[0].spf_domain: \"exa mple.com\" is not a valid domain name: it has the character "
            "\" \" (only letters, digits, hyphens, underscores and dots are allowed)");
  EXPECT_EQ(load_error("[[targets]]\nspf_domain = \"\"\n"),
            "test.toml:2:14: targets[0].spf_domain: \"\" is not a valid domain name: it is empty");
  EXPECT_EQ(load_error("[[targets]]\nspf_domain = 5\n"),
            "test.toml:2:14: targets[0].spf_domain: expected a string, got an integer");
}

TEST(DiscoveryConfig, BadDiscover) {
  EXPECT_EQ(load_error("[[targets]]\ndiscover = \"spf\"\n"),
            "test.toml:2:12: targets[0].discover: \"spf\" is not a discovery method: use \"egress\" (for the "
            "addresses of an SPF record write spf_domain = \"example.com\")");
  EXPECT_EQ(load_error("[[targets]]\ndiscover = \"Egress\"\n"),
            "test.toml:2:12: targets[0].discover: \"Egress\" is not a discovery method (did you mean \"egress\"?)");
}

TEST(DiscoveryConfig, BadEgressKeys) {
  EXPECT_EQ(load_error("[[targets]]\ndiscover = \"egress\"\negress_method = \"txt\"\n"),
            "test.toml:3:17: targets[0].egress_method: \"txt\" is not an egress method: use \"txt_echo\" or "
            "\"address_echo\"");
  EXPECT_EQ(load_error("[[targets]]\ndiscover = \"egress\"\negress_method = \"txt_ecko\"\n"),
            "test.toml:3:17: targets[0].egress_method: \"txt_ecko\" is not an egress method: use \"txt_echo\" or "
            "\"address_echo\" (did you mean \"txt_echo\"?)");
  EXPECT_EQ(load_error("[[targets]]\ndiscover = \"egress\"\negress_name = \"no-dots\"\n"),
            "test.toml:3:15: targets[0].egress_name: \"no-dots\" is not a valid domain name: it is not a fully "
            "qualified name (e.g. mail.example.com)");
  EXPECT_EQ(load_error("[[targets]]\ndiscover = \"egress\"\negress_servers = []\n"),
            "test.toml:3:18: targets[0].egress_servers: is empty: leave the key out for the public echo servers, or "
            "list at least one");
  EXPECT_EQ(load_error("[[targets]]\ndiscover = \"egress\"\negress_servers = [\"ns1.google.com\"]\n"),
            "test.toml:3:19: targets[0].egress_servers[0]: invalid echo server \"ns1.google.com\": address "
            "\"ns1.google.com\" is not an IP literal (write \"addr\" or \"addr@port\")");
  EXPECT_EQ(load_error("[[targets]]\ndiscover = \"egress\"\negress_families = [\"inet\"]\n"),
            "test.toml:3:20: targets[0].egress_families[0]: \"inet\" is not an address family: use \"ipv4\" or "
            "\"ipv6\"");
  EXPECT_EQ(load_error("[[targets]]\ndiscover = \"egress\"\negress_families = [\"ipv4\", \"ipv4\"]\n"),
            "test.toml:3:28: targets[0].egress_families[1]: \"ipv4\" is listed twice");
  EXPECT_EQ(load_error("[[targets]]\ndiscover = \"egress\"\negress_families = []\n"),
            "test.toml:3:19: targets[0].egress_families: is empty: list \"ipv4\", \"ipv6\" or both (default "
            "[\"ipv4\"])");
  EXPECT_EQ(load_error("[[targets]]\ndiscover = \"egress\"\negress_servers = [\"::1\"]\n"),
            "test.toml:3:18: targets[0].egress_servers: no IPv4 server in egress_servers for family \"ipv4\": the "
            "echo server sees the family the query travels over");
  EXPECT_EQ(load_error("[[targets]]\nip = \"192.0.2.1\"\negress_servers = [\"192.0.2.53\"]\n"),
            "test.toml:3:18: targets[0].egress_servers: applies only to an entry with discover = \"egress\"");
}

TEST(DiscoveryConfig, SourceLabelIsReserved) {
  EXPECT_EQ(load_error("[[targets]]\nspf_domain = \"example.com\"\nlabels = { source = \"x\" }\n"),
            "test.toml:3:10: targets[0].labels.source: label \"source\" is set by the exporter on discovered targets "
            "(\"spf:example.com\")");
  // A static target may still carry its own `source` label.
  EXPECT_EQ(load_ok("[[targets]]\nip = \"192.0.2.1\"\nlabels = { source = \"x\" }\n").targets.size(), 1u);
}

TEST(DiscoveryConfig, EachSourceOnce) {
  EXPECT_EQ(load_error("[[targets]]\nspf_domain = \"example.com\"\n[[targets]]\nip = \"192.0.2.1\"\n"
                       "[[targets]]\nspf_domain = \"EXAMPLE.com.\"\n"),
            "test.toml:6:14: targets[2].spf_domain: \"example.com\" is already discovered by targets[0].spf_domain at "
            "line 2; list each domain once");
  EXPECT_EQ(load_error("[[targets]]\ndiscover = \"egress\"\n[[targets]]\ndiscover = \"egress\"\n"),
            "test.toml:4:12: targets[1].discover: discover = \"egress\" is already configured by targets[0].discover "
            "at line 2; one egress entry covers every family (egress_families)");
}

TEST(DiscoveryConfig, DuplicateStaticAddressesStillNameTheRightEntry) {
  // Discovery entries sit between static ones: the duplicate message must still name both.
  EXPECT_EQ(load_error("[[targets]]\nip = \"192.0.2.1\"\n[[targets]]\nspf_domain = \"example.com\"\n"
                       "[[targets]]\nip = \"192.0.2.1\"\n"),
            "test.toml:6:6: targets[2].ip: 192.0.2.1 is already a target: targets[0].ip at line 2; list each "
            "address once");
}

TEST(DiscoveryConfig, ExampleConfigLoads) {
  auto loaded = load_config_file(std::string(RDNS_SOURCE_DIR) + "/config/examples/discovery.toml",
                                 LoadOptions{.require_targets = true});
  ASSERT_TRUE(loaded) << loaded.error().to_string();
  EXPECT_TRUE(loaded->warnings.empty());
  const Config& c = loaded->config;
  ASSERT_EQ(c.targets.size(), 1u);
  ASSERT_EQ(c.discovery.size(), 2u);
  EXPECT_EQ(c.discovery[0].source(), "spf:example.com");
  EXPECT_EQ(c.discovery[1].source(), "egress");
  EXPECT_EQ(c.discovery[1].egress_families, (std::vector<Family>{Family::ipv4, Family::ipv6}));
  EXPECT_EQ(c.discovery[1].helo_hostname, "mail.example.com");
}

TEST(DiscoveryConfig, DiscoveryKeysAreKnown) {
  EXPECT_EQ(load_error("[[targets]]\nspf_domian = \"example.com\"\n"),
            "test.toml:2:1: targets[0].spf_domian: unknown key (did you mean \"spf_domain\"?)");
}

}  // namespace
