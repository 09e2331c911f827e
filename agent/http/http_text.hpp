// Small text helpers of the web server: the reason phrase of a status code, and a path as a
// literal inside an httplib route pattern (a regex). Pure functions, thread-safe.
#pragma once

#include <string>

namespace rdns::agent {

// "Not Found" for 404, ...; "Error" for a code the server never sends.
std::string reason_phrase(int status);

// `text` with every regex metacharacter escaped, so a --web.telemetry-path matches literally.
std::string regex_escape(const std::string& text);

}  // namespace rdns::agent
