#include "config/load.hpp"
namespace rdns::config {
std::string ConfigError::to_string() const { return file + ": " + message; }
tl::expected<Loaded, ConfigError> load_config_file(const std::string& path, const LoadOptions&) {
  return tl::make_unexpected(ConfigError{path, 0, 0, "", "config loading not implemented"});
}
tl::expected<Loaded, ConfigError> load_config_string(std::string_view, const std::string& source_name, const LoadOptions&) {
  return tl::make_unexpected(ConfigError{source_name, 0, 0, "", "config loading not implemented"});
}
}  // namespace rdns::config
