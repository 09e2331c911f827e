#include "config/web_config.hpp"

#include <algorithm>

#include "config/file_io.hpp"
#include "config/toml_util.hpp"

namespace rdns::config {
namespace {

const std::vector<std::string_view> k_top_keys = {"tls_server_config", "basic_auth_users"};
const std::vector<std::string_view> k_tls_keys = {"cert_file", "key_file", "client_ca_file", "client_auth_type",
                                                  "min_version"};
const std::vector<std::string_view> k_client_auth_types = {"NoClientCert", "RequestClientCert", "RequireAnyClientCert",
                                                           "VerifyClientCertIfGiven", "RequireAndVerifyClientCert"};
const std::vector<std::string_view> k_tls_versions = {"TLS10", "TLS11", "TLS12", "TLS13"};

std::string section_of(std::string_view key) {
  if (std::find(k_tls_keys.begin(), k_tls_keys.end(), key) != k_tls_keys.end()) return "[tls_server_config]";
  return {};
}

// $2a$, $2b$ or $2y$, a two-digit cost, then 53 characters of bcrypt's base64 (salt + hash).
bool looks_like_bcrypt(std::string_view h) {
  if (h.size() != 60 || h[0] != '$' || h[1] != '2' || (h[2] != 'a' && h[2] != 'b' && h[2] != 'y') || h[3] != '$') {
    return false;
  }
  if (h[4] < '0' || h[4] > '9' || h[5] < '0' || h[5] > '9' || h[6] != '$') return false;
  return std::all_of(h.begin() + 7, h.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '/';
  });
}

std::string one_of(const std::vector<std::string_view>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += quote(names[i]);
  }
  return out;
}

class WebLoader {
public:
  explicit WebLoader(const std::string& file) : m_toml(file), m_base_dir(directory_of(file)) {}

  [[nodiscard]] tl::expected<WebConfig, ConfigError> load(std::string_view text) {
    auto root = m_toml.parse(text);
    if (!root) return tl::make_unexpected(root.error());
    if (auto r = m_toml.check_keys(*root, "", k_top_keys, &section_of); !r) return tl::make_unexpected(r.error());
    if (const toml::node* n = root->get("tls_server_config")) {
      auto t = m_toml.table(*n, "tls_server_config");
      if (!t) return tl::make_unexpected(t.error());
      if (auto r = load_tls(**t); !r) return tl::make_unexpected(r.error());
    }
    if (const toml::node* n = root->get("basic_auth_users")) {
      auto t = m_toml.table(*n, "basic_auth_users");
      if (!t) return tl::make_unexpected(t.error());
      if (auto r = load_users(**t); !r) return tl::make_unexpected(r.error());
    }
    return std::move(m_config);
  }

private:
  using Result = tl::expected<void, ConfigError>;

  Result load_tls(const toml::table& t) {
    if (auto r = m_toml.check_keys(t, "tls_server_config", k_tls_keys, nullptr); !r) return r;
    for (auto [name, field] : {std::pair{"cert_file", &m_config.cert_file}, std::pair{"key_file", &m_config.key_file},
                               std::pair{"client_ca_file", &m_config.client_ca_file}}) {
      const toml::node* n = t.get(name);
      if (!n) continue;
      const std::string key = std::string("tls_server_config.") + name;
      auto path = m_toml.string(*n, key);
      if (!path) return tl::make_unexpected(path.error());
      if (path->empty()) continue;
      std::string resolved = resolve_path(m_base_dir, *path);
      if (auto ok = check_readable(resolved); !ok) {
        return tl::make_unexpected(m_toml.error(*n, key, "cannot read " + quote(resolved) + ": " + ok.error()));
      }
      *field = std::move(resolved);
    }
    for (auto [name, field, allowed] :
         {std::tuple{"client_auth_type", &m_config.client_auth_type, &k_client_auth_types},
          std::tuple{"min_version", &m_config.min_version, &k_tls_versions}}) {
      const toml::node* n = t.get(name);
      if (!n) continue;
      const std::string key = std::string("tls_server_config.") + name;
      auto value = m_toml.string(*n, key);
      if (!value) return tl::make_unexpected(value.error());
      if (std::find(allowed->begin(), allowed->end(), *value) == allowed->end()) {
        return tl::make_unexpected(m_toml.error(*n, key, quote(*value) + " is not one of " + one_of(*allowed)));
      }
      *field = std::move(*value);
    }
    const bool has_cert = !m_config.cert_file.empty(), has_key = !m_config.key_file.empty();
    if (has_cert != has_key) {
      return tl::make_unexpected(m_toml.error(
          t, "tls_server_config",
          has_cert ? "cert_file is set but key_file is missing" : "key_file is set but cert_file is missing"));
    }
    if (!has_cert &&
        (!m_config.client_ca_file.empty() || !m_config.client_auth_type.empty() || !m_config.min_version.empty())) {
      return tl::make_unexpected(m_toml.error(t, "tls_server_config", "TLS settings without cert_file and key_file"));
    }
    const std::string& auth = m_config.client_auth_type;
    const bool verifies = auth == "VerifyClientCertIfGiven" || auth == "RequireAndVerifyClientCert";
    if (verifies && m_config.client_ca_file.empty()) {
      return tl::make_unexpected(m_toml.error(*t.get("client_auth_type"), "tls_server_config.client_auth_type",
                                              quote(auth) + " needs client_ca_file"));
    }
    if (!m_config.client_ca_file.empty() && (auth.empty() || auth == "NoClientCert")) {
      return tl::make_unexpected(m_toml.error(*t.get("client_ca_file"), "tls_server_config.client_ca_file",
                                              "client_ca_file is set but client_auth_type does not ask for client "
                                              "certificates (use e.g. \"RequireAndVerifyClientCert\")"));
    }
    return {};
  }

  Result load_users(const toml::table& t) {
    for (const auto& [key, value] : TomlReader::entries_in_order(t)) {
      const std::string user(key->str());
      const std::string key_path = TomlReader::join("basic_auth_users", user);
      if (user.empty() || user.find(':') != std::string::npos) {
        return tl::make_unexpected(
            m_toml.error(key->source(), key_path, "user names must be non-empty and contain no ':'"));
      }
      auto hash = m_toml.string(*value, key_path, "a bcrypt hash string");
      if (!hash) return tl::make_unexpected(hash.error());
      if (!looks_like_bcrypt(*hash)) {
        return tl::make_unexpected(m_toml.error(*value, key_path,
                                                "not a bcrypt hash (expected \"$2y$<cost>$<53 characters>\", e.g. from "
                                                "htpasswd -nBC 10 USER); plain-text passwords are not accepted"));
      }
      m_config.basic_auth_users.emplace_back(user, std::move(*hash));
    }
    return {};
  }

  TomlReader m_toml;
  std::string m_base_dir;
  WebConfig m_config;
};

}  // namespace

tl::expected<WebConfig, ConfigError> load_web_config_file(const std::string& path) {
  auto text = read_file(path);
  if (!text) return tl::make_unexpected(ConfigError{path, 0, 0, "", "cannot read web config file: " + text.error()});
  return WebLoader(path).load(*text);
}

tl::expected<WebConfig, ConfigError> load_web_config_string(std::string_view toml_text,
                                                            const std::string& source_name) {
  return WebLoader(source_name).load(toml_text);
}

}  // namespace rdns::config
