#include "agent/service/lookup_failure_log.hpp"

#include <spdlog/spdlog.h>

#include "agent/logging/logging.hpp"

namespace rdns::agent {
namespace {

std::string describe(const checks::CheckResult& result) {
  std::string text = "ip=" + result.ip + " ptr=" + std::string(checks::to_string(result.ptr_status));
  if (result.forward_status) text += " forward=" + std::string(checks::to_string(*result.forward_status));
  if (!result.ptr_detail.empty()) text += " detail=" + result.ptr_detail;
  return text;
}

}  // namespace

bool had_lookup_failure(const checks::CheckResult& result) {
  return !checks::is_definitive(result.ptr_status) ||
         (result.forward_status && !checks::is_definitive(*result.forward_status));
}

void LookupFailureLog::note(const checks::CheckResult& result, Clock::time_point now) {
  const std::string description = describe(result);
  log_event(spdlog::level::debug, "lookup failed",
            {{"ip", result.ip},
             {"ptr", std::string(checks::to_string(result.ptr_status))},
             {"forward", result.forward_status ? std::string(checks::to_string(*result.forward_status)) : ""},
             {"detail", result.ptr_detail}});
  std::lock_guard lock(m_mutex);
  ++m_failures;
  if (m_example.empty()) m_example = description;
  const auto elapsed = now - m_window_start;
  if (m_failures == 1 || elapsed >= m_window) {
    log_event(
        spdlog::level::warn,
        "resolver problems: checks with a failed lookup decide no verdict (the last decisive verdicts "
        "stay); they are retried with backoff",
        {{"failed_checks", std::to_string(m_failures)},
         {"since_seconds", std::to_string(static_cast<long long>(std::chrono::duration<double>(elapsed).count()))},
         {"example", m_example}});
    if (m_failures > 1 || elapsed >= m_window) {
      m_window_start = now;
      m_failures = 0;
      m_example.clear();
    }
  }
}

}  // namespace rdns::agent
