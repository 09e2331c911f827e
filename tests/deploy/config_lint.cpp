// config_lint FILE...: loads each rdns_exporter TOML config with the exporter's own loader and
// prints the first error. Used by the deploy tests to prove that the configs shipped in
// deploy/ (container default, Kubernetes ConfigMap) are accepted by the binary's parser.
#include <iostream>
#include <string>

#include "config/load.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: config_lint FILE...\n";
    return 64;
  }
  int status = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string path = argv[i];
    // As the agent loads it: zero targets is a warning (the shipped default config has none).
    auto loaded = rdns::config::load_config_file(path, rdns::config::LoadOptions{.require_targets = false});
    if (!loaded) {
      std::cout << "FAIL " << loaded.error().to_string() << '\n';
      status = 1;
      continue;
    }
    for (const auto& warning : loaded->warnings) {
      std::cout << "WARN " << warning.to_string() << '\n';
    }
    std::cout << "OK " << path << ": " << loaded->config.targets.size() << " targets\n";
  }
  return status;
}
