// The tls_server_config settings that are not the certificate: protocol versions, cipher suites,
// curves, and client certificates (client_auth_type, the client CA, client_allowed_sans), mapped
// from the exporter-toolkit's Go names onto OpenSSL.
//
// Thread-safety: call before the context is shared; the verify callback it installs is
// thread-safe (it only reads what the context owns).
#pragma once

#include <openssl/ssl.h>
#include <tl/expected.hpp>

#include <string>
#include <vector>

#include "config/web_config.hpp"

namespace rdns::agent {

// min_version (TLS 1.2 by default) and max_version (TLS 1.3), cipher_suites (Go's names of TLS
// 1.0-1.2 suites, mapped by their IANA names; TLS 1.3 suites are not configurable, as in Go),
// prefer_server_cipher_suites, curve_preferences. Errors name the setting.
// The queued OpenSSL errors as one line (and the queue emptied); "unknown OpenSSL error" when none.
std::string openssl_error();

[[nodiscard]] tl::expected<void, std::string> apply_protocol_policy(SSL_CTX& ctx, const config::WebConfig& web);

// client_ca_file / client_ca, client_auth_type (NoClientCert, RequestClientCert,
// RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert), and
// client_allowed_sans: the client certificate must carry one of them as a DNS name, e-mail
// address, IP address or URI subject alternative name (exact match), else the handshake fails.
[[nodiscard]] tl::expected<void, std::string> apply_client_auth(SSL_CTX& ctx, const config::WebConfig& web);

// The subject alternative names of `cert` as text (DNS, e-mail, IP, URI), for the SAN check.
std::vector<std::string> subject_alt_names(X509& cert);

}  // namespace rdns::agent
