// Accuracy of the generic-name classifier on the labelled corpus (tests/data/README.md). The
// corpus is split by registered domain: the rules are tuned on the train file only, and the
// holdout file holds providers the train file never shows. Floors: train precision 0.97 and
// F1 0.95; holdout precision 0.97 and F1 0.93. Prints the confusion matrix and every
// misclassified name.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <set>

#include "checks/generic/name_parts.hpp"
#include "checks/generic/public_suffix.hpp"
#include "checks/generic_hostname.hpp"

#ifndef RDNS_TEST_DATA_DIR
#define RDNS_TEST_DATA_DIR "tests/data"
#endif

namespace rdns::checks {
namespace {

struct Row {
  std::string hostname;
  std::string ip;
  bool generic = false;
  std::string note;  // the reason for the label
  std::string provenance;
  int line = 0;
};

std::vector<Row> load(const std::string& file) {
  std::ifstream in(std::string(RDNS_TEST_DATA_DIR) + "/" + file);
  EXPECT_TRUE(in.good()) << "cannot open " << RDNS_TEST_DATA_DIR << "/" << file;
  std::vector<Row> rows;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#' || line.rfind("hostname\t", 0) == 0) continue;
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string col;
    while (std::getline(ss, col, '\t')) cols.push_back(col);
    if (cols.size() != 5 || (cols[2] != "generic" && cols[2] != "not-generic") || cols[3].empty() || cols[4].empty()) {
      ADD_FAILURE() << file << ":" << number
                    << ": expected hostname<TAB>ip<TAB>label<TAB>reason<TAB>provenance: " << line;
      continue;
    }
    rows.push_back(Row{cols[0], cols[1], cols[2] == "generic", cols[3], cols[4], number});
  }
  return rows;
}

struct Scores {
  int tp = 0, fp = 0, tn = 0, fn = 0;
  double precision() const { return tp + fp == 0 ? 0.0 : double(tp) / (tp + fp); }
  double recall() const { return tp + fn == 0 ? 0.0 : double(tp) / (tp + fn); }
  double f1() const {
    const double p = precision(), r = recall();
    return p + r == 0 ? 0.0 : 2 * p * r / (p + r);
  }
};

Scores evaluate(const std::string& file, const std::vector<Row>& rows, bool use_ip) {
  const GenericClassifier classifier;
  Scores s;
  std::ostringstream wrong;
  for (const Row& row : rows) {
    const GenericVerdict v = classifier.classify(row.hostname, use_ip ? row.ip : std::string());
    if (v.generic && row.generic) ++s.tp;
    if (v.generic && !row.generic) ++s.fp;
    if (!v.generic && !row.generic) ++s.tn;
    if (!v.generic && row.generic) ++s.fn;
    if (v.generic != row.generic) {
      wrong << "  " << (row.generic ? "FN" : "FP") << " " << file << ":" << row.line << " " << row.hostname << " ["
            << (use_ip ? row.ip : "") << "] score " << v.score << ": " << v.reason
            << (row.note.empty() ? "" : "  (note: " + row.note + ")") << "\n";
    }
  }
  std::printf(
      "%s (%s): %zu names\n"
      "                  predicted generic  predicted not-generic\n"
      "  generic         %17d  %21d\n"
      "  not-generic     %17d  %21d\n"
      "  precision %.4f  recall %.4f  F1 %.4f\n%s",
      file.c_str(), use_ip ? "with IP" : "without IP", rows.size(), s.tp, s.fn, s.fp, s.tn, s.precision(), s.recall(),
      s.f1(), wrong.str().c_str());
  return s;
}

TEST(GenericCorpus, TrainMeetsTheBar) {
  const auto rows = load("generic_names.tsv");
  ASSERT_GE(rows.size(), 1000u);
  const Scores s = evaluate("generic_names.tsv", rows, true);
  EXPECT_GE(s.precision(), 0.97);
  EXPECT_GE(s.f1(), 0.95);
}

TEST(GenericCorpus, TrainWithoutAddresses) {
  // Same names, the IP column ignored: the name alone must carry the evidence.
  const auto rows = load("generic_names.tsv");
  const Scores s = evaluate("generic_names.tsv", rows, false);
  EXPECT_GE(s.precision(), 0.97);
  EXPECT_GE(s.f1(), 0.95);
}

TEST(GenericCorpus, HoldoutOfUnseenProviders) {
  const auto rows = load("generic_names_holdout.tsv");
  ASSERT_GE(rows.size(), 300u);
  const Scores s = evaluate("generic_names_holdout.tsv", rows, true);
  EXPECT_GE(s.precision(), 0.97);
  EXPECT_GE(s.f1(), 0.93);
  const Scores without = evaluate("generic_names_holdout.tsv", rows, false);
  EXPECT_GE(without.precision(), 0.97);
  EXPECT_GE(without.f1(), 0.93);
}

std::string registered_domain(const std::string& hostname) {
  generic::NameParts parts;
  generic::split_name(hostname, parts);
  if (parts.label_count == 0) return {};
  return std::string(
      parts.label_span(parts.host_labels < parts.label_count ? parts.host_labels : 0, parts.label_count - 1));
}

TEST(GenericCorpus, PublicSuffixMemoAgreesWithLibpsl) {
  // Every corpus name, names under it ("a.<name>"), and siblings under parents seen before
  // ("x.u7.<name>" after "a.u7.<name>") get the same registered domain from the memo as from
  // libpsl itself.
  const auto& psl = generic::PublicSuffixList::instance();
  auto rows = load("generic_names.tsv");
  const auto holdout = load("generic_names_holdout.tsv");
  rows.insert(rows.end(), holdout.begin(), holdout.end());
  int n = 0;
  for (int round = 0; round < 3; ++round) {
    for (const Row& r : rows) {
      std::string name = r.hostname;
      if (round == 1) name = "a.u" + std::to_string(n++) + "." + name;
      if (round == 2) name = "x.u" + std::to_string(n++ - static_cast<int>(rows.size())) + "." + name;
      generic::NameParts parts;
      generic::split_name(name, parts);
      EXPECT_EQ(psl.registered_domain_labels(parts.name, parts.label_count),
                psl.registered_domain_labels_uncached(parts.name, parts.label_count))
          << name;
    }
  }
}

TEST(GenericCorpus, SplitByRegisteredDomain) {
  // No registered domain (as the classifier's Public Suffix List sees it) is in both files,
  // so the holdout figures are about providers the rules were not tuned on.
  std::set<std::string> train;
  std::size_t domains = 0;
  for (const Row& r : load("generic_names.tsv")) train.insert(registered_domain(r.hostname));
  std::set<std::string> holdout;
  for (const Row& r : load("generic_names_holdout.tsv")) {
    const std::string d = registered_domain(r.hostname);
    EXPECT_EQ(train.count(d), 0u) << r.hostname << ": " << d << " is in both files";
    holdout.insert(d);
  }
  domains = train.size() + holdout.size();
  EXPECT_GE(domains, 300u);
}

TEST(GenericCorpus, CorpusIsBalancedEnoughToMeanSomething) {
  auto rows = load("generic_names.tsv");
  const auto holdout = load("generic_names_holdout.tsv");
  rows.insert(rows.end(), holdout.begin(), holdout.end());
  EXPECT_GE(rows.size(), 1500u);
  int generic = 0;
  for (const Row& r : rows) generic += r.generic ? 1 : 0;
  EXPECT_GE(generic, 300);
  EXPECT_GE(static_cast<int>(rows.size()) - generic, 300);
}

}  // namespace
}  // namespace rdns::checks
