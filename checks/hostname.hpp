// Host-name text rules shared by the verdicts, the report and the exposition. Pure logic.
// Names are in DNS presentation form: odd bytes appear as `\DDD` or `\c` escapes.
// Thread-safety: pure functions, safe from any thread.
#pragma once

#include <string>
#include <string_view>

namespace rdns::checks {

// Lower-cases ASCII letters (escapes and other bytes kept as they are) and strips one trailing
// unescaped dot: "Mail.Example.COM." -> "mail.example.com". "." becomes "".
std::string normalise_hostname(std::string_view name);

// True when `name` (presentation form, trailing dot optional) is a host name receivers accept:
// labels of letters, digits and hyphens, 1..63 octets, no leading or trailing hyphen, at most
// 253 octets in all, and the last label not all-numeric (so no IP literal and no all-numeric
// name). Any backslash escape makes it invalid: an escaped byte is never a host-name character.
bool is_valid_hostname(std::string_view name);

// Case-insensitive comparison, ignoring one trailing dot on either side.
bool same_hostname(std::string_view a, std::string_view b);

}  // namespace rdns::checks
