#include "agent/probe_handler.hpp"

#include <condition_variable>
#include <memory>
#include <optional>

#include "agent/metrics/exposition_writer.hpp"
#include "agent/metrics/target_families.hpp"
#include "agent/target_record.hpp"
#include "config/ip_network.hpp"

namespace rdns::agent {
namespace {

using namespace std::chrono;

ProbeResponse text_response(int status, std::string body) {
  return ProbeResponse{status, "text/plain; charset=utf-8", std::move(body)};
}

// Releases a probe slot however handle() returns.
struct SlotGuard {
  std::atomic<std::size_t>& count;
  ~SlotGuard() { --count; }
};

}  // namespace

void ProbeHandler::set_policy(ProbeAllowList allow, milliseconds timeout) {
  std::lock_guard lock(m_mutex);
  m_allow = std::move(allow);
  m_timeout = timeout;
}

ProbeResponse ProbeHandler::handle(const std::string& target) {
  auto canonical = config::canonical_ip(target);
  if (!canonical) {
    return text_response(400,
                         "target \"" + target + "\": " + canonical.error() + " (only IP addresses are accepted)\n");
  }
  checks::CheckRequest request;
  request.ip = *canonical;
  {
    std::lock_guard lock(m_mutex);
    if (!m_allow.allows(*canonical)) {
      return text_response(403, "target " + *canonical + " is outside [probe] allow_cidrs\n");
    }
    request.timeout = m_timeout;
  }
  if (m_stopping) return text_response(503, "shutting down\n");
  if (m_in_flight.fetch_add(1) >= m_max) {
    --m_in_flight;
    return text_response(503, "too many probes in flight, retry later\n");
  }
  SlotGuard slot{m_in_flight};

  struct Waiter {
    std::mutex mutex;  // guards result
    std::condition_variable cv;
    std::optional<checks::CheckResult> result;
  };
  auto waiter = std::make_shared<Waiter>();
  std::shared_ptr<Engine> engine = m_engines.current();
  const auto started = steady_clock::now();
  if (engine) {
    engine->start_check(request, [waiter](checks::CheckResult result) {
      std::lock_guard lock(waiter->mutex);
      waiter->result = std::move(result);
      waiter->cv.notify_all();
    });
  }
  std::optional<checks::CheckResult> result;
  {
    std::unique_lock lock(waiter->mutex);
    // The check has its own deadline; the margin only covers a resolver that never answers.
    const auto give_up = started + request.timeout + seconds(2);
    while (!waiter->result && !m_stopping && engine && steady_clock::now() < give_up) {
      waiter->cv.wait_for(lock, milliseconds(100));
    }
    result = std::move(waiter->result);
  }
  engine.reset();
  if (!result) return text_response(503, "probe cancelled\n");
  const double elapsed = duration<double>(steady_clock::now() - started).count();

  // Blackbox style: a fresh set of families for this one probe.
  metrics::TextSink sink;
  sink.family("probe_success", "1 when every enabled check of the target definitively passed, else 0.",
              prometheus::MetricType::Gauge);
  sink.sample({}, {}, result->success == true ? 1.0 : 0.0);
  sink.family("probe_duration_seconds", "How long the probe took.", prometheus::MetricType::Gauge);
  sink.sample({}, {}, elapsed);
  const TargetRecord record = make_record(*result);
  const metrics::TargetRow row{*canonical, *canonical, nullptr, &record, std::nullopt};
  metrics::emit_target_families({&row, 1}, sink);
  sink.finish();
  return ProbeResponse{200, "text/plain; version=0.0.4; charset=utf-8", sink.text()};
}

}  // namespace rdns::agent
