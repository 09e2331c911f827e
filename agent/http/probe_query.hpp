// The /probe request's query string -> the target to check. Pure, so it can be unit-tested and
// fuzzed apart from the HTTP server.
//
// The query is application/x-www-form-urlencoded: fields separated by '&', a field's name and
// value by its first '=', '+' stands for a space and %HH for the byte HH. The first field named
// `target` counts (as the blackbox exporter's r.URL.Query().Get does); later ones are ignored.
// Refused, with the one-line reason a 400 response carries:
//  - no `target`, or an empty one;
//  - a malformed %-escape in the target's value ("%zz", a '%' near the end);
//  - a target over k_max_probe_target_bytes or with a byte outside printable ASCII: no IP
//    literal looks like that, and the error text never echoes such bytes back.
// Anything else is handed on as it is; whether it is an IP (and an allowed one) is decided later.
//
// Thread-safety: pure function, safe from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace rdns::agent {

// The longest IPv6 text ("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255") is 45 bytes; leave room
// for forms the IP parser rejects with a better message than "too long".
inline constexpr std::size_t k_max_probe_target_bytes = 100;

// `query`: the raw text after '?' of the request target (still percent-encoded), without '#...'.
[[nodiscard]] tl::expected<std::string, std::string> probe_target_from_query(std::string_view query);

// The query part of a raw request target ("/probe?target=x" -> "target=x"; "" without '?').
std::string_view query_of_request_target(std::string_view request_target);

}  // namespace rdns::agent
