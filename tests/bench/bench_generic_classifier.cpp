// Throughput of the generic-name classifier over the labelled corpus names.
// Run: rdns_bench_generic_classifier --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
// items_per_second = names classified per second on one thread. The corpus names repeat across
// iterations, so the Public Suffix List memo is warm there; BM_ClassifyUnseenParents is the
// cold case.
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "checks/generic_hostname.hpp"

#ifndef RDNS_TEST_DATA_DIR
#define RDNS_TEST_DATA_DIR "tests/data"
#endif

namespace {

using Names = std::vector<std::pair<std::string, std::string>>;  // hostname, ip

const Names& corpus() {
  static const Names names = [] {
    Names out;
    for (const char* file : {"generic_names.tsv", "generic_names_holdout.tsv"}) {
      std::ifstream in(std::string(RDNS_TEST_DATA_DIR) + "/" + file);
      std::string line;
      while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#' || line.rfind("hostname\t", 0) == 0) continue;
        std::stringstream ss(line);
        std::string host, ip;
        std::getline(ss, host, '\t');
        std::getline(ss, ip, '\t');
        out.emplace_back(host, ip);
      }
    }
    return out;
  }();
  return names;
}

void run(benchmark::State& state, const rdns::checks::GenericClassifier& classifier, bool with_ip) {
  const Names& names = corpus();
  if (names.empty()) {
    state.SkipWithError("corpus not found under " RDNS_TEST_DATA_DIR);
    return;
  }
  for (auto _ : state) {
    for (const auto& [host, ip] : names) {
      benchmark::DoNotOptimize(classifier.classify(host, with_ip ? std::string_view(ip) : std::string_view()));
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(names.size()));
}

void BM_ClassifyWithIp(benchmark::State& state) {
  const rdns::checks::GenericClassifier classifier;
  run(state, classifier, true);
}

void BM_ClassifyWithoutIp(benchmark::State& state) {
  const rdns::checks::GenericClassifier classifier;
  run(state, classifier, false);
}

// The worst case for the Public Suffix List memo (kept per parent domain): every name under a
// parent never seen before, 20 variants of each corpus name ("x.u7.hsd1.ca.comcast.net"), more
// than the memo holds, so every lookup goes to libpsl.
void BM_ClassifyUnseenParents(benchmark::State& state) {
  static const Names names = [] {
    Names out;
    int n = 0;
    for (int round = 0; round < 20; ++round) {
      for (const auto& [host, ip] : corpus()) {
        const std::size_t dot = host.find('.');
        if (dot == std::string::npos) continue;
        out.emplace_back(host.substr(0, dot) + ".u" + std::to_string(n++) + host.substr(dot), ip);
      }
    }
    return out;
  }();
  const rdns::checks::GenericClassifier classifier;
  for (auto _ : state) {
    for (const auto& [host, ip] : names) benchmark::DoNotOptimize(classifier.classify(host, ip));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(names.size()));
}

// The cost of user patterns (RE2): two extra, two allow, none matching most names.
void BM_ClassifyWithUserPatterns(benchmark::State& state) {
  auto classifier = rdns::checks::GenericClassifier::create({"^vps\\d+\\.", "\\.dyn\\.example\\.net$"},
                                                            {"^mail\\.", "\\.example\\.com$"});
  run(state, *classifier, true);
}

}  // namespace

BENCHMARK(BM_ClassifyWithIp);
BENCHMARK(BM_ClassifyWithoutIp);
BENCHMARK(BM_ClassifyWithUserPatterns);
BENCHMARK(BM_ClassifyUnseenParents);
BENCHMARK_MAIN();
