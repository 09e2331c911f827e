// Pure DNS wire-format decoding: names in rdata and messages, SOA rdata, the SOA of a negative
// answer's authority section. No libunbound here, so it can be unit-tested and fuzzed with
// hostile bytes: every function is bounds-checked, never reads outside the span it is given,
// and terminates on any input (compression pointers must point strictly backwards).
//
// Thread-safety: stateless free functions, safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "checks/resolver.hpp"

namespace rdns::checks::wire {

using Bytes = std::span<const std::uint8_t>;

inline constexpr std::size_t k_max_name_octets = 255;  // RFC 1035 2.3.4, incl. the root label
inline constexpr std::size_t k_max_label_octets = 63;
// A name has at most 127 labels, so no encoder needs more pointers than that for one name.
// Without a cap a crafted 64 KiB message could make every one of its records follow a chain of
// ~16,000 pointers (tens of millions of steps for one answer).
inline constexpr std::size_t k_max_compression_pointers = 128;

// Appends one label's bytes in DNS presentation form: letters, digits, '-', '_' and other
// printable ASCII as they are; '.', '"', '\\', '(', ')', ';', '@', '$' as "\X"; anything else
// (space, control, >= 0x7f) as "\DDD" (decimal), e.g. a space becomes "\032".
void append_escaped_label(std::string& out, Bytes label);

// The name that is exactly the whole of `rdata` (PTR, CNAME, NS rdata as libunbound gives it:
// uncompressed), in presentation form with the trailing dot ("." for the root).
// Rejects truncation, trailing bytes, labels over 63, names over 255 octets, compression
// pointers and the reserved label types.
[[nodiscard]] tl::expected<std::string, std::string> decode_name(Bytes rdata);

struct DecodedName {
  std::string name;      // presentation form, trailing dot
  std::size_t next = 0;  // offset just after the name's bytes at `offset` (pointer included)
};

// The name at `offset` in `message`, following compression pointers when `allow_compression`
// (each strictly backwards, at most k_max_compression_pointers of them).
[[nodiscard]] tl::expected<DecodedName, std::string> decode_name_at(Bytes message, std::size_t offset,
                                                                    bool allow_compression);

struct Soa {
  std::string mname;  // presentation form, trailing dot
  std::string rname;  // presentation form, trailing dot
  std::uint32_t serial = 0, refresh = 0, retry = 0, expire = 0, minimum = 0;

  bool operator==(const Soa&) const = default;
};

// SOA rdata as libunbound gives it (uncompressed names), exactly filling `rdata`.
[[nodiscard]] tl::expected<Soa, std::string> decode_soa_rdata(Bytes rdata);

// "mname rname serial refresh retry expire minimum", the DnsAnswer::records form of an SOA.
std::string soa_text(const Soa& soa);

// "hostmaster.example.net." -> "hostmaster@example.net"; the first unescaped dot separates the
// mailbox ("john\.doe.example.net." -> "john.doe@example.net"). Empty for the root.
std::string rname_to_mail(std::string_view rname);

// The name without its trailing dot ("example.net." -> "example.net", "." -> ".").
std::string without_trailing_dot(std::string_view name);

// The first SOA (class IN) in the authority section of a whole DNS message, as who controls the
// zone: owner -> zone, MNAME -> primary_ns, RNAME -> responsible (all without trailing dot).
// nullopt when there is none or the message is malformed.
std::optional<SoaInfo> find_authority_soa(Bytes message);

// Canonical text of A (4 bytes) / AAAA (16 bytes) rdata (inet_ntop: "2001:db8::1").
[[nodiscard]] tl::expected<std::string, std::string> decode_address(Bytes rdata, RrType type);

// TXT rdata: its character-strings (each a length octet and that many bytes) concatenated, bytes
// as they are. Rejects empty rdata and a string that runs past the end.
[[nodiscard]] tl::expected<std::string, std::string> decode_txt(Bytes rdata);

// MX rdata (uncompressed exchange name): "preference exchange.", e.g. "10 mail.example.net.".
[[nodiscard]] tl::expected<std::string, std::string> decode_mx(Bytes rdata);

}  // namespace rdns::checks::wire
