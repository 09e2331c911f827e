// libFuzzer target: the config loader on arbitrary bytes must never crash, hang or leak,
// and whatever it returns must keep its promises (one-line errors, canonical unique targets).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <unordered_set>

#include "config/load.hpp"
#include "config/web_config.hpp"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // A small total cap keeps each run fast (a /16 is 65,536 addresses) while still
  // exercising expansion, the caps and duplicate detection.
  rdns::config::LoadOptions options;
  options.max_total_targets = 4096;
  auto loaded = rdns::config::load_config_string(text, "fuzz.toml", options);
  if (!loaded) {
    const std::string line = loaded.error().to_string();
    check(line.find('\n') == std::string::npos && line.find('\r') == std::string::npos);
    check(line.starts_with("fuzz.toml"));
  } else {
    const auto& c = loaded->config;
    check(c.schedule.timeout < c.schedule.interval);
    check(c.schedule.concurrency >= 1);
    check(c.targets.size() <= options.max_total_targets);
    std::unordered_set<std::string_view> seen;
    for (const auto& t : c.targets) {
      check(!t.ip.empty());
      check(seen.insert(t.ip).second);  // unique by ip
    }
    for (const auto& w : loaded->warnings) check(w.to_string().find('\n') == std::string::npos);
  }
  // The web config parser reads the same kind of input.
  auto web = rdns::config::load_web_config_string(text, "web.toml");
  if (!web) check(web.error().to_string().find('\n') == std::string::npos);
  return 0;
}
