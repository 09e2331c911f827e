// Times as text for people and scripts.
#pragma once

#include <chrono>
#include <ctime>
#include <string>

namespace rdns::util {

// "2026-12-05T23:38:00Z": RFC 3339 in UTC, whole seconds (the JSON of `check` and of
// /api/v1/targets).
inline std::string rfc3339_utc(std::chrono::system_clock::time_point when) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

}  // namespace rdns::util
