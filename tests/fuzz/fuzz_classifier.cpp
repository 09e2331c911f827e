// libFuzzer target: the generic-name classifier on arbitrary bytes (host name, then an optional
// address after the first NUL) must never crash, hang or leak, and keeps its promises: a score
// in [0, 1], generic exactly at 0.5 and above, always a reason.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "checks/generic_hostname.hpp"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const rdns::checks::GenericClassifier classifier;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t nul = input.find('\0');
  const std::string_view hostname = input.substr(0, nul);
  const std::string_view ip = nul == std::string_view::npos ? std::string_view() : input.substr(nul + 1);
  const rdns::checks::GenericVerdict v = classifier.classify(hostname, ip);
  check(v.score >= 0.0 && v.score <= 1.0);
  check(v.generic == (v.score >= 0.5));
  check(!v.reason.empty());
  return 0;
}
