// libFuzzer target: the Authorization header decoder (agent/http/basic_auth): the header
// value parser and the strict base64 underneath it.
// Invariants: whatever base64_decode accepts, base64_encode turns back into text of the same
// length that decodes to the same bytes; accepted credentials have no ':' in the user and no
// NUL byte anywhere (crypt(3) would stop reading at it), and encoding them again as a header
// gives the same credentials back.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "agent/http/basic_auth.hpp"
#include "tests/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  if (const auto decoded = rdns::agent::base64_decode(text)) {
    const std::string encoded = rdns::agent::base64_encode(*decoded);
    RDNS_FUZZ_CHECK(encoded.size() == text.size());
    const auto again = rdns::agent::base64_decode(encoded);
    RDNS_FUZZ_CHECK(again && *again == *decoded);
  }

  const auto credentials = rdns::agent::parse_basic_authorization(text);
  if (!credentials) return 0;
  RDNS_FUZZ_CHECK(credentials->user.find(':') == std::string::npos);
  RDNS_FUZZ_CHECK(credentials->user.find('\0') == std::string::npos);
  RDNS_FUZZ_CHECK(credentials->password.find('\0') == std::string::npos);
  const std::string header = "Basic " + rdns::agent::base64_encode(credentials->user + ":" + credentials->password);
  const auto again = rdns::agent::parse_basic_authorization(header);
  RDNS_FUZZ_CHECK(again && again->user == credentials->user && again->password == credentials->password);
  return 0;
}
