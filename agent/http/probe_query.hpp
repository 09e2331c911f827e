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
//    IP literal or host name looks like that, and the error text never echoes such bytes back.
// Anything else is handed on as it is; whether it is an IP or a host name (and allowed) is
// decided later.
//
// Thread-safety: pure function, safe from any thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace rdns::agent {

// A host name target has at most 253 characters (255 octets on the wire); the longest IPv6 text
// is 45 bytes.
inline constexpr std::size_t k_max_probe_target_bytes = 255;

// `query`: the raw text after '?' of the request target (still percent-encoded), without '#...'.
[[nodiscard]] tl::expected<std::string, std::string> probe_target_from_query(std::string_view query);

// True when the query asks for the explanation: `debug=true` (the first `debug` field counts).
bool probe_debug_from_query(std::string_view query);

// X-Prometheus-Scrape-Timeout-Seconds ("10", "1.5"): a finite positive number of seconds, or
// nullopt for an absent, malformed, zero or negative value (the configured timeout then applies).
std::optional<double> parse_scrape_timeout_header(std::string_view value);

// The query part of a raw request target ("/probe?target=x" -> "target=x"; "" without '?').
std::string_view query_of_request_target(std::string_view request_target);

}  // namespace rdns::agent
