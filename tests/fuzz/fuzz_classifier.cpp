// libFuzzer target: the generic-name classifier on arbitrary "hostname[<TAB>ip]" input, as the
// `classify` command reads it, with the built-in rules and with user patterns.
// Invariants: a verdict always has a reason; the score is within 0..1 and decides `generic`
// (built-in rules); case and one trailing dot do not change the verdict; an allow pattern that
// matches always wins; the JSON text of the reason is valid UTF-8 without control characters.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "checks/generic_hostname.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "util/text_escape.hpp"

namespace {

const rdns::checks::GenericClassifier& built_in() {
  static const rdns::checks::GenericClassifier classifier;
  return classifier;
}

const rdns::checks::GenericClassifier& with_patterns() {
  // "allowed" anywhere in the name always wins; "pool[0-9]" marks a name generic.
  static const rdns::checks::GenericClassifier classifier =
      std::move(*rdns::checks::GenericClassifier::create({"pool[0-9]"}, {"allowed"}));
  return classifier;
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

void check_json(const std::string& text) {
  const std::string json = rdns::text::json_string(text);
  RDNS_FUZZ_CHECK(rdns::text::is_valid_utf8(json));
  for (const char c : json) RDNS_FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 1024) return 0;  // host names are at most 253 octets; keep runs fast
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto tab = input.find('\t');
  const std::string_view hostname = input.substr(0, tab);
  const std::string_view ip = tab == std::string_view::npos ? std::string_view() : input.substr(tab + 1);

  const auto verdict = built_in().classify(hostname, ip);
  RDNS_FUZZ_CHECK(!verdict.reason.empty());
  RDNS_FUZZ_CHECK(std::isfinite(verdict.score) && verdict.score >= 0.0 && verdict.score <= 1.0);
  RDNS_FUZZ_CHECK(verdict.generic == (verdict.score >= 0.5));
  RDNS_FUZZ_CHECK(built_in().classify(hostname, ip) == verdict);  // deterministic
  check_json(verdict.reason);

  // Case and one trailing dot are not part of the name's identity.
  const auto upper_verdict = built_in().classify(upper(hostname), ip);
  RDNS_FUZZ_CHECK(upper_verdict.generic == verdict.generic && upper_verdict.score == verdict.score);
  if (!hostname.empty() && hostname.back() != '.' && hostname.back() != '\\') {
    const auto dotted = built_in().classify(std::string(hostname) + ".", ip);
    RDNS_FUZZ_CHECK(dotted.generic == verdict.generic && dotted.score == verdict.score);
  }

  const auto patterned = with_patterns().classify(hostname, ip);
  RDNS_FUZZ_CHECK(!patterned.reason.empty());
  check_json(patterned.reason);
  if (lower(hostname).find("allowed") != std::string::npos) RDNS_FUZZ_CHECK(!patterned.generic);
  return 0;
}
