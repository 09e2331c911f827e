// The --web.config.file in the exporter-toolkit's YAML form: every documented key, the toolkit's
// strictness (unknown and repeated keys, with line and column), its rules across keys, and the
// choice between the YAML and the TOML form.
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "tests/config/web_config_fixture.hpp"

#include "config/web_config.hpp"

using namespace rdns::config;

namespace {

using rdns::config::testing::k_hash;

class WebConfigYamlTest : public rdns::config::testing::WebConfigFiles {
protected:
  WebConfigYamlTest() : WebConfigFiles("web-config.yml") {}
};

constexpr const char* k_tls = "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n";

}  // namespace

TEST_F(WebConfigYamlTest, EveryDocumentedKey) {
  const std::string text = std::string(k_tls) +
                           "  client_auth_type: RequireAndVerifyClientCert\n"
                           "  client_ca_file: ca.crt\n"
                           "  client_allowed_sans: [prometheus.example.test, 192.0.2.7]\n"
                           "  min_version: TLS12\n"
                           "  max_version: TLS13\n"
                           "  cipher_suites:\n"
                           "    - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\n"
                           "    - TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256\n"
                           "  prefer_server_cipher_suites: false\n"
                           "  curve_preferences: [X25519, CurveP521]\n"
                           "http_server_config:\n"
                           "  http2: false\n"
                           "  headers:\n"
                           "    Content-Security-Policy: default-src 'self'\n"
                           "    X-Frame-Options: sameorigin\n"
                           "    X-Content-Type-Options: nosniff\n"
                           "    X-XSS-Protection: '1; mode=block'\n"
                           "    Strict-Transport-Security: max-age=31536000\n"
                           "rate_limit:\n"
                           "  interval: 100ms\n"
                           "  burst: 5\n"
                           "basic_auth_users:\n"
                           "  zed: " +
                           k_hash + "\n  alice: '" + k_hash + "'\n";
  auto got = load(text);
  ASSERT_TRUE(got) << got.error().to_string();
  EXPECT_EQ(got->cert_file, (m_dir / "server.crt").string()) << "relative to the file's directory";
  EXPECT_EQ(got->client_ca_file, (m_dir / "ca.crt").string());
  EXPECT_EQ(got->client_auth_type, "RequireAndVerifyClientCert");
  EXPECT_EQ(got->client_allowed_sans, (std::vector<std::string>{"prometheus.example.test", "192.0.2.7"}));
  EXPECT_EQ(got->min_version, "TLS12");
  EXPECT_EQ(got->max_version, "TLS13");
  EXPECT_EQ(got->cipher_suites.size(), 2u);
  EXPECT_FALSE(got->prefer_server_cipher_suites);
  EXPECT_EQ(got->curve_preferences, (std::vector<std::string>{"X25519", "CurveP521"}));
  EXPECT_FALSE(got->http2);
  ASSERT_EQ(got->headers.size(), 5u);
  EXPECT_EQ(got->headers[0], (std::pair<std::string, std::string>{"Content-Security-Policy", "default-src 'self'"}));
  EXPECT_EQ(got->headers[3].second, "1; mode=block");
  EXPECT_EQ(got->rate_limit_interval, std::chrono::milliseconds(100));
  EXPECT_EQ(got->rate_limit_burst, 5);
  ASSERT_EQ(got->basic_auth_users.size(), 2u);
  EXPECT_EQ(got->basic_auth_users[0].first, "zed") << "file order";
}

TEST_F(WebConfigYamlTest, InlineCertificateAndDefaults) {
  auto got = load(
      "tls_server_config:\n  cert: |\n    -----BEGIN CERTIFICATE-----\n    x\n  key: secret\n"
      "  client_ca: ca text\n  client_auth_type: RequireAnyClientCert\n");
  ASSERT_TRUE(got) << got.error().to_string();
  EXPECT_TRUE(got->tls_enabled());
  EXPECT_EQ(got->cert_pem, "-----BEGIN CERTIFICATE-----\nx\n");
  EXPECT_EQ(got->key_pem, "secret");
  EXPECT_EQ(got->client_ca_pem, "ca text");
  EXPECT_TRUE(got->prefer_server_cipher_suites) << "the toolkit's default";
  EXPECT_TRUE(got->http2);

  for (const char* empty : {"", "# nothing\n", "---\n", "basic_auth_users:\n", "tls_server_config:\n"}) {
    auto plain = load(empty);
    ASSERT_TRUE(plain) << empty << ": " << plain.error().to_string();
    EXPECT_EQ(*plain, WebConfig{}) << empty;
  }
  // As the toolkit: TLS-only settings without a certificate mean nothing.
  auto ignored = load("tls_server_config:\n  min_version: TLS13\n  cipher_suites: []\n");
  ASSERT_TRUE(ignored) << ignored.error().to_string();
  EXPECT_EQ(*ignored, WebConfig{});
}

TEST_F(WebConfigYamlTest, ErrorsNameLineAndColumn) {
  EXPECT_EQ(error("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  cert_fiel: x\n"),
            ":4:3: tls_server_config.cert_fiel: unknown key in tls_server_config (known: \"cert\", \"key\", "
            "\"client_ca\", \"cert_file\", \"key_file\", \"client_auth_type\", \"client_ca_file\", "
            "\"client_allowed_sans\", \"min_version\", \"max_version\", \"cipher_suites\", "
            "\"prefer_server_cipher_suites\" or \"curve_preferences\")");
  EXPECT_EQ(error("basic_auth_users: {}\nweb_config: 1\n"),
            ":2:1: web_config: unknown key (known: \"tls_server_config\", \"http_server_config\", \"rate_limit\" or "
            "\"basic_auth_users\")");
  EXPECT_EQ(error("basic_auth_users:\n  bob: " + k_hash + "\n  bob: " + k_hash + "\n"),
            ":3:3: basic_auth_users.bob: key is set twice");
  EXPECT_EQ(error("basic_auth_users:\n  bob: hunter2\n"),
            ":2:8: basic_auth_users.bob: not a bcrypt hash (expected \"$2y$<cost>$<53 characters>\", e.g. from "
            "htpasswd -nBC 10 USER); plain-text passwords are not accepted");
  EXPECT_EQ(error(std::string(k_tls) + "  min_version: TLS14\n"),
            ":4:16: tls_server_config.min_version: \"TLS14\" is not one of \"TLS10\", \"TLS11\", \"TLS12\" or "
            "\"TLS13\"");
  EXPECT_TRUE(error(std::string(k_tls) + "  cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]\n")
                  .starts_with(":4:19: tls_server_config.cipher_suites: \"TLS_RSA_WITH_RC4_128_SHA\" is not one of "
                               "\"TLS_RSA_WITH_AES_128_CBC_SHA\", "));
  EXPECT_EQ(error(std::string(k_tls) + "  curve_preferences: [CurveP999]\n"),
            ":4:23: tls_server_config.curve_preferences: \"CurveP999\" is not one of \"CurveP256\", \"CurveP384\", "
            "\"CurveP521\" or \"X25519\"");
  EXPECT_EQ(error(std::string(k_tls) + "  cert_file: other.crt\n"),
            ":4:3: tls_server_config.cert_file: key is set twice");
  EXPECT_EQ(error(std::string(k_tls) + "  prefer_server_cipher_suites: maybe\n"),
            ":4:32: tls_server_config.prefer_server_cipher_suites: expected true or false");
  EXPECT_EQ(error("tls_server_config:\n  cert_file: missing.crt\n"),
            ":2:14: tls_server_config.cert_file: cannot read \"" + (m_dir / "missing.crt").string() +
                "\": No such file or directory");
  EXPECT_EQ(error("tls_server_config: [a]\n"), ":1:20: tls_server_config: expected a mapping of keys to values");
  EXPECT_EQ(error("a: [b\n").substr(0, 22), ":2:1: invalid YAML: en");
}

TEST_F(WebConfigYamlTest, RulesAcrossKeys) {
  EXPECT_EQ(error("tls_server_config:\n  cert_file: server.crt\n"),
            ":2:3: tls_server_config: missing one of key or key_file");
  EXPECT_EQ(error("tls_server_config:\n  client_auth_type: RequireAndVerifyClientCert\n"),
            ":2:3: tls_server_config: missing one of cert or cert_file");
  EXPECT_EQ(error(std::string(k_tls) + "  cert: inline\n"),
            ":2:3: tls_server_config: set either cert or cert_file, not both");
  EXPECT_EQ(error(std::string(k_tls) + "  client_ca_file: ca.crt\n"),
            ":2:3: tls_server_config: a client CA is set but client_auth_type does not ask for client certificates "
            "(use e.g. \"RequireAndVerifyClientCert\")");
  EXPECT_EQ(error(std::string(k_tls) + "  client_auth_type: VerifyClientCertIfGiven\n"),
            ":2:3: tls_server_config: client_auth_type \"VerifyClientCertIfGiven\" needs client_ca_file or client_ca");
  EXPECT_EQ(error(std::string(k_tls) + "  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: ca.crt\n"
                                       "  client_allowed_sans: [a]\n"),
            ":2:3: tls_server_config: client_allowed_sans requires client_auth_type to be one of "
            "\"RequireAnyClientCert\" or \"RequireAndVerifyClientCert\"");
  EXPECT_EQ(error(std::string(k_tls) + "  min_version: TLS13\n  max_version: TLS12\n"),
            ":2:3: tls_server_config: min_version TLS13 is above max_version TLS12");
  EXPECT_EQ(error(std::string(k_tls) + "  max_version: TLS11\n"),
            ":2:3: tls_server_config: min_version TLS12 (the default) is above max_version TLS11");
  EXPECT_EQ(error("http_server_config:\n  headers:\n    Server: me\n"),
            ":3:5: http_server_config.headers.Server: HTTP header \"Server\" can not be configured (only "
            "\"Content-Security-Policy\", \"Strict-Transport-Security\", \"X-Content-Type-Options\", "
            "\"X-Frame-Options\" or \"X-XSS-Protection\")");
  EXPECT_EQ(error("http_server_config:\n  headers:\n    X-Frame-Options: allow\n"),
            ":3:5: http_server_config.headers.X-Frame-Options: invalid value \"allow\" for X-Frame-Options: expected "
            "\"deny\" or \"sameorigin\"");
  EXPECT_EQ(error("rate_limit:\n  interval: 1s\n"), ":2:3: rate_limit.burst: must be at least 1 when interval is set");
  EXPECT_EQ(error("rate_limit:\n  interval: 1s\n  burst: -2\n"),
            ":3:10: rate_limit.burst: expected a whole number >= 0");
}

TEST_F(WebConfigYamlTest, FormByExtensionThenContent) {
  EXPECT_EQ(detect_web_config_format("web-config.yml", "[x]"), WebConfigFormat::yaml);
  EXPECT_EQ(detect_web_config_format("/etc/WEB.YAML", "a = 1"), WebConfigFormat::yaml);
  EXPECT_EQ(detect_web_config_format("web.toml", "a: 1"), WebConfigFormat::toml);
  EXPECT_EQ(detect_web_config_format("web-config", "# c\n\n[tls_server_config]\n"), WebConfigFormat::toml);
  EXPECT_EQ(detect_web_config_format("web-config", "  \n[basic_auth_users]\nbob = \"x\"\n"), WebConfigFormat::toml);
  EXPECT_EQ(detect_web_config_format("web-config", "bob = \"a:b\"\n"), WebConfigFormat::toml);
  EXPECT_EQ(detect_web_config_format("web-config", "# c\ntls_server_config:\n  cert_file: a=b\n"),
            WebConfigFormat::yaml);
  EXPECT_EQ(detect_web_config_format("web-config", ""), WebConfigFormat::yaml);

  // The same users, either form, a name without extension.
  auto yaml = load("basic_auth_users:\n  bob: " + k_hash + "\n", "web-config");
  auto toml = load("[basic_auth_users]\nbob = \"" + k_hash + "\"\n", "web-config");
  ASSERT_TRUE(yaml) << yaml.error().to_string();
  ASSERT_TRUE(toml) << toml.error().to_string();
  EXPECT_EQ(*yaml, *toml);
}

TEST(WebConfigYamlExample, Loads) {
  auto got = load_web_config_file(std::string(RDNS_SOURCE_DIR) + "/config/examples/web-config.yml");
  ASSERT_TRUE(got) << got.error().to_string();
  EXPECT_FALSE(got->tls_enabled());
  EXPECT_EQ(got->headers.size(), 2u);
}
