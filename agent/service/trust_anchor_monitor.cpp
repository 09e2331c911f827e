#include "agent/service/trust_anchor_monitor.hpp"

#include <fstream>
#include <iterator>
#include <utility>

#include <spdlog/spdlog.h>

#include "agent/logging/logging.hpp"

namespace rdns::agent {

struct TrustAnchorMonitor::State {
  std::mutex mutex;
  Status status;
  const ResolverStack* probed = nullptr;  // identity only, never dereferenced
  bool in_flight = false;
  Clock::time_point next_probe{};
  Clock::time_point last_probe{};
  bool soon = false;
  bool ever_logged_valid = false;
};

namespace {

// An RFC 5011 state file changes as libunbound follows a roll: its trusted tags are re-read.
std::vector<std::uint16_t> current_tags(const checks::TrustAnchorInfo& anchors) {
  if (anchors.source != "auto") return anchors.key_tags;
  std::ifstream in(anchors.path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto tags = checks::root_anchor_key_tags(text);
  return tags.empty() ? anchors.key_tags : tags;
}

void on_answer(TrustAnchorMonitor::State& state, const checks::DnsAnswer& answer) {
  std::lock_guard lock(state.mutex);
  state.in_flight = false;
  auto& status = state.status;
  std::optional<bool> valid = status.valid;
  if (answer.status == checks::LookupStatus::bogus) {
    valid = false;
    status.detail = answer.detail;
  } else if (answer.status == checks::LookupStatus::ok) {
    // Insecure: the anchors are for other zones than the root; nothing to say about the root.
    valid = answer.secure ? std::optional<bool>(true) : std::nullopt;
    status.detail.clear();
  } else {
    return;  // servfail, timeout...: the resolver's trouble, which the lookups report
  }
  status.anchors.key_tags = current_tags(status.anchors);
  if (valid == status.valid && (state.ever_logged_valid || valid != true)) return;
  status.valid = valid;
  const auto& anchors = status.anchors;
  const std::string tags = checks::key_tags_text(anchors.key_tags);
  const std::string path = anchors.path.empty() ? "none" : anchors.path;
  if (valid == false) {
    log_event(spdlog::level::err,
              "DNSSEC trust anchors do not validate the root: every lookup is bogus and no IP gets a new "
              "verdict (the last ones are kept) until the anchors are fixed",
              {{"source", anchors.source}, {"key_tags", tags}, {"path", path}, {"detail", status.detail}});
  } else if (valid == true) {
    state.ever_logged_valid = true;
    log_event(spdlog::level::info, "DNSSEC trust anchors validate the root",
              {{"source", anchors.source}, {"key_tags", tags}, {"path", path}});
  }
}

}  // namespace

TrustAnchorMonitor::TrustAnchorMonitor() : m_state(std::make_shared<State>()) {}

void TrustAnchorMonitor::tick(Clock::time_point now, Engine& engine, std::chrono::milliseconds timeout) {
  const auto& stack = engine.resolver();  // never null
  {
    std::lock_guard lock(m_state->mutex);
    if (stack.get() != m_state->probed) {
      const auto& next = stack->trust_anchors();
      auto& status = m_state->status;
      // A new resolver with other anchors starts unknown; the same anchors keep their state, so
      // a renewal does not blink the signal.
      if (next.source != status.anchors.source || next.path != status.anchors.path) {
        status.valid.reset();
        status.detail.clear();
      }
      status.anchors = next;
      m_state->probed = stack.get();
      m_state->next_probe = now;
    }
    if (m_state->soon && now >= m_state->last_probe + k_min_probe_gap) m_state->next_probe = now;
    // Nothing to ask without a root anchor (DNSSEC off, or anchors for other zones only: the
    // test worlds' unbound.conf files): the root's keys would be asked of nobody who knows them.
    const auto& anchors = m_state->status.anchors;
    if (anchors.source.empty() || anchors.key_tags.empty() || m_state->in_flight || now < m_state->next_probe) return;
    m_state->in_flight = true;
    m_state->soon = false;
    m_state->last_probe = now;
    m_state->next_probe = now + k_probe_interval;
  }
  engine.resolve(".", checks::RrType::DNSKEY, now + timeout,
                 [state = m_state](checks::DnsAnswer answer) { on_answer(*state, answer); });
}

void TrustAnchorMonitor::probe_soon() {
  std::lock_guard lock(m_state->mutex);
  m_state->soon = true;
}

TrustAnchorMonitor::Status TrustAnchorMonitor::status() const {
  std::lock_guard lock(m_state->mutex);
  return m_state->status;
}

void TrustAnchorMonitor::emit_metrics(metrics::SampleSink& sink) const {
  using prometheus::MetricType;
  const Status status = this->status();
  if (status.anchors.source.empty()) return;  // DNSSEC off
  sink.family("rdns_resolver_trust_anchor_info",
              "Always 1: where the resolver's DNSSEC anchors come from (system: the system's root anchor "
              "file; builtin; file: trust_anchor_file; auto: RFC 5011 state under --storage.path; "
              "unbound_config_file) and the key tags of the root keys they trust, ascending.",
              MetricType::Gauge);
  const std::string tags = checks::key_tags_text(status.anchors.key_tags);
  const metrics::LabelRef labels[] = {{"source", status.anchors.source}, {"key_tags", tags}};
  sink.sample(labels, {}, 1.0);
  if (!status.valid) return;
  sink.family("rdns_resolver_trust_anchor_valid",
              "1 when the DNSSEC anchors validate the root's DNSKEY set, 0 when they do not: then every "
              "answer is bogus, a resolver problem (verdicts keep their last values). Absent while unknown.",
              MetricType::Gauge);
  sink.sample({}, {}, *status.valid ? 1.0 : 0.0);
}

}  // namespace rdns::agent
