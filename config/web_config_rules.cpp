#include "config/web_config_rules.hpp"

#include <algorithm>
#include <utility>

#include "util/text_escape.hpp"

namespace rdns::config::web_rules {

const std::vector<std::string_view> k_client_auth_types = {"NoClientCert", "RequestClientCert", "RequireAnyClientCert",
                                                           "VerifyClientCertIfGiven", "RequireAndVerifyClientCert"};
const std::vector<std::string_view> k_tls_versions = {"TLS10", "TLS11", "TLS12", "TLS13"};
const std::vector<std::string_view> k_curves = {"CurveP256", "CurveP384", "CurveP521", "X25519"};
const std::vector<std::string_view> k_cipher_suites = {
    "TLS_RSA_WITH_AES_128_CBC_SHA",
    "TLS_RSA_WITH_AES_256_CBC_SHA",
    "TLS_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
};

bool contains(const std::vector<std::string_view>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string one_of(const std::vector<std::string_view>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += text::quote(names[i]);
  }
  return out;
}

bool looks_like_bcrypt(std::string_view h) {
  if (h.size() != 60 || h[0] != '$' || h[1] != '2' || (h[2] != 'a' && h[2] != 'b' && h[2] != 'y') || h[3] != '$') {
    return false;
  }
  if (h[4] < '0' || h[4] > '9' || h[5] < '0' || h[5] > '9' || h[6] != '$') return false;
  return std::all_of(h.begin() + 7, h.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '/';
  });
}

std::optional<std::string> header_error(std::string_view name, std::string_view value) {
  static const std::vector<std::pair<std::string_view, std::vector<std::string_view>>> allowed = {
      {"Content-Security-Policy", {}},
      {"Strict-Transport-Security", {}},
      {"X-Content-Type-Options", {"nosniff"}},
      {"X-Frame-Options", {"deny", "sameorigin"}},
      {"X-XSS-Protection", {}},
  };
  for (const auto& [header, values] : allowed) {
    if (header != name) continue;
    if (!values.empty() && !contains(values, value)) {
      return "invalid value " + text::quote(value) + " for " + std::string(name) + ": expected " + one_of(values);
    }
    // A CR or LF would split the response; the header line must stay one line.
    if (value.find_first_of("\r\n") != std::string_view::npos) return std::string(name) + " must be one line";
    return std::nullopt;
  }
  std::vector<std::string_view> names;
  for (const auto& entry : allowed) names.push_back(entry.first);
  return "HTTP header " + text::quote(name) + " can not be configured (only " + one_of(names) + ")";
}

int tls_version_number(std::string_view name) {
  for (std::size_t i = 0; i < k_tls_versions.size(); ++i) {
    if (k_tls_versions[i] == name) return 10 + static_cast<int>(i);
  }
  return 0;
}

std::optional<std::string> tls_error(const WebConfig& c) {
  const bool any = !c.cert_file.empty() || !c.cert_pem.empty() || !c.key_file.empty() || !c.key_pem.empty() ||
                   !c.client_ca_file.empty() || !c.client_ca_pem.empty() || !c.client_auth_type.empty();
  if (!any) return std::nullopt;
  if (!c.cert_file.empty() && !c.cert_pem.empty()) return "set either cert or cert_file, not both";
  if (!c.key_file.empty() && !c.key_pem.empty()) return "set either key or key_file, not both";
  if (!c.client_ca_file.empty() && !c.client_ca_pem.empty()) return "set either client_ca or client_ca_file, not both";
  if (c.cert_file.empty() && c.cert_pem.empty()) return "missing one of cert or cert_file";
  if (c.key_file.empty() && c.key_pem.empty()) return "missing one of key or key_file";
  const std::string& auth = c.client_auth_type;
  const bool has_ca = !c.client_ca_file.empty() || !c.client_ca_pem.empty();
  if (has_ca && (auth.empty() || auth == "NoClientCert")) {
    return "a client CA is set but client_auth_type does not ask for client certificates (use e.g. "
           "\"RequireAndVerifyClientCert\")";
  }
  if ((auth == "VerifyClientCertIfGiven" || auth == "RequireAndVerifyClientCert") && !has_ca) {
    return "client_auth_type " + text::quote(auth) + " needs client_ca_file or client_ca";
  }
  if (!c.client_allowed_sans.empty() && auth != "RequireAnyClientCert" && auth != "RequireAndVerifyClientCert") {
    return "client_allowed_sans requires client_auth_type to be one of \"RequireAnyClientCert\" or "
           "\"RequireAndVerifyClientCert\"";
  }
  const int low = c.min_version.empty() ? 12 : tls_version_number(c.min_version);
  const int high = c.max_version.empty() ? 13 : tls_version_number(c.max_version);
  if (low > high) {
    return "min_version " + (c.min_version.empty() ? std::string("TLS12 (the default)") : c.min_version) +
           " is above max_version " + (c.max_version.empty() ? std::string("TLS13 (the default)") : c.max_version);
  }
  return std::nullopt;
}

}  // namespace rdns::config::web_rules
