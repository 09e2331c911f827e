#include "config/web_config.hpp"

#include <algorithm>
#include <cctype>

#include "config/file_io.hpp"
#include "config/toml_util.hpp"
#include "config/web_config_rules.hpp"

namespace rdns::config {
namespace {

using web_rules::k_client_auth_types;
using web_rules::k_tls_versions;
using web_rules::looks_like_bcrypt;
using web_rules::one_of;

const std::vector<std::string_view> k_top_keys = {"tls_server_config", "basic_auth_users"};
const std::vector<std::string_view> k_tls_keys = {"cert_file", "key_file", "client_ca_file", "client_auth_type",
                                                  "min_version"};

std::string section_of(std::string_view key) {
  if (std::find(k_tls_keys.begin(), k_tls_keys.end(), key) != k_tls_keys.end()) return "[tls_server_config]";
  return {};
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

WebConfigFormat detect_web_config_format(std::string_view file_name, std::string_view text) {
  const auto ends_with = [&](std::string_view suffix) {
    if (file_name.size() < suffix.size()) return false;
    const auto tail = file_name.substr(file_name.size() - suffix.size());
    return std::equal(tail.begin(), tail.end(), suffix.begin(),
                      [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
  };
  if (ends_with(".yml") || ends_with(".yaml")) return WebConfigFormat::yaml;
  if (ends_with(".toml")) return WebConfigFormat::toml;
  // The first line that is neither blank nor a comment: "[table]" or "key = value" is TOML;
  // "key:" (or "---", or anything else) is YAML, the toolkit's own form.
  while (!text.empty()) {
    const auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty() || line.front() == '#' || line == "\r") continue;
    if (line.front() == '[') return WebConfigFormat::toml;
    const auto equals = line.find('='), colon = line.find(':');
    return equals != std::string_view::npos && (colon == std::string_view::npos || equals < colon)
               ? WebConfigFormat::toml
               : WebConfigFormat::yaml;
  }
  return WebConfigFormat::yaml;
}

tl::expected<WebConfig, ConfigError> load_web_config_toml(std::string_view text, const std::string& source_name) {
  return WebLoader(source_name).load(text);
}

tl::expected<WebConfig, ConfigError> load_web_config_string(std::string_view text, const std::string& source_name) {
  return detect_web_config_format(source_name, text) == WebConfigFormat::yaml ? load_web_config_yaml(text, source_name)
                                                                              : load_web_config_toml(text, source_name);
}

tl::expected<WebConfig, ConfigError> load_web_config_file(const std::string& path) {
  auto text = read_file(path);
  if (!text) return tl::make_unexpected(ConfigError{path, 0, 0, "", "cannot read web config file: " + text.error()});
  return load_web_config_string(*text, path);
}

}  // namespace rdns::config
