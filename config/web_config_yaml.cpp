// The exporter-toolkit web config file in its own form, YAML (yaml-cpp), read as strictly as the
// toolkit reads it (Go's yaml.UnmarshalStrict): unknown and repeated keys are errors, each with
// the line and column where it is written.
#include <yaml-cpp/yaml.h>

#include <functional>
#include <set>

#include "config/duration.hpp"
#include "config/file_io.hpp"
#include "util/text_escape.hpp"
#include "config/web_config.hpp"
#include "config/web_config_rules.hpp"

namespace rdns::config {
namespace {

using Result = tl::expected<void, ConfigError>;
using Keys = std::vector<std::string_view>;
namespace rules = web_rules;

const Keys k_top_keys = {"tls_server_config", "http_server_config", "rate_limit", "basic_auth_users"};
const Keys k_tls_keys = {"cert",
                         "key",
                         "client_ca",
                         "cert_file",
                         "key_file",
                         "client_auth_type",
                         "client_ca_file",
                         "client_allowed_sans",
                         "min_version",
                         "max_version",
                         "cipher_suites",
                         "prefer_server_cipher_suites",
                         "curve_preferences"};
const Keys k_http_keys = {"http2", "headers"};
const Keys k_rate_keys = {"interval", "burst"};

class YamlWebLoader {
public:
  explicit YamlWebLoader(const std::string& file) : m_file(file), m_base_dir(directory_of(file)) {}

  tl::expected<WebConfig, ConfigError> load(std::string_view text) {
    YAML::Node root;
    try {
      root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
      return tl::make_unexpected(ConfigError{m_file, e.mark.line + 1, e.mark.column + 1, "", "invalid YAML: " + e.msg});
    }
    try {
      if (auto r = load_root(root); !r) return tl::make_unexpected(r.error());
    } catch (const YAML::Exception& e) {  // a conversion yaml-cpp refuses (not expected: scalars are read as text)
      return tl::make_unexpected(ConfigError{m_file, e.mark.line + 1, e.mark.column + 1, "", e.msg});
    }
    return std::move(m_config);
  }

private:
  ConfigError error(const YAML::Node& at, const std::string& key, std::string message) const {
    const YAML::Mark mark = at.Mark();
    return ConfigError{m_file, mark.is_null() ? 0 : mark.line + 1, mark.is_null() ? 0 : mark.column + 1, key,
                       std::move(message)};
  }

  // Visits the entries of a mapping (null = empty): unknown keys (when `allowed` is not empty)
  // and repeated keys are errors; `visit(key_node, value_node, dotted_key)`.
  Result each_entry(const YAML::Node& node, const std::string& where, const Keys* allowed,
                    const std::function<Result(const YAML::Node&, const YAML::Node&, const std::string&)>& visit) {
    if (node.IsNull()) return {};
    if (!node.IsMap()) return tl::make_unexpected(error(node, where, "expected a mapping of keys to values"));
    std::set<std::string> seen;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const YAML::Node key_node = it->first;
      if (!key_node.IsScalar()) return tl::make_unexpected(error(key_node, where, "keys must be plain strings"));
      const std::string key = key_node.Scalar();
      const std::string dotted = where.empty() ? key : where + "." + key;
      if (allowed && !rules::contains(*allowed, key)) {
        return tl::make_unexpected(
            error(key_node, dotted,
                  "unknown key" + (where.empty() ? "" : " in " + where) + " (known: " + rules::one_of(*allowed) + ")"));
      }
      if (!seen.insert(key).second) return tl::make_unexpected(error(key_node, dotted, "key is set twice"));
      if (auto r = visit(key_node, it->second, dotted); !r) return r;
    }
    return {};
  }

  Result string(const YAML::Node& node, const std::string& key, std::string& out) {
    if (node.IsNull()) return {};
    if (!node.IsScalar()) return tl::make_unexpected(error(node, key, "expected a string"));
    out = node.Scalar();
    return {};
  }

  Result boolean(const YAML::Node& node, const std::string& key, bool& out) {
    if (node.IsNull()) return {};
    static const std::set<std::string> yes = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"};
    static const std::set<std::string> no = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"};
    if (node.IsScalar() && yes.contains(node.Scalar())) {
      out = true;
    } else if (node.IsScalar() && no.contains(node.Scalar())) {
      out = false;
    } else {
      return tl::make_unexpected(error(node, key, "expected true or false"));
    }
    return {};
  }

  // A list of strings; each must be one of `allowed` when it is given.
  Result string_list(const YAML::Node& node, const std::string& key, std::vector<std::string>& out,
                     const Keys* allowed = nullptr) {
    if (node.IsNull()) return {};
    if (!node.IsSequence()) return tl::make_unexpected(error(node, key, "expected a list of strings"));
    for (const auto& item : node) {
      if (!item.IsScalar()) return tl::make_unexpected(error(item, key, "expected a string"));
      if (allowed && !rules::contains(*allowed, item.Scalar())) {
        return tl::make_unexpected(
            error(item, key, text::quote(item.Scalar()) + " is not one of " + rules::one_of(*allowed)));
      }
      out.push_back(item.Scalar());
    }
    return {};
  }

  // A file name: relative to the web config's directory, and readable now.
  Result path(const YAML::Node& node, const std::string& key, std::string& out) {
    std::string value;
    if (auto r = string(node, key, value); !r || value.empty()) return r;
    std::string resolved = resolve_path(m_base_dir, value);
    if (auto ok = check_readable(resolved); !ok) {
      return tl::make_unexpected(error(node, key, "cannot read " + text::quote(resolved) + ": " + ok.error()));
    }
    out = std::move(resolved);
    return {};
  }

  Result choice(const YAML::Node& node, const std::string& key, const Keys& allowed, std::string& out) {
    std::string value;
    if (auto r = string(node, key, value); !r) return r;
    if (!value.empty() && !rules::contains(allowed, value)) {
      return tl::make_unexpected(error(node, key, text::quote(value) + " is not one of " + rules::one_of(allowed)));
    }
    out = std::move(value);
    return {};
  }

  Result load_root(const YAML::Node& root) {
    return each_entry(root, "", &k_top_keys,
                      [this](const YAML::Node&, const YAML::Node& value, const std::string& key) {
                        if (key == "tls_server_config") return load_tls(value);
                        if (key == "http_server_config") return load_http(value);
                        if (key == "rate_limit") return load_rate_limit(value);
                        return load_users(value);
                      });
  }

  Result load_tls(const YAML::Node& node) {
    WebConfig& c = m_config;
    auto loaded = each_entry(node, "tls_server_config", &k_tls_keys,
                             [&](const YAML::Node&, const YAML::Node& value, const std::string& key) -> Result {
                               const std::string name = key.substr(key.find('.') + 1);
                               if (name == "cert") return string(value, key, c.cert_pem);
                               if (name == "key") return string(value, key, c.key_pem);
                               if (name == "client_ca") return string(value, key, c.client_ca_pem);
                               if (name == "cert_file") return path(value, key, c.cert_file);
                               if (name == "key_file") return path(value, key, c.key_file);
                               if (name == "client_ca_file") return path(value, key, c.client_ca_file);
                               if (name == "client_auth_type")
                                 return choice(value, key, rules::k_client_auth_types, c.client_auth_type);
                               if (name == "client_allowed_sans") return string_list(value, key, c.client_allowed_sans);
                               if (name == "min_version")
                                 return choice(value, key, rules::k_tls_versions, c.min_version);
                               if (name == "max_version")
                                 return choice(value, key, rules::k_tls_versions, c.max_version);
                               if (name == "cipher_suites")
                                 return string_list(value, key, c.cipher_suites, &rules::k_cipher_suites);
                               if (name == "curve_preferences")
                                 return string_list(value, key, c.curve_preferences, &rules::k_curves);
                               return boolean(value, key, c.prefer_server_cipher_suites);
                             });
    if (!loaded) return loaded;
    if (auto problem = rules::tls_error(c)) return tl::make_unexpected(error(node, "tls_server_config", *problem));
    if (!c.tls_enabled()) {
      // As the toolkit: the TLS-only settings mean nothing without a certificate.
      const WebConfig defaults;
      c.min_version = c.max_version = "";
      c.cipher_suites.clear();
      c.curve_preferences.clear();
      c.prefer_server_cipher_suites = defaults.prefer_server_cipher_suites;
    }
    return {};
  }

  Result load_http(const YAML::Node& node) {
    return each_entry(node, "http_server_config", &k_http_keys,
                      [this](const YAML::Node&, const YAML::Node& value, const std::string& key) -> Result {
                        if (key.ends_with("http2")) return boolean(value, key, m_config.http2);
                        return each_entry(value, key, nullptr,
                                          [this](const YAML::Node& name_node, const YAML::Node& header_value,
                                                 const std::string& header_key) -> Result {
                                            std::string text_value;
                                            if (auto r = string(header_value, header_key, text_value); !r) return r;
                                            const std::string name = name_node.Scalar();
                                            if (auto problem = rules::header_error(name, text_value)) {
                                              return tl::make_unexpected(error(name_node, header_key, *problem));
                                            }
                                            // Unset if blank, as the toolkit documents.
                                            if (!text_value.empty()) m_config.headers.emplace_back(name, text_value);
                                            return {};
                                          });
                      });
  }

  Result load_rate_limit(const YAML::Node& node) {
    auto loaded =
        each_entry(node, "rate_limit", &k_rate_keys,
                   [this](const YAML::Node&, const YAML::Node& value, const std::string& key) -> Result {
                     std::string text_value;
                     if (auto r = string(value, key, text_value); !r || text_value.empty()) return r;
                     if (key.ends_with("burst")) {
                       try {
                         m_config.rate_limit_burst = value.as<int>();
                       } catch (const YAML::Exception&) {
                         m_config.rate_limit_burst = -1;
                       }
                       if (m_config.rate_limit_burst < 0) {
                         return tl::make_unexpected(error(value, key, "expected a whole number >= 0"));
                       }
                       return {};
                     }
                     if (text_value == "0" || text_value == "0s") return {};
                     auto interval = parse_duration(text_value);
                     if (!interval) {
                       return tl::make_unexpected(error(value, key, text::quote(text_value) + ": " + interval.error()));
                     }
                     m_config.rate_limit_interval = *interval;
                     return {};
                   });
    if (!loaded) return loaded;
    if (m_config.rate_limit_interval.count() > 0 && m_config.rate_limit_burst < 1) {
      return tl::make_unexpected(error(node, "rate_limit.burst", "must be at least 1 when interval is set"));
    }
    return {};
  }

  Result load_users(const YAML::Node& node) {
    return each_entry(
        node, "basic_auth_users", nullptr,
        [this](const YAML::Node& user_node, const YAML::Node& value, const std::string& key) -> Result {
          const std::string user = user_node.Scalar();
          if (user.empty() || user.find(':') != std::string::npos) {
            return tl::make_unexpected(error(user_node, key, "user names must be non-empty and contain no ':'"));
          }
          std::string hash;
          if (auto r = string(value, key, hash); !r) return r;
          if (!rules::looks_like_bcrypt(hash)) {
            return tl::make_unexpected(
                error(value.IsNull() ? user_node : value, key,
                      "not a bcrypt hash (expected \"$2y$<cost>$<53 characters>\", e.g. from htpasswd -nBC 10 "
                      "USER); plain-text passwords are not accepted"));
          }
          m_config.basic_auth_users.emplace_back(user, std::move(hash));
          return {};
        });
  }

  const std::string m_file;
  const std::string m_base_dir;
  WebConfig m_config;
};

}  // namespace

tl::expected<WebConfig, ConfigError> load_web_config_yaml(std::string_view text, const std::string& source_name) {
  return YamlWebLoader(source_name).load(text);
}

}  // namespace rdns::config
