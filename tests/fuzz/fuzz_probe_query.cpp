// libFuzzer target: the /probe request target -> the target IP text (agent/http/probe_query).
// Invariants: an accepted target is 1..k_max_probe_target_bytes of printable ASCII without
// spaces; it is the first `target` field of the query; encoding it again and putting it first
// in any query gives it back; errors are one non-empty line.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "agent/http/probe_query.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

std::string percent_encode(std::string_view text) {
  static constexpr char k_hex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == ':') {
      out += c;
    } else {
      out += '%';
      out += k_hex[byte >> 4];
      out += k_hex[byte & 0x0f];
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view request_target(reinterpret_cast<const char*>(data), size);
  const std::string_view query = rdns::agent::query_of_request_target(request_target);
  RDNS_FUZZ_CHECK(query.size() <= request_target.size());
  // The same input as the debug flag and as the scrape-timeout header: a timeout is always a
  // finite positive number of seconds; debug=true put first always counts.
  if (const auto seconds = rdns::agent::parse_scrape_timeout_header(request_target)) {
    RDNS_FUZZ_CHECK(std::isfinite(*seconds) && *seconds > 0);
  }
  RDNS_FUZZ_CHECK(rdns::agent::probe_debug_from_query("debug=true&" + std::string(query)));
  (void)rdns::agent::probe_debug_from_query(query);

  const auto target = rdns::agent::probe_target_from_query(query);
  if (!target) {
    RDNS_FUZZ_CHECK(!target.error().empty());
    RDNS_FUZZ_CHECK(target.error().find('\n') == std::string::npos);
    RDNS_FUZZ_CHECK(target.error().find('\r') == std::string::npos);
    return 0;
  }
  RDNS_FUZZ_CHECK(!target->empty() && target->size() <= rdns::agent::k_max_probe_target_bytes);
  for (const char c : *target) {
    RDNS_FUZZ_CHECK(static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7f);
  }
  // Round trip: the same target, encoded, first in a query whose rest is the fuzzed one.
  const auto again =
      rdns::agent::probe_target_from_query("target=" + percent_encode(*target) + "&" + std::string(query));
  RDNS_FUZZ_CHECK(again && *again == *target);
  // A field before it with another name changes nothing.
  const auto prefixed = rdns::agent::probe_target_from_query("module=x&" + std::string(query));
  RDNS_FUZZ_CHECK(prefixed && *prefixed == *target);
  return 0;
}
