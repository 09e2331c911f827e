#include "agent/logging.hpp"

#include "config/text_escape.hpp"

#include <memory>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace rdns::agent {
namespace {

// %Q: the message as a logfmt value; %J: the message as a quoted JSON string. spdlog's own
// %v would let a quote or newline in a hostname corrupt the line.
class LogfmtMessageFlag final : public spdlog::custom_flag_formatter {
public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    std::string value = text::logfmt_value(std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(value.data(), value.data() + value.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<LogfmtMessageFlag>();
  }
};

class JsonMessageFlag final : public spdlog::custom_flag_formatter {
public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    std::string value = text::json_string(std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(value.data(), value.data() + value.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessageFlag>();
  }
};

}  // namespace

tl::expected<void, std::string> setup_logging(const std::string& level, const std::string& format) {
  spdlog::level::level_enum spd_level;
  if (level == "debug") spd_level = spdlog::level::debug;
  else if (level == "info") spd_level = spdlog::level::info;
  else if (level == "warn") spd_level = spdlog::level::warn;
  else if (level == "error") spd_level = spdlog::level::err;
  else return tl::make_unexpected("--log.level: expected debug, info, warn or error, got \"" + level + "\"");

  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  if (format == "logfmt") {
    formatter->add_flag<LogfmtMessageFlag>('Q').set_pattern("ts=%Y-%m-%dT%H:%M:%S.%eZ level=%l msg=%Q");
  } else if (format == "json") {
    formatter->add_flag<JsonMessageFlag>('J').set_pattern(
        R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","msg":%J})");
  } else {
    return tl::make_unexpected("--log.format: expected logfmt or json, got \"" + format + "\"");
  }
  auto logger = std::make_shared<spdlog::logger>("rdns", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_formatter(std::move(formatter));
  logger->set_level(spd_level);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
  return {};
}

}  // namespace rdns::agent
