// libFuzzer target: the --web.config.file loader (config/web_config) on arbitrary TOML.
// Invariants: errors are one line naming the file; an accepted config keeps its promises:
// certificate and key both or neither, no TLS settings without them, only the documented
// client_auth_type / min_version values, bcrypt-shaped hashes, no user twice.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "config/web_config.hpp"
#include "tests/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto web = rdns::config::load_web_config_string(text, "web.toml");
  if (!web) {
    const std::string line = web.error().to_string();
    RDNS_FUZZ_CHECK(line.starts_with("web.toml"));
    RDNS_FUZZ_CHECK(line.find('\n') == std::string::npos && line.find('\r') == std::string::npos);
    return 0;
  }
  RDNS_FUZZ_CHECK(web->cert_file.empty() == web->key_file.empty());
  RDNS_FUZZ_CHECK(web->tls_enabled() == !web->cert_file.empty());
  if (!web->tls_enabled()) {
    RDNS_FUZZ_CHECK(web->client_ca_file.empty() && web->client_auth_type.empty() && web->min_version.empty());
  }
  static const std::set<std::string> auth_types = {"",
                                                   "NoClientCert",
                                                   "RequestClientCert",
                                                   "RequireAnyClientCert",
                                                   "VerifyClientCertIfGiven",
                                                   "RequireAndVerifyClientCert"};
  static const std::set<std::string> versions = {"", "TLS10", "TLS11", "TLS12", "TLS13"};
  RDNS_FUZZ_CHECK(auth_types.contains(web->client_auth_type));
  RDNS_FUZZ_CHECK(versions.contains(web->min_version));
  std::set<std::string> users;
  for (const auto& [user, hash] : web->basic_auth_users) {
    RDNS_FUZZ_CHECK(users.insert(user).second);
    RDNS_FUZZ_CHECK(hash.size() == 60 && hash.starts_with("$2"));
  }
  return 0;
}
