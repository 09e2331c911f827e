// The log layout: promslog's level names, the message and each field as a key of its own, in
// logfmt and in JSON, with hostile values escaped.
#include "agent/logging/logging.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

namespace rdns::agent {
namespace {

// Captures what the default logger writes with the formatter for `format`.
class CapturedLog {
public:
  explicit CapturedLog(const std::string& format) : m_previous(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(m_out);
    auto logger = std::make_shared<spdlog::logger>("test", sink);
    logger->set_formatter(make_log_formatter(format));
    logger->set_level(spdlog::level::debug);
    spdlog::set_default_logger(logger);
  }
  ~CapturedLog() { spdlog::set_default_logger(m_previous); }
  std::string text() const { return m_out.str(); }

private:
  std::ostringstream m_out;
  std::shared_ptr<spdlog::logger> m_previous;
};

TEST(Logging, LogfmtHasFieldsAsKeysAndPromslogLevels) {
  CapturedLog log("logfmt");
  log_event(spdlog::level::warn, "resolver problems",
            {{"failed_checks", "3"}, {"example", "ip=192.0.2.1 ptr=timeout"}});
  log_event(spdlog::level::debug, "lookup failed", {{"ip", "192.0.2.1"}, {"detail", "say \"hi\"\nbye"}});
  spdlog::error("plain message");
  const std::string text = log.text();
  EXPECT_TRUE(std::regex_search(text, std::regex(R"(^ts=\S+Z level=warn msg="resolver problems" failed_checks=3 )"
                                                 R"(example="ip=192.0.2.1 ptr=timeout"\n)")))
      << text;
  EXPECT_NE(text.find("level=debug msg=\"lookup failed\" ip=192.0.2.1 detail=\"say \\\"hi\\\"\\nbye\"\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("level=error msg=\"plain message\"\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("warning"), std::string::npos) << "promslog says warn";
}

TEST(Logging, JsonHasFieldsAsMembers) {
  CapturedLog log("json");
  log_event(spdlog::level::info, "configuration reloaded", {{"targets", "18"}, {"name", "m\xc3\xa4il\x01"}});
  const std::string text = log.text();
  EXPECT_TRUE(std::regex_search(text, std::regex(R"(^\{"ts":"\S+Z","level":"info","msg":"configuration reloaded",)"
                                                 R"("targets":"18","name":"m\xc3\xa4il\\u0001"\}\n$)")))
      << text;
}

TEST(Logging, AStraySeparatorInAPlainMessageCannotBreakTheLine) {
  CapturedLog log("logfmt");
  spdlog::info("odd\x1fkey with space\x1evalue");
  const std::string text = log.text();
  EXPECT_NE(text.find("msg=odd key_with_space=value\n"), std::string::npos) << text;
}

TEST(Logging, UnknownFormatHasNoFormatter) { EXPECT_EQ(make_log_formatter("xml"), nullptr); }

}  // namespace
}  // namespace rdns::agent
