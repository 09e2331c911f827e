// One JSON string encoder for everything the agent writes as JSON (check/classify reports,
// JSON logs). Output is plain ASCII: bytes outside printable ASCII become \u00XX, so a hostile
// PTR name or invalid UTF-8 can never make the document invalid.
#pragma once

#include <string>
#include <string_view>

namespace rdns::agent {

// `text` as a quoted JSON string.
std::string json_string(std::string_view text);

}  // namespace rdns::agent
