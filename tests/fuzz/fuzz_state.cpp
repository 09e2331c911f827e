// libFuzzer target: decode_state on arbitrary bytes must never crash, hang or leak; whatever it
// accepts must survive encode -> decode unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "agent/state/state_file.hpp"
#include "agent/state/state_format.hpp"

namespace {

namespace state = rdns::agent::state;
namespace format = rdns::agent::state::format;

void check(bool ok) {
  if (!ok) std::abort();
}

void decode_and_round_trip(std::string_view bytes) {
  auto decoded = state::decode_state(bytes);
  if (!decoded) {
    check(!decoded.error().empty() && decoded.error().find('\n') == std::string::npos);
    return;
  }
  const std::string again = state::encode_state(decoded->targets, decoded->written_at);
  auto redecoded = state::decode_state(again);
  check(redecoded.has_value());
  check(redecoded->targets.size() == decoded->targets.size());
  for (std::size_t i = 0; i < decoded->targets.size(); ++i) {
    check(state::identical(decoded->targets[i], redecoded->targets[i]));
  }
  // The encoding is canonical: what decoded is byte for byte what encode writes.
  check(again == bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  decode_and_round_trip(bytes);
  // A mutation almost never keeps the checksum and total size right, so the record parser
  // behind them would go untested: decode a resealed copy too.
  if (size >= format::k_header_size + format::k_checksum_size) {
    std::string sealed(bytes);
    format::reseal(sealed);
    decode_and_round_trip(sealed);
  }
  return 0;
}
