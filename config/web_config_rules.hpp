// The vocabulary of the --web.config.file, as the Prometheus exporter-toolkit defines it, shared
// by the YAML and the TOML readers so both accept exactly the same values. Pure; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/web_config.hpp"

namespace rdns::config::web_rules {

extern const std::vector<std::string_view> k_client_auth_types;  // NoClientCert ... RequireAndVerifyClientCert
extern const std::vector<std::string_view> k_tls_versions;       // TLS10, TLS11, TLS12, TLS13
extern const std::vector<std::string_view> k_curves;             // CurveP256, CurveP384, CurveP521, X25519
// The cipher suite names Go's crypto/tls knows (tls.CipherSuites()), which the toolkit accepts.
extern const std::vector<std::string_view> k_cipher_suites;

bool contains(const std::vector<std::string_view>& names, std::string_view name);
// "\"a\", \"b\" or \"c\"", for messages.
std::string one_of(const std::vector<std::string_view>& names);

// $2a$, $2b$ or $2y$, a two-digit cost, then 53 characters of bcrypt's base64 (salt + hash).
bool looks_like_bcrypt(std::string_view hash);

// Why the response header `name: value` may not be configured (the toolkit allows only
// Content-Security-Policy, Strict-Transport-Security, X-Content-Type-Options (nosniff),
// X-Frame-Options (deny, sameorigin) and X-XSS-Protection), or nullopt when it may.
std::optional<std::string> header_error(std::string_view name, std::string_view value);

// 10..13 for TLS10..TLS13; 0 for "" (the default of the caller's choice).
int tls_version_number(std::string_view name);

// The rules that span several keys of tls_server_config, once every key is read: a certificate
// and a key (file or inline) whenever any TLS setting is set, not both forms of one, a client CA
// only with a client_auth_type that asks for certificates, a CA for the Verify* types,
// client_allowed_sans only with RequireAnyClientCert or RequireAndVerifyClientCert, and
// min_version <= max_version. Returns the message, or nullopt.
std::optional<std::string> tls_error(const WebConfig& config);

}  // namespace rdns::config::web_rules
