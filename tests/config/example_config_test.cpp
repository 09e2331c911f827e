// config/examples/rdns_exporter.toml says it shows every setting with its default: every key the
// loader knows in [resolver] and [schedule] (read from the loader's own key lists, so a key added
// later without an example fails here) is in it, set or commented out.
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST(ExampleConfig, ShowsEverySettingOfResolverAndSchedule) {
  const std::string loader = read(std::string(RDNS_SOURCE_DIR) + "/config/load.cpp");
  const std::string example = read(std::string(RDNS_SOURCE_DIR) + "/config/examples/rdns_exporter.toml");
  ASSERT_FALSE(loader.empty());
  ASSERT_FALSE(example.empty());
  int checked = 0;
  const std::regex list(R"(k_(resolver|schedule)_keys = \{([^}]*)\})");
  for (auto it = std::sregex_iterator(loader.begin(), loader.end(), list); it != std::sregex_iterator(); ++it) {
    const std::string keys = (*it)[2];
    const std::regex quoted("\"(\\w+)\"");
    for (auto k = std::sregex_iterator(keys.begin(), keys.end(), quoted); k != std::sregex_iterator(); ++k) {
      const std::string key = (*k)[1];
      const std::regex shown("(^|\\n)(# ?)?" + key + " = ");
      EXPECT_TRUE(std::regex_search(example, shown)) << "[" << (*it)[1] << "] " << key << " is not in the example";
      ++checked;
    }
  }
  EXPECT_GE(checked, 12) << "the loader's key lists were not found";
}
