// Go-style durations ("90s", "5m", "1h30m", "500ms", "1.5h"), as Prometheus configs use them.
// Pure functions; safe to call from any thread.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace rdns::config {

// Accepts the syntax of Go's time.ParseDuration: one or more decimal numbers (with an
// optional fraction) each followed by a unit: ns, us, µs, μs, ms, s, m, h. The result is
// truncated to whole milliseconds. Zero, negative, empty, unit-less and overflowing values
// are rejected (a config never wants them); the error is a short reason without the input.
[[nodiscard]] tl::expected<std::chrono::milliseconds, std::string> parse_duration(std::string_view text);

// The shortest Go-style text for `d` that parse_duration reads back to the same value:
// "5m", "1h30m", "1m30s", "1.5s", "500ms", "0s"; negative values get a leading "-".
std::string format_duration(std::chrono::milliseconds d);

}  // namespace rdns::config
