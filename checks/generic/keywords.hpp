// Word lists of the generic-name rules: pool keywords (what ISPs and clouds put in names they
// assign per address) and mail keywords (what people put in names they choose for mail hosts).
#pragma once

#include <string_view>

namespace rdns::checks::generic {

enum class KeywordStrength {
  none,
  weak,    // says little alone: "ip", "host", "static", "vps"
  medium,  // usually a pool, but also a plausible chosen name: "client", "user", "home"
  strong,  // practically only used for pools: "dyn", "dhcp", "dsl", "ppp", "cable", "cpe"
};

struct KeywordMatch {
  KeywordStrength strength = KeywordStrength::none;
  std::string_view keyword;  // the list entry that matched
  // Access-equipment tokens ("nas", "natpool", "lns", "bras"): a number right after them is
  // the port or pool id, not a server number.
  bool numbered = false;
};

// `token` is a run of lower-case letters. Long keywords also match as a prefix (a few also as a suffix)
// ("dynamicip", "athedsl"); short ones only as the whole token (so "res" never fires on
// "resqmta").
KeywordMatch pool_keyword(std::string_view token);

// Mail-host words ("mail", "mx", "smtp", "mta", "relay", "outbound", "bounce", "out", ...).
// Returns the keyword or an empty view.
std::string_view mail_keyword(std::string_view token);

}  // namespace rdns::checks::generic
