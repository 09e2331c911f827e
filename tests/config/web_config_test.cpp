#include "config/web_config.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "tests/config/web_config_fixture.hpp"

using namespace rdns::config;

namespace {

using rdns::config::testing::k_hash;

class WebConfigTest : public rdns::config::testing::WebConfigFiles {
protected:
  WebConfigTest() : WebConfigFiles("web.toml") {}
};

}  // namespace

TEST_F(WebConfigTest, EmptyMeansPlainHttpWithoutAuth) {
  auto got = load("");
  ASSERT_TRUE(got) << got.error().to_string();
  EXPECT_EQ(*got, WebConfig{});
  EXPECT_FALSE(got->tls_enabled());
}

TEST_F(WebConfigTest, FullConfig) {
  auto got = load("[tls_server_config]\ncert_file = \"server.crt\"\nkey_file = \"" + (m_dir / "server.key").string() +
                  "\"\nclient_ca_file = \"ca.crt\"\nclient_auth_type = \"RequireAndVerifyClientCert\"\n"
                  "min_version = \"TLS13\"\n\n[basic_auth_users]\nzed = \"" +
                  k_hash + "\"\nalice = \"$2b$12$" + std::string(53, '/') + "\"\n");
  ASSERT_TRUE(got) << got.error().to_string();
  EXPECT_TRUE(got->tls_enabled());
  EXPECT_EQ(got->cert_file, (m_dir / "server.crt").string());  // relative to the web config file
  EXPECT_EQ(got->key_file, (m_dir / "server.key").string());
  EXPECT_EQ(got->client_ca_file, (m_dir / "ca.crt").string());
  EXPECT_EQ(got->client_auth_type, "RequireAndVerifyClientCert");
  EXPECT_EQ(got->min_version, "TLS13");
  ASSERT_EQ(got->basic_auth_users.size(), 2u);
  EXPECT_EQ(got->basic_auth_users[0].first, "zed");  // file order
  EXPECT_EQ(got->basic_auth_users[0].second, k_hash);
  EXPECT_EQ(got->basic_auth_users[1].first, "alice");
}

TEST_F(WebConfigTest, BasicAuthOnly) {
  auto got = load("[basic_auth_users]\nprometheus = \"" + k_hash + "\"\n");
  ASSERT_TRUE(got) << got.error().to_string();
  EXPECT_FALSE(got->tls_enabled());
  EXPECT_EQ(got->basic_auth_users.size(), 1u);
}

TEST_F(WebConfigTest, Errors) {
  const std::pair<std::string, std::string> cases[] = {
      {"[tls_server_config]\ncert_file = \"server.crt\"\n",
       ":1:1: tls_server_config: cert_file is set but key_file is missing"},
      {"[tls_server_config]\nkey_file = \"server.key\"\n",
       ":1:1: tls_server_config: key_file is set but cert_file is missing"},
      {"[tls_server_config]\ncert_file = \"server.crt\"\nkey_file = \"server.key\"\ncert_fil = \"x\"\n",
       ":4:1: tls_server_config.cert_fil: unknown key (did you mean \"cert_file\"?)"},
      {"[tls_server_config]\ncert_file = \"server.crt\"\nkey_file = \"server.key\"\ncipher_suites = []\n",
       ":4:1: tls_server_config.cipher_suites: unknown key"},
      {"[http_server_config]\nhttp2 = true\n", ":1:2: http_server_config: unknown key"},
      {"cert_file = \"server.crt\"\n", ":1:1: cert_file: unknown key (it belongs in [tls_server_config])"},
      {"[tls_server_config]\ncert_file = \"missing.crt\"\nkey_file = \"server.key\"\n",
       ":2:13: tls_server_config.cert_file: cannot read \"" + (m_dir / "missing.crt").string() +
           "\": No such file or directory"},
      {"[tls_server_config]\ncert_file = \"server.crt\"\nkey_file = \"server.key\"\nclient_auth_type = \"Require\"\n",
       ":4:20: tls_server_config.client_auth_type: \"Require\" is not one of \"NoClientCert\", \"RequestClientCert\", "
       "\"RequireAnyClientCert\", \"VerifyClientCertIfGiven\" or \"RequireAndVerifyClientCert\""},
      {"[tls_server_config]\ncert_file = \"server.crt\"\nkey_file = \"server.key\"\nmin_version = \"TLS1.2\"\n",
       ":4:15: tls_server_config.min_version: \"TLS1.2\" is not one of \"TLS10\", \"TLS11\", \"TLS12\" or \"TLS13\""},
      {"[tls_server_config]\ncert_file = \"server.crt\"\nkey_file = \"server.key\"\nclient_auth_type = "
       "\"RequireAndVerifyClientCert\"\n",
       ":4:20: tls_server_config.client_auth_type: \"RequireAndVerifyClientCert\" needs client_ca_file"},
      {"[tls_server_config]\ncert_file = \"server.crt\"\nkey_file = \"server.key\"\nclient_ca_file = \"ca.crt\"\n",
       ":4:18: tls_server_config.client_ca_file: client_ca_file is set but client_auth_type does not ask for client "
       "certificates (use e.g. \"RequireAndVerifyClientCert\")"},
      {"[tls_server_config]\nmin_version = \"TLS12\"\n",
       ":1:1: tls_server_config: TLS settings without cert_file and key_file"},
      {"[basic_auth_users]\nalice = \"secret\"\n",
       ":2:9: basic_auth_users.alice: not a bcrypt hash (expected \"$2y$<cost>$<53 characters>\", e.g. from htpasswd "
       "-nBC 10 USER); plain-text passwords are not accepted"},
      {"[basic_auth_users]\nalice = \"$1$" + std::string(57, 'a') + "\"\n",
       ":2:9: basic_auth_users.alice: not a bcrypt hash (expected \"$2y$<cost>$<53 characters>\", e.g. from htpasswd "
       "-nBC 10 USER); plain-text passwords are not accepted"},
      {"[basic_auth_users]\nalice = 1\n",
       ":2:9: basic_auth_users.alice: expected a bcrypt hash string, got an integer"},
      {"[basic_auth_users]\n\"a:b\" = \"" + k_hash + "\"\n",
       ":2:1: basic_auth_users.\"a:b\": user names must be non-empty and contain no ':'"},
      {"basic_auth_users = \"x\"\n", ":1:20: basic_auth_users: expected a table ([basic_auth_users]), got a string"},
      {"[tls_server_config\n", ":1:19: TOML syntax error: Error while parsing table header: expected ']', saw '\\n'"},
  };
  for (const auto& [text, want] : cases) EXPECT_EQ(error(text), want) << text;
}

TEST_F(WebConfigTest, MissingFile) {
  auto got = load_web_config_file((m_dir / "nope.toml").string());
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().to_string(),
            (m_dir / "nope.toml").string() + ": cannot read web config file: No such file or directory");
}

TEST(WebConfigExample, Loads) {
  auto got = load_web_config_file(std::string(RDNS_SOURCE_DIR) + "/config/examples/web_config.toml");
  ASSERT_TRUE(got) << got.error().to_string();
  EXPECT_FALSE(got->tls_enabled());
  EXPECT_TRUE(got->basic_auth_users.empty());
}
