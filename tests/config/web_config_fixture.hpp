// A temporary directory with stand-in certificate files, for loading web config files by name.
// Shared by the TOML and the YAML web config tests. Header-only, test code.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>

#include <gtest/gtest.h>
#include <tl/expected.hpp>

#include "config/web_config.hpp"

namespace rdns::config::testing {

inline const std::string k_hash = "$2y$10$" + std::string(53, 'a');

class WebConfigFiles : public ::testing::Test {
protected:
  // `file_name`: what load() and error() write the config to.
  explicit WebConfigFiles(std::string file_name) : m_file_name(std::move(file_name)) {}

  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "rdns-web-config-XXXXXX").string();
    m_dir = ::mkdtemp(pattern.data());
    std::ofstream(m_dir / "server.crt") << "cert";
    std::ofstream(m_dir / "server.key") << "key";
    std::ofstream(m_dir / "ca.crt") << "ca";
  }
  void TearDown() override { std::filesystem::remove_all(m_dir); }

  tl::expected<WebConfig, ConfigError> load(const std::string& text) { return load(text, m_file_name); }
  tl::expected<WebConfig, ConfigError> load(const std::string& text, const std::string& name) {
    const auto path = m_dir / name;
    std::ofstream(path) << text;
    return load_web_config_file(path.string());
  }
  // Messages name the file; this is the part after it: ":LINE:COL: key: message".
  std::string error(const std::string& text) {
    auto got = load(text);
    if (got) {
      ADD_FAILURE() << "loaded without error: " << text;
      return {};
    }
    std::string line = got.error().to_string();
    const std::string prefix = (m_dir / m_file_name).string();
    EXPECT_EQ(line.compare(0, prefix.size(), prefix), 0) << line;
    return line.substr(prefix.size());
  }

  std::filesystem::path m_dir;

private:
  std::string m_file_name;
};

}  // namespace rdns::config::testing
