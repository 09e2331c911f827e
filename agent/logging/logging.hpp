// spdlog set-up: logfmt (default) or JSON lines on stderr, level from --log.level, in the
// layout of Prometheus' own exporters (promslog): ts, level (debug|info|warn|error), msg, then
// each field as a key of its own, so Loki, promslog and jq can extract them.
//
// Log a message with fields through log_event(); plain spdlog calls still work (no fields).
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

#include <spdlog/common.h>
#include <spdlog/formatter.h>
#include <tl/expected.hpp>

namespace rdns::agent {

// level: debug|info|warn|error; format: logfmt|json. Returns an error naming the bad value.
[[nodiscard]] tl::expected<void, std::string> setup_logging(const std::string& level, const std::string& format);

// The formatter setup_logging() installs for `format` ("logfmt" or "json"); null for others.
std::unique_ptr<spdlog::formatter> make_log_formatter(const std::string& format);

struct LogField {
  std::string_view key;  // a plain identifier such as "ip" (never user input)
  std::string value;
};

// `message` with `fields` as top-level keys: logfmt `msg="lookup failed" ip=192.0.2.1`, JSON
// `"msg":"lookup failed","ip":"192.0.2.1"`.
void log_event(spdlog::level::level_enum level, std::string_view message, std::initializer_list<LogField> fields);

}  // namespace rdns::agent
