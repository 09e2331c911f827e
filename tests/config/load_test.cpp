#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "config/load.hpp"

using namespace std::chrono_literals;
using namespace rdns::config;

namespace {

const std::string k_source_dir = RDNS_SOURCE_DIR;

Config load_ok(std::string_view text, const LoadOptions& options = {}) {
  auto loaded = load_config_string(text, "test.toml", options);
  if (!loaded) {
    ADD_FAILURE() << loaded.error().to_string();
    return {};
  }
  return loaded->config;
}

std::string load_error(std::string_view text, const LoadOptions& options = {}) {
  auto loaded = load_config_string(text, "test.toml", options);
  if (loaded) {
    ADD_FAILURE() << "loaded without error: " << text;
    return {};
  }
  return loaded.error().to_string();
}

// A scratch directory removed at the end of the test.
class TempDir {
public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "rdns-config-test-XXXXXX").string();
    m_path = ::mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(m_path); }
  std::filesystem::path write(const std::string& name, std::string_view text) const {
    const auto p = m_path / name;
    std::ofstream(p) << text;
    return p;
  }
  const std::filesystem::path& path() const { return m_path; }

private:
  std::filesystem::path m_path;
};

}  // namespace

TEST(LoadConfig, EmptyFileGivesDefaults) {
  const Config c = load_ok("");
  EXPECT_EQ(c.source_file, "test.toml");
  EXPECT_EQ(c.resolver, ResolverConfig{});
  EXPECT_EQ(c.resolver.mode, ResolverMode::system);
  EXPECT_TRUE(c.resolver.dnssec);
  EXPECT_EQ(c.schedule.interval, 5min);
  EXPECT_EQ(c.schedule.timeout, 10s);
  EXPECT_EQ(c.schedule.concurrency, 256u);
  EXPECT_EQ(c.schedule.max_cidr_addresses, 65536u);
  EXPECT_TRUE(c.generic.extra_patterns.empty());
  EXPECT_TRUE(c.probe.allow_cidrs.empty());  // any IP may be probed
  EXPECT_TRUE(c.targets.empty());
}

TEST(LoadConfig, ZeroTargetsWarnsUnlessRequired) {
  auto loaded = load_config_string("[schedule]\ninterval = \"1m\"\n", "t.toml");
  ASSERT_TRUE(loaded);
  ASSERT_EQ(loaded->warnings.size(), 1u);
  EXPECT_EQ(loaded->warnings[0].to_string(),
            "t.toml: targets: no [[targets]] configured: only /probe and the check command will look anything up");
  EXPECT_EQ(load_error("", LoadOptions{.require_targets = true}),
            "test.toml: targets: no [[targets]] configured; at least one is required");
  EXPECT_EQ(load_error("targets = []\n", LoadOptions{.require_targets = true}),
            "test.toml: targets: no [[targets]] configured; at least one is required");
}

TEST(LoadConfig, EveryKey) {
  TempDir dir;
  dir.write("root.hints", ". 3600 IN NS a.root.test.\n");
  dir.write("anchor.ds", ". IN DS 1 8 2 00\n");
  dir.write("unbound.conf", "server:\n");
  const auto file = dir.write("rdns.toml", R"(
[resolver]
mode = "recursive"
root_hints_file = "root.hints"
trust_anchor_file = "anchor.ds"
dnssec = false
unbound_config_file = "unbound.conf"
contexts = 3

[schedule]
interval = "1h30m"
timeout = "1.5s"
concurrency = 32
max_cidr_addresses = 4

[generic]
extra_patterns = ['^dyn\d+\.', "pool"]
allow_patterns = ['^mx\d*\.']

[[targets]]
ip = "2001:DB8:0:0:0:0:0:25"
expected_hostname = "Mail6.Example.COM."
helo_hostname = "mx.example.com"
labels = { zone = "b", pool = "outbound" }

[[targets]]
cidr = "198.51.100.4/30"
[targets.labels]
pool = "bulk"
)");
  auto loaded = load_config_file(file.string(), LoadOptions{.require_targets = true});
  ASSERT_TRUE(loaded) << loaded.error().to_string();
  const Config& c = loaded->config;
  EXPECT_EQ(c.source_file, file.string());
  EXPECT_EQ(c.resolver.mode, ResolverMode::recursive);
  // Relative paths are anchored at the config file's directory.
  EXPECT_EQ(c.resolver.root_hints_file, (dir.path() / "root.hints").string());
  EXPECT_EQ(c.resolver.trust_anchor_file, (dir.path() / "anchor.ds").string());
  EXPECT_EQ(c.resolver.unbound_config_file, (dir.path() / "unbound.conf").string());
  EXPECT_FALSE(c.resolver.dnssec);
  EXPECT_EQ(c.resolver.contexts, 3u);
  EXPECT_EQ(c.schedule.interval, 90min);
  EXPECT_EQ(c.schedule.timeout, 1500ms);
  EXPECT_EQ(c.schedule.concurrency, 32u);
  EXPECT_EQ(c.schedule.max_cidr_addresses, 4u);
  EXPECT_EQ(c.generic.extra_patterns, (std::vector<std::string>{R"(^dyn\d+\.)", "pool"}));
  EXPECT_EQ(c.generic.allow_patterns, (std::vector<std::string>{R"(^mx\d*\.)"}));
  ASSERT_EQ(c.targets.size(), 5u);
  EXPECT_EQ(c.targets[0].ip, "2001:db8::25");
  EXPECT_EQ(c.targets[0].expected_hostname, "mail6.example.com");
  EXPECT_EQ(c.targets[0].helo_hostname, "mx.example.com");
  EXPECT_EQ(c.targets[0].labels, (Labels{{"pool", "outbound"}, {"zone", "b"}}));  // sorted by name
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(c.targets[1 + i].ip, "198.51.100." + std::to_string(4 + i));
    EXPECT_EQ(c.targets[1 + i].labels, (Labels{{"pool", "bulk"}}));
    EXPECT_TRUE(c.targets[1 + i].expected_hostname.empty());
  }
  // trust_anchor_file with dnssec = false is accepted but worth a warning.
  ASSERT_EQ(loaded->warnings.size(), 1u);
  EXPECT_EQ(loaded->warnings[0].key, "resolver.trust_anchor_file");
}

TEST(LoadConfig, ForwardMode) {
  const Config c = load_ok(R"([resolver]
mode = "forward"
forwarders = ["127.0.0.1@5353", "::1"]
[[targets]]
ip = "192.0.2.1"
)");
  EXPECT_EQ(c.resolver.mode, ResolverMode::forward);
  EXPECT_EQ(c.resolver.forwarders, (std::vector<std::string>{"127.0.0.1@5353", "::1"}));
}

TEST(LoadConfig, ForwardersOutsideForwardModeWarn) {
  auto loaded =
      load_config_string("[resolver]\nforwarders = [\"127.0.0.1\"]\n[[targets]]\nip = \"192.0.2.1\"\n", "t.toml");
  ASSERT_TRUE(loaded);
  ASSERT_EQ(loaded->warnings.size(), 1u);
  EXPECT_EQ(loaded->warnings[0].to_string(), "t.toml:2:14: resolver.forwarders: ignored: mode is not \"forward\"");
}

TEST(LoadConfig, ExampleConfigLoads) {
  auto loaded =
      load_config_file(k_source_dir + "/config/examples/rdns_exporter.toml", LoadOptions{.require_targets = true});
  ASSERT_TRUE(loaded) << loaded.error().to_string();
  EXPECT_TRUE(loaded->warnings.empty());
  const Config& c = loaded->config;
  EXPECT_EQ(c.resolver.mode, ResolverMode::system);
  ASSERT_EQ(c.targets.size(), 2u + 16u);
  EXPECT_EQ(c.targets[0].ip, "192.0.2.10");
  EXPECT_EQ(c.targets[1].ip, "2001:db8::25");
  EXPECT_EQ(c.targets[2].ip, "198.51.100.0");
  EXPECT_EQ(c.targets[17].ip, "198.51.100.15");
}

TEST(LoadConfig, SlashSixteenExpands) {
  const Config c = load_ok("[[targets]]\ncidr = \"198.18.0.0/16\"\nlabels = { pool = \"big\" }\n");
  ASSERT_EQ(c.targets.size(), 65536u);
  EXPECT_EQ(c.targets.front().ip, "198.18.0.0");
  EXPECT_EQ(c.targets.back().ip, "198.18.255.255");
  EXPECT_EQ(c.targets.back().labels, (Labels{{"pool", "big"}}));
}

TEST(LoadConfig, TotalAddressesAreCapped) {
  const std::string text =
      "[[targets]]\ncidr = \"10.0.0.0/28\"\n[[targets]]\nip = \"192.0.2.1\"\n"
      "[[targets]]\ncidr = \"10.0.1.0/30\"\n";
  const LoadOptions at_cap{.max_total_targets = 17};
  EXPECT_EQ(load_ok(text.substr(0, text.rfind("[[targets]]")), at_cap).targets.size(), 17u);
  EXPECT_EQ(load_error(text, at_cap),
            "test.toml:6:8: targets[2].cidr: more than 17 addresses in all [[targets]] together");
  EXPECT_EQ(load_error(text, LoadOptions{.max_total_targets = 16}),
            "test.toml:4:6: targets[1].ip: more than 16 addresses in all [[targets]] together");
  EXPECT_EQ(LoadOptions{}.max_total_targets, 1048576u);
}

TEST(LoadConfig, MissingFile) {
  auto loaded = load_config_file("/nonexistent/rdns.toml");
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().to_string(), "/nonexistent/rdns.toml: cannot read config file: No such file or directory");
  EXPECT_EQ(loaded.error().line, 0);
}

TEST(LoadConfig, DirectoryIsNotAConfig) {
  TempDir dir;
  auto loaded = load_config_file(dir.path().string());
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().to_string(), dir.path().string() + ": cannot read config file: Is a directory");
}

TEST(LoadConfig, PathThroughAFile) {
  TempDir dir;
  const auto file = dir.write("plain.toml", "");
  auto loaded = load_config_file(file.string() + "/rdns.toml");
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().to_string(), file.string() + "/rdns.toml: cannot read config file: Not a directory");
}

TEST(LoadConfig, ErrorsFollowFileOrder) {
  // Two unknown keys: the first in the file is reported, not the first alphabetically.
  EXPECT_EQ(load_error("[schedule]\nzzz = 1\naaa = 2\n"), "test.toml:2:1: schedule.zzz: unknown key");
  EXPECT_EQ(load_error("interval = \"5m\"\n"), "test.toml:1:1: interval: unknown key (it belongs in [schedule])");
  EXPECT_EQ(load_error("ip = \"192.0.2.1\"\n"), "test.toml:1:1: ip: unknown key (it belongs in [[targets]])");
  EXPECT_EQ(load_error("[[targets]]\nip = \"192.0.2.1\"\n[[targets]]\nlabels.\"a b\" = \"x\"\nip = \"192.0.2.2\"\n"),
            "test.toml:4:8: targets[1].labels.\"a b\": invalid label name \"a b\": must match [a-zA-Z_][a-zA-Z0-9_]*");
}

TEST(LoadConfig, AtMost32LabelsPerTarget) {
  // Every series of a target repeats its labels; more than 32 used to be dropped silently
  // from the exposition, now the config says so.
  auto labels = [](int n) {
    std::string text = "[[targets]]\nip = \"192.0.2.1\"\n[targets.labels]\n";
    for (int i = 0; i < n; ++i) text += "l" + std::to_string(i) + " = \"v\"\n";
    return text;
  };
  EXPECT_EQ(load_ok(labels(32)).targets[0].labels.size(), 32u);
  EXPECT_EQ(load_error(labels(33)), "test.toml:3:1: targets[0].labels: 33 labels: at most 32 per target");
}

TEST(LoadConfig, ErrorTextIsOneLineWhateverTheInput) {
  const std::string e = load_error("[[targets]]\nip = \"\\u0007\\r\\n\\t\"\n");
  EXPECT_EQ(e, "test.toml:2:6: targets[0].ip: \"\\x07\\r\\n\\t\" is not a valid IP address");
  ConfigError raw{"a\nb.toml", 1, 2, "k", "m\x01"};
  EXPECT_EQ(raw.to_string(), "a\\nb.toml:1:2: k: m\\x01");
  EXPECT_EQ((ConfigError{"", 0, 0, "", "m"}).to_string(), "<config>: m");
}

TEST(LoadConfig, DotsInsideStringsAndCommentsAreNotKeyParts) {
  const std::string many(300, '.');
  const Config c = load_ok("# " + many + "\n[generic]\nextra_patterns = [\"a" + many + "\", 'b" + many +
                           "', \"\"\"c\n" + many + "\"\"\", '''d" + many + "''']\n");
  ASSERT_EQ(c.generic.extra_patterns.size(), 4u);
  EXPECT_EQ(c.generic.extra_patterns[0], "a" + many);
  EXPECT_EQ(load_error("[generic]\nextra_patterns = [\"x\"] # " + many + "\n" + std::string(257, '.') + "\n"),
            "test.toml:3: more than 256 dots outside strings on one line: keys nested this deep are not supported");
}

TEST(LoadConfig, ProbeAllowCidrsAreCanonical) {
  const Config c = load_ok(R"([probe]
allow_cidrs = ["192.0.2.0/24", "2001:DB8:0:0::/32", "198.51.100.7/32", "::ffff:203.0.113.0/120", "0.0.0.0/0", "::/0"]
)");
  EXPECT_EQ(c.probe.allow_cidrs, (std::vector<std::string>{"192.0.2.0/24", "2001:db8::/32", "198.51.100.7/32",
                                                           "203.0.113.0/24", "0.0.0.0/0", "::/0"}));
  // An empty list, or no [probe] at all, allows every IP.
  EXPECT_TRUE(load_ok("[probe]\nallow_cidrs = []\n").probe.allow_cidrs.empty());
  EXPECT_TRUE(load_ok("[probe]\n").probe.allow_cidrs.empty());
  EXPECT_TRUE(load_ok("probe = {}\n").probe.allow_cidrs.empty());
}

TEST(LoadConfig, ProbeAllowCidrsErrors) {
  EXPECT_EQ(
      load_error("[probe]\nallow_cidrs = [\"192.0.2.9/24\"]\n"),
      "test.toml:2:16: probe.allow_cidrs[0]: \"192.0.2.9/24\" is not a valid CIDR: host bits are set: the network is "
      "192.0.2.0/24 (write \"192.0.2.0/24\")");
  EXPECT_EQ(
      load_error("[probe]\nallow_cidrs = [\"2001:db8::1\"]\n"),
      "test.toml:2:16: probe.allow_cidrs[0]: \"2001:db8::1\" is not a valid CIDR: missing \"/\" and prefix length "
      "(write \"2001:db8::1/128\" for one address)");
  EXPECT_EQ(load_error("[probe]\nallow_cidrs = [\"mail.example.com\"]\n"),
            "test.toml:2:16: probe.allow_cidrs[0]: \"mail.example.com\" is not a valid CIDR: missing \"/\" and prefix "
            "length");
  EXPECT_EQ(
      load_error("[probe]\nallow_cidrs = [\"192.0.2.0/\"]\n"),
      "test.toml:2:16: probe.allow_cidrs[0]: \"192.0.2.0/\" is not a valid CIDR: missing prefix length after \"/\"");
  EXPECT_EQ(load_error("[probe]\nallow_cidrs = [\"\"]\n"),
            "test.toml:2:16: probe.allow_cidrs[0]: \"\" is not a valid CIDR: missing \"/\" and prefix length");
  EXPECT_EQ(load_error("[probe]\nallow_cidrs = false\n"),
            "test.toml:2:15: probe.allow_cidrs: expected an array of strings, got a boolean");
  EXPECT_EQ(load_error("[probe]\nallow = []\n"), "test.toml:2:1: probe.allow: unknown key");
  EXPECT_EQ(load_error("[probe]\nallowcidrs = []\n"),
            "test.toml:2:1: probe.allowcidrs: unknown key (did you mean \"allow_cidrs\"?)");
  EXPECT_EQ(load_error("allow_cidrs = []\n"), "test.toml:1:1: allow_cidrs: unknown key (it belongs in [probe])");
  EXPECT_EQ(load_error("[probes]\n"), "test.toml:1:2: probes: unknown key (did you mean \"probe\"?)");
  EXPECT_EQ(load_error("[probe]\nallow_cidrs = [\"192.0.2.0/24\"]\n[[targets]]\nip = \"192.0.2.1\"\n[probe.x]\n"),
            "test.toml:5:8: probe.x: unknown key");
  // [probe] is checked after [generic] and before [[targets]].
  EXPECT_EQ(load_error("[[targets]]\nip = \"bad\"\n[probe]\nallow_cidrs = [1]\n"),
            "test.toml:4:16: probe.allow_cidrs[0]: expected a string, got an integer");
}

TEST(LoadConfig, SeriesModeDefaultsToAllAndAppliesToEveryAddressOfTheEntry) {
  const Config c = load_ok(R"([[targets]]
ip = "192.0.2.1"
[[targets]]
cidr = "198.51.100.0/30"
series = "failing"
[[targets]]
ip = "192.0.2.2"
series = "all"
)");
  ASSERT_EQ(c.targets.size(), 6u);
  EXPECT_EQ(c.targets[0].series, SeriesMode::all);
  for (int i = 1; i <= 4; ++i) EXPECT_EQ(c.targets[i].series, SeriesMode::failing) << i;
  EXPECT_EQ(c.targets[5].series, SeriesMode::all);
}

TEST(LoadConfig, SeriesModeErrors) {
  EXPECT_EQ(load_error("[[targets]]\nip = \"192.0.2.1\"\nseries = \"faling\"\n"),
            "test.toml:3:10: targets[0].series: \"faling\" is not a series mode: use \"all\" or \"failing\" "
            "(did you mean \"failing\"?)");
  EXPECT_EQ(load_error("[[targets]]\nip = \"192.0.2.1\"\nseries = \"none\"\n"),
            "test.toml:3:10: targets[0].series: \"none\" is not a series mode: use \"all\" or \"failing\"");
  EXPECT_EQ(load_error("[[targets]]\nip = \"192.0.2.1\"\nseries = \"All\"\n"),
            "test.toml:3:10: targets[0].series: \"All\" is not a series mode: use \"all\" or \"failing\" (did "
            "you mean \"all\"?)")
      << "exact, like every other enumerated value";
  EXPECT_EQ(load_error("[[targets]]\nip = \"192.0.2.1\"\nseries = true\n"),
            "test.toml:3:10: targets[0].series: expected a string, got a boolean");
  EXPECT_EQ(load_error("[[targets]]\nip = \"192.0.2.1\"\n[targets.labels]\ncheck = \"x\"\n"),
            "test.toml:4:1: targets[0].labels.check: label name \"check\" is reserved: rdns_exporter's own metrics "
            "use it");
}

// More than 4,096 addresses with every per-IP series: a warning naming the place and the cure.
TEST(LoadConfig, LargeCidrWithAllSeriesWarns) {
  auto loaded = load_config_string(
      "[[targets]]\ncidr = \"198.18.0.0/19\"\n[[targets]]\ncidr = \"198.19.0.0/19\"\nseries = \"failing\"\n"
      "[[targets]]\ncidr = \"198.19.128.0/20\"\nseries = \"all\"\n",
      "t.toml");
  ASSERT_TRUE(loaded) << loaded.error().to_string();
  ASSERT_EQ(loaded->warnings.size(), 1u);
  EXPECT_EQ(loaded->warnings[0].to_string(),
            "t.toml:2:8: targets[0].cidr: \"198.18.0.0/19\" has 8192 addresses and series = \"all\" (about 30 "
            "series each): consider series = \"failing\" (per-IP series only for IPs that fail, counts per entry "
            "for the rest)");
  EXPECT_TRUE(load_config_string("[[targets]]\ncidr = \"198.18.0.0/20\"\n", "t.toml")->warnings.empty())
      << "4,096 addresses is still fine";
}
