// Checks of single config values, free of TOML: each returns the normalised value or a short
// reason (without the key or position; the loader adds those). Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "util/text_escape.hpp"

namespace rdns::config {

// A host name as a mail server would use it: letters, digits and hyphens; labels of 1..63
// octets not starting or ending with a hyphen; at most 253 octets; at least two labels; the
// last label not all-numeric (that is an IP address). Returns it in lower case without one
// trailing dot.
[[nodiscard]] tl::expected<std::string, std::string> normalize_hostname(std::string_view name);

// A domain name as DNS publishes SPF records under: the host-name rules, but underscores are
// allowed ("_spf.example.com"). Lower case, without one trailing dot.
[[nodiscard]] tl::expected<std::string, std::string> normalize_domain_name(std::string_view name);

// A Prometheus label name we can add to our series: [a-zA-Z_][a-zA-Z0-9_]*, not starting with
// "__", and none of the names our metrics already use (k_reserved_label_names).
[[nodiscard]] tl::expected<void, std::string> check_label_name(std::string_view name);
extern const std::vector<std::string_view> k_reserved_label_names;

// A regex RE2 compiles (RE2 syntax, case-insensitive, as the generic-name classifier uses it),
// at most 1024 characters and within RE2's 1 MiB memory budget. The error is RE2's text, on one
// line, with a hint where RE2 differs from PCRE (no backreferences, no lookaround).
[[nodiscard]] tl::expected<void, std::string> check_regex(std::string_view pattern);

// "addr" or "addr@port" with an IP literal and a port 1..65535; returns "canonical-addr" or
// "canonical-addr@port".
[[nodiscard]] tl::expected<std::string, std::string> normalize_forwarder(std::string_view text);

// The candidate closest to `word` by edit distance when it is a plausible typo, else "".
std::string suggest(std::string_view word, const std::vector<std::string_view>& candidates);

// quote() is one of the shared text escapers (config/text_escape.hpp).
using text::quote;

// A path segment for a key: bare when it is a TOML bare key, else quoted.
std::string key_segment(std::string_view key);

}  // namespace rdns::config
