// Table-driven: every bad config in config/testdata/ must fail with exactly the line listed
// for it in config/testdata/expected_errors.tsv, and every listed file must exist.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "config/load.hpp"

namespace {

const std::filesystem::path k_testdata = std::filesystem::path(RDNS_SOURCE_DIR) / "config" / "testdata";

std::map<std::string, std::string> read_expectations() {
  std::map<std::string, std::string> out;
  std::ifstream in(k_testdata / "expected_errors.tsv");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto tab = line.find('\t');
    EXPECT_NE(tab, std::string::npos) << "no TAB in: " << line;
    if (tab == std::string::npos) continue;
    EXPECT_TRUE(out.emplace(line.substr(0, tab), line.substr(tab + 1)).second) << "listed twice: " << line;
  }
  return out;
}

// Relative paths in the configs (and in the messages) are relative to the config file's
// directory; loading from inside it keeps the expected lines free of machine paths.
class InDirectory {
public:
  explicit InDirectory(const std::filesystem::path& dir) : m_old(std::filesystem::current_path()) {
    std::filesystem::current_path(dir);
  }
  ~InDirectory() { std::filesystem::current_path(m_old); }

private:
  std::filesystem::path m_old;
};

TEST(ConfigTestdata, EveryBadConfigFailsWithItsExactError) {
  const auto expected = read_expectations();
  ASSERT_GE(expected.size(), 25u);
  std::set<std::string> seen;
  InDirectory cd(k_testdata);
  for (const auto& entry : std::filesystem::directory_iterator(".")) {
    if (entry.path().extension() != ".toml") continue;
    const std::string name = entry.path().filename().string();
    seen.insert(name);
    const auto it = expected.find(name);
    if (it == expected.end()) {
      ADD_FAILURE() << name << " has no line in expected_errors.tsv";
      continue;
    }
    auto loaded = rdns::config::load_config_file(name);
    if (loaded) {
      ADD_FAILURE() << name << " loaded without error";
      continue;
    }
    const std::string got = loaded.error().to_string();
    EXPECT_EQ(got, it->second) << name;
    EXPECT_EQ(got.find('\n'), std::string::npos) << name;
    // The same text through load_config_string gives the same error.
    std::ifstream in(name);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto from_string = rdns::config::load_config_string(text, name);
    ASSERT_FALSE(from_string) << name;
    EXPECT_EQ(from_string.error().to_string(), it->second) << name;
  }
  for (const auto& [name, line] : expected) {
    EXPECT_TRUE(seen.count(name)) << "expected_errors.tsv lists " << name << " but the file does not exist";
  }
}

}  // namespace
