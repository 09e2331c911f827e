#include "agent/logging/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "util/text_escape.hpp"

namespace rdns::agent {
namespace {

// log_event() hands spdlog one payload: the message, then per field a separator, the key, a
// second separator and the value. The formatters below split it again. Both separators are
// control bytes that never reach the output as themselves.
constexpr char k_field = '\x1f';
constexpr char k_value = '\x1e';

struct Parsed {
  std::string_view message;
  std::string_view fields;  // k_field key k_value value ...
};

Parsed split(const spdlog::details::log_msg& msg) {
  const std::string_view payload(msg.payload.data(), msg.payload.size());
  const auto at = payload.find(k_field);
  if (at == std::string_view::npos) return {payload, {}};
  return {payload.substr(0, at), payload.substr(at)};
}

template <typename Fn>
void for_each_field(std::string_view fields, Fn&& fn) {
  while (!fields.empty()) {
    fields.remove_prefix(1);  // k_field
    const auto next = fields.find(k_field);
    const std::string_view field = fields.substr(0, next);
    const auto sep = field.find(k_value);
    fn(field.substr(0, sep), sep == std::string_view::npos ? std::string_view() : field.substr(sep + 1));
    if (next == std::string_view::npos) break;
    fields.remove_prefix(next);
  }
}

void append(spdlog::memory_buf_t& dest, std::string_view text) { dest.append(text.data(), text.data() + text.size()); }

// Keys come from our code; still, a stray separator in a plain message must not make a key
// that breaks the line: anything but [A-Za-z0-9_.] becomes '_'.
std::string safe_key(std::string_view key) {
  std::string out(key.empty() ? "_" : key);
  for (char& c : out) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    if (!ok) c = '_';
  }
  return out;
}

// %L: the level as promslog writes it (spdlog's %l says "warning").
class LevelFlag final : public spdlog::custom_flag_formatter {
public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    switch (msg.level) {
      case spdlog::level::trace:
      case spdlog::level::debug: append(dest, "debug"); break;
      case spdlog::level::info: append(dest, "info"); break;
      case spdlog::level::warn: append(dest, "warn"); break;
      default: append(dest, "error"); break;
    }
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<LevelFlag>(); }
};

// %Q: msg=<value> key=<value>..., each a logfmt value (quoted and escaped when needed).
class LogfmtFieldsFlag final : public spdlog::custom_flag_formatter {
public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    const Parsed parsed = split(msg);
    append(dest, "msg=");
    append(dest, text::logfmt_value(parsed.message));
    for_each_field(parsed.fields, [&](std::string_view key, std::string_view value) {
      append(dest, " ");
      append(dest, safe_key(key));
      append(dest, "=");
      append(dest, text::logfmt_value(value));
    });
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<LogfmtFieldsFlag>(); }
};

// %J: "msg":"...","key":"value"... as JSON members.
class JsonFieldsFlag final : public spdlog::custom_flag_formatter {
public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    const Parsed parsed = split(msg);
    append(dest, "\"msg\":");
    append(dest, text::json_string(parsed.message));
    for_each_field(parsed.fields, [&](std::string_view key, std::string_view value) {
      append(dest, ",");
      append(dest, text::json_string(safe_key(key)));
      append(dest, ":");
      append(dest, text::json_string(value));
    });
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<JsonFieldsFlag>(); }
};

}  // namespace

std::unique_ptr<spdlog::formatter> make_log_formatter(const std::string& format) {
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  formatter->add_flag<LevelFlag>('L');
  if (format == "logfmt") {
    formatter->add_flag<LogfmtFieldsFlag>('Q').set_pattern("ts=%Y-%m-%dT%H:%M:%S.%eZ level=%L %Q");
  } else if (format == "json") {
    formatter->add_flag<JsonFieldsFlag>('J').set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%L",%J})");
  } else {
    return nullptr;
  }
  return formatter;
}

tl::expected<void, std::string> setup_logging(const std::string& level, const std::string& format) {
  spdlog::level::level_enum spd_level;
  if (level == "debug")
    spd_level = spdlog::level::debug;
  else if (level == "info")
    spd_level = spdlog::level::info;
  else if (level == "warn")
    spd_level = spdlog::level::warn;
  else if (level == "error")
    spd_level = spdlog::level::err;
  else
    return tl::make_unexpected("--log.level: expected debug, info, warn or error, got \"" + level + "\"");

  auto formatter = make_log_formatter(format);
  if (!formatter) return tl::make_unexpected("--log.format: expected logfmt or json, got \"" + format + "\"");
  auto logger = std::make_shared<spdlog::logger>("rdns", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_formatter(std::move(formatter));
  logger->set_level(spd_level);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
  return {};
}

void log_event(spdlog::level::level_enum level, std::string_view message, std::initializer_list<LogField> fields) {
  if (!spdlog::should_log(level)) return;
  std::string payload(message);
  for (const auto& field : fields) {
    payload += k_field;
    payload += field.key;
    payload += k_value;
    for (char c : field.value) payload += (c == k_field || c == k_value) ? '?' : c;
  }
  spdlog::log(level, "{}", payload);
}

}  // namespace rdns::agent
