// The --web.config.file: TLS and basic auth for the HTTP endpoint, with the key names of the
// Prometheus exporter-toolkit web config, written in TOML:
//
//   [tls_server_config]
//   cert_file = "server.crt"          # both or neither of cert_file / key_file
//   key_file = "server.key"
//   client_ca_file = ""               # CA bundle for client certificates
//   client_auth_type = ""             # NoClientCert (default) | RequestClientCert |
//                                     # RequireAnyClientCert | VerifyClientCertIfGiven |
//                                     # RequireAndVerifyClientCert
//   min_version = "TLS12"             # TLS10 | TLS11 | TLS12 (default) | TLS13
//
//   [basic_auth_users]
//   alice = "$2y$10$..."              # bcrypt hashes only ($2a$, $2b$, $2y$)
//
// Relative paths are resolved against the directory of the web config file, as the toolkit
// does. Loading is a pure function of the file contents (no shared state): safe from any
// thread.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

#include "config/config_error.hpp"

namespace rdns::config {

struct WebConfig {
  std::string cert_file, key_file;  // both empty: plain HTTP
  std::string client_ca_file;
  std::string client_auth_type;                                       // empty = NoClientCert
  std::string min_version;                                            // empty = TLS12
  std::vector<std::pair<std::string, std::string>> basic_auth_users;  // user -> bcrypt hash, file order

  bool tls_enabled() const { return !cert_file.empty(); }
  bool operator==(const WebConfig&) const = default;
};

[[nodiscard]] tl::expected<WebConfig, ConfigError> load_web_config_file(const std::string& path);
// Same, from text; `source_name` names it in messages and its directory anchors relative paths.
[[nodiscard]] tl::expected<WebConfig, ConfigError> load_web_config_string(std::string_view toml_text,
                                                                          const std::string& source_name);

}  // namespace rdns::config
