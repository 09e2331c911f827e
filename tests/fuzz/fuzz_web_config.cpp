// libFuzzer target: the --web.config.file loader (config/web_config) on arbitrary input, read
// both as TOML and as the exporter-toolkit's YAML (each input goes through both forms).
// Invariants: errors are one line naming the file; an accepted config keeps its promises:
// a certificate and a key both or neither (file or inline), no TLS settings without them, only
// the documented client_auth_type / version / cipher / curve / header values, client_allowed_sans
// only with a client auth type that requires a certificate, bcrypt-shaped hashes, no user twice.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "config/web_config.hpp"
#include "config/web_config_rules.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

void check(std::string_view text, const std::string& name) {
  using namespace rdns::config;
  const auto web = load_web_config_string(text, name);
  if (!web) {
    const std::string line = web.error().to_string();
    RDNS_FUZZ_CHECK(line.starts_with(name));
    RDNS_FUZZ_CHECK(line.find('\n') == std::string::npos && line.find('\r') == std::string::npos);
    return;
  }
  const bool has_cert = !web->cert_file.empty() || !web->cert_pem.empty();
  const bool has_key = !web->key_file.empty() || !web->key_pem.empty();
  RDNS_FUZZ_CHECK(has_cert == has_key);
  RDNS_FUZZ_CHECK(web->tls_enabled() == has_cert);
  if (!web->tls_enabled()) {
    RDNS_FUZZ_CHECK(web->client_ca_file.empty() && web->client_ca_pem.empty() && web->client_auth_type.empty() &&
                    web->min_version.empty() && web->max_version.empty() && web->cipher_suites.empty() &&
                    web->curve_preferences.empty() && web->client_allowed_sans.empty());
  }
  static const std::set<std::string> auth_types = {"",
                                                   "NoClientCert",
                                                   "RequestClientCert",
                                                   "RequireAnyClientCert",
                                                   "VerifyClientCertIfGiven",
                                                   "RequireAndVerifyClientCert"};
  static const std::set<std::string> versions = {"", "TLS10", "TLS11", "TLS12", "TLS13"};
  RDNS_FUZZ_CHECK(auth_types.contains(web->client_auth_type));
  RDNS_FUZZ_CHECK(versions.contains(web->min_version) && versions.contains(web->max_version));
  if (!web->client_allowed_sans.empty()) {
    RDNS_FUZZ_CHECK(web->client_auth_type == "RequireAnyClientCert" ||
                    web->client_auth_type == "RequireAndVerifyClientCert");
  }
  for (const auto& suite : web->cipher_suites) RDNS_FUZZ_CHECK(web_rules::contains(web_rules::k_cipher_suites, suite));
  for (const auto& curve : web->curve_preferences) RDNS_FUZZ_CHECK(web_rules::contains(web_rules::k_curves, curve));
  for (const auto& [header, value] : web->headers) {
    RDNS_FUZZ_CHECK(!web_rules::header_error(header, value));
    RDNS_FUZZ_CHECK(value.find_first_of("\r\n") == std::string::npos);
  }
  RDNS_FUZZ_CHECK(web->rate_limit_interval.count() == 0 || web->rate_limit_burst >= 1);
  std::set<std::string> users;
  for (const auto& [user, hash] : web->basic_auth_users) {
    RDNS_FUZZ_CHECK(users.insert(user).second);
    RDNS_FUZZ_CHECK(hash.size() == 60 && hash.starts_with("$2"));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check(text, "web.toml");
  check(text, "web-config.yml");
  return 0;
}
