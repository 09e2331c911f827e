// The two ends of one direct question to an authoritative name server: the query message
// (no recursion wanted, EDNS0 with a 1232-byte buffer) and the decoded reply (rcode, AA, TC,
// the answer and authority records). Pure, bounds-checked over hostile bytes like dns_wire.hpp,
// whose name decoder it uses.
//
// Thread-safety: stateless free functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "checks/dns_wire.hpp"
#include "checks/resolver.hpp"

namespace rdns::checks::zone {

inline constexpr std::uint16_t k_edns_buffer = 1232;

// The query for `name` (absolute, presentation form; \DDD and \X escapes allowed) and `type`,
// class IN, RD clear, with an OPT record. Errors for a name that is not a valid DNS name.
[[nodiscard]] tl::expected<std::vector<std::uint8_t>, std::string> encode_query(std::uint16_t id, std::string_view name, RrType type);

struct ReplyRecord {
  std::string owner;  // presentation form, trailing dot, case as sent
  std::uint16_t type = 0;
  // PTR/CNAME/NS: the name (trailing dot); SOA: "mname rname serial ..." (wire::soa_text);
  // A/AAAA: canonical address; other types: empty.
  std::string data;
  std::uint32_t serial = 0;  // SOA only
};

struct Reply {
  std::uint8_t rcode = 0;  // the header's 4 bits (no extended rcode: we never ask for more)
  bool authoritative = false;
  bool truncated = false;
  std::vector<ReplyRecord> answer;
  std::vector<ReplyRecord> authority;
};

// Decodes `message` as the reply to the query `id` for `name`/`type`: the id must match, QR be
// set and the question be the one asked (case-insensitive). Errors name what was wrong.
[[nodiscard]] tl::expected<Reply, std::string> decode_reply(wire::Bytes message, std::uint16_t id, std::string_view name,
                                              RrType type);

// Case-insensitive equality of two presentation-form names (ASCII letters only fold).
bool same_name(std::string_view a, std::string_view b);

}  // namespace rdns::checks::zone
