// The --web.config.file: TLS, basic auth, response headers and rate limiting for the HTTP
// endpoint. Two forms, the same keys:
//
// - YAML, the Prometheus exporter-toolkit web config file exactly as other exporters on the host
//   use it (every key the toolkit documents; config/web_config_yaml.cpp);
// - TOML, the older form of this exporter: [tls_server_config] cert_file, key_file,
//   client_ca_file, client_auth_type, min_version; [basic_auth_users] (web_config.cpp).
//
// The form is chosen by the file name (.yml / .yaml: YAML, .toml: TOML), else by the content
// (a first meaningful line that opens a [table] or sets `key = value` is TOML). Relative paths are
// resolved against the directory of the file, as the toolkit does; unknown keys are errors with
// file, line and column. Loading is a pure function of the file contents: safe from any thread.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

#include "config/config_error.hpp"

namespace rdns::config {

struct WebConfig {
  // tls_server_config. A certificate and key come from a file or inline PEM (cert / key).
  std::string cert_file, key_file;  // all four empty: plain HTTP
  std::string cert_pem, key_pem;
  std::string client_ca_file;
  std::string client_ca_pem;
  std::string client_auth_type;                  // empty = NoClientCert
  std::vector<std::string> client_allowed_sans;  // empty = any client certificate the auth type accepts
  std::string min_version;                       // empty = TLS12
  std::string max_version;                       // empty = TLS13
  std::vector<std::string> cipher_suites;        // Go's names (TLS 1.0-1.2 suites); empty = OpenSSL's defaults
  std::vector<std::string> curve_preferences;    // CurveP256, CurveP384, CurveP521, X25519; empty = defaults
  bool prefer_server_cipher_suites = true;
  // http_server_config
  bool http2 = true;  // accepted for compatibility; the endpoint speaks HTTP/1.1 (see README)
  std::vector<std::pair<std::string, std::string>> headers;  // added to every response, file order
  // rate_limit: at most `burst` requests at once, then one per `interval`; interval 0 = off
  std::chrono::milliseconds rate_limit_interval{0};
  int rate_limit_burst = 0;
  std::vector<std::pair<std::string, std::string>> basic_auth_users;  // user -> bcrypt hash, file order

  bool tls_enabled() const { return !cert_file.empty() || !cert_pem.empty(); }
  bool operator==(const WebConfig&) const = default;
};

enum class WebConfigFormat { yaml, toml };

// By the name's extension, else by the content (see above).
WebConfigFormat detect_web_config_format(std::string_view file_name, std::string_view text);

// The one entry point: reads `path` and loads it in its form. Errors carry FILE:LINE:COL.
[[nodiscard]] tl::expected<WebConfig, ConfigError> load_web_config_file(const std::string& path);
// Same, from text; `source_name` names it in messages, chooses the form by its extension (or the
// content), and its directory anchors relative paths.
[[nodiscard]] tl::expected<WebConfig, ConfigError> load_web_config_string(std::string_view text, const std::string& source_name);

// One form explicitly.
[[nodiscard]] tl::expected<WebConfig, ConfigError> load_web_config_toml(std::string_view text, const std::string& source_name);
[[nodiscard]] tl::expected<WebConfig, ConfigError> load_web_config_yaml(std::string_view text, const std::string& source_name);

}  // namespace rdns::config
