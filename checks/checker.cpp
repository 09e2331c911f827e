#include "checks/checker.hpp"

#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "checks/hostname.hpp"
#include "checks/reverse_name.hpp"
#include "checks/zone/zone_surveyor.hpp"

namespace rdns::checks {
namespace {

using Clock = std::chrono::steady_clock;

// Walking up from a reverse name can take at most 34 steps (ip6.arpa); bound it anyway.
constexpr int k_max_soa_steps = 40;

// "a.b.c." -> "b.c."; "" when nothing is left but the root. Escaped dots are not separators.
std::string parent_name(std::string_view name) {
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '\\') {
      ++i;
      continue;
    }
    if (name[i] == '.') {
      std::string rest(name.substr(i + 1));
      return rest.empty() || rest == "." ? std::string() : rest;
    }
  }
  return {};
}

std::string absolute(std::string_view name) {
  std::string out = normalise_hostname(name);
  return out + ".";
}

// One check in flight. Shared by every callback of that check; all state behind `mutex`.
// Callbacks may come on any thread and even synchronously from inside resolve(), so the mutex
// is never held while calling the resolver or `done`.
class CheckRun : public std::enable_shared_from_this<CheckRun> {
public:
  CheckRun(Resolver& resolver, ClassifyFn classify, zone::ZoneSurveyor* surveyor, CheckRequest request,
           Checker::Done done)
      : m_resolver(resolver),
        m_classify(std::move(classify)),
        m_surveyor(surveyor),
        m_request(std::move(request)),
        m_done(std::move(done)) {}

  void start() {
    m_started = Clock::now();
    m_checked_at = std::chrono::system_clock::now();
    m_deadline = m_started + m_request.timeout;
    auto parsed = parse_ip(m_request.ip);
    if (!parsed) {
      CheckResult result;
      result.ip = m_request.ip;
      result.ptr_status = LookupStatus::error;
      result.ptr_detail = parsed.error();
      finish(std::move(result));
      return;
    }
    m_request.ip = parsed->canonical;
    m_forward_type = parsed->family == IpFamily::v4 ? RrType::A : RrType::AAAA;
    m_reverse_name = *reverse_name(m_request.ip);
    const bool want_helo = !normalise_hostname(m_request.helo_hostname).empty();
    {
      std::lock_guard lock(m_mutex);
      m_pending = want_helo ? 2 : 1;  // counted before issuing: a callback may come at once
    }
    auto self = shared_from_this();
    m_resolver.resolve(m_reverse_name, RrType::PTR, m_deadline,
                       [self](DnsAnswer answer) { self->guarded([&] { self->on_ptr(std::move(answer)); }); });
    if (want_helo) {
      m_resolver.resolve(absolute(m_request.helo_hostname), m_forward_type, m_deadline,
                         [self](DnsAnswer answer) { self->guarded([&] { self->on_helo(std::move(answer)); }); });
    }
  }

private:
  void on_ptr(DnsAnswer answer) {
    std::vector<std::string> to_lookup;
    // The servers of the reverse zone are asked only about a definitive answer: a resolver
    // problem says nothing about them.
    const bool survey = m_surveyor != nullptr && is_definitive(answer.status);
    const std::string canonical = answer.canonical_name;
    {
      std::lock_guard lock(m_mutex);
      if (survey) ++m_pending;
      std::vector<std::string> names = ptr_names(answer);
      if (names.size() > k_max_forward_names) names.resize(k_max_forward_names);
      m_seen.ptr = std::move(answer);
      for (const std::string& name : names) m_seen.forward.emplace_back(name, DnsAnswer{});
      to_lookup = std::move(names);
      m_pending += static_cast<int>(to_lookup.size());
    }
    auto self = shared_from_this();
    for (std::size_t i = 0; i < to_lookup.size(); ++i) {
      m_resolver.resolve(absolute(to_lookup[i]), m_forward_type, m_deadline, [self, i](DnsAnswer answer) {
        self->guarded([&] { self->on_forward(i, std::move(answer)); });
      });
    }
    if (survey) {
      m_surveyor->check(m_reverse_name, canonical, m_deadline, m_request.zone_max_age,
                        [self](std::shared_ptr<const PtrConsistency> consistency) {
                          self->guarded([&] { self->on_consistency(std::move(consistency)); });
                        });
    }
    lookup_done();
  }

  void on_consistency(std::shared_ptr<const PtrConsistency> consistency) {
    {
      std::lock_guard lock(m_mutex);
      m_consistency = std::move(consistency);
    }
    lookup_done();
  }

  void on_forward(std::size_t index, DnsAnswer answer) {
    {
      std::lock_guard lock(m_mutex);
      m_seen.forward[index].second = std::move(answer);
    }
    lookup_done();
  }

  void on_helo(DnsAnswer answer) {
    {
      std::lock_guard lock(m_mutex);
      m_seen.helo = std::move(answer);
    }
    lookup_done();
  }

  // One lookup of the PTR/forward/HELO stage finished; the last one moves on.
  void lookup_done() {
    std::optional<std::string> reverse_soa_name;
    std::optional<std::string> forward_soa_name;
    {
      std::lock_guard lock(m_mutex);
      if (--m_pending > 0) return;
      m_result = evaluate(m_request, m_reverse_name, m_seen, m_classify);
      m_result.ptr_consistency = m_consistency;
      if (m_request.want_soa && m_result.success == false && Clock::now() < m_deadline) {
        if (!m_result.reverse_zone_soa) {
          reverse_soa_name = m_seen.ptr.canonical_name.empty() ? m_reverse_name : absolute(m_seen.ptr.canonical_name);
        }
        if (auto name = forward_zone_name(); !name.empty()) forward_soa_name = absolute(name);
      }
      m_pending = (reverse_soa_name ? 1 : 0) + (forward_soa_name ? 1 : 0);
      if (m_pending == 0) m_finish_now = true;
    }
    if (reverse_soa_name) find_soa(*reverse_soa_name, /*reverse=*/true, 0);
    if (forward_soa_name) find_soa(*forward_soa_name, /*reverse=*/false, 0);
    maybe_finish();
  }

  // Whose forward zone to name in the remediation: the first PTR name's, or the name the PTR
  // should point to. Only when a forward record is part of the fix.
  std::string forward_zone_name() const {
    const bool forward_fix = m_result.fcrdns_pass == false || m_result.helo_match == false;
    if (!forward_fix) return {};
    if (!m_result.ptr_hostnames.empty()) return m_result.ptr_hostnames.front();
    if (!m_result.expected_hostname.empty()) return m_result.expected_hostname;
    return m_result.helo_hostname;
  }

  void find_soa(std::string name, bool reverse, int step) {
    auto self = shared_from_this();
    if (reverse && m_surveyor != nullptr) {
      // The zone cut the survey shares between the zone's IPs: one lookup per zone, not per IP.
      m_surveyor->find_zone(name, m_deadline, m_request.zone_max_age, [self](zone::ZoneCut cut) {
        self->guarded([&] { self->on_reverse_zone(std::move(cut)); });
      });
      return;
    }
    m_resolver.resolve(name, RrType::SOA, m_deadline, [self, name, reverse, step](DnsAnswer answer) {
      self->guarded([&] { self->on_soa(name, reverse, step, std::move(answer)); });
    });
  }

  void on_soa(const std::string& name, bool reverse, int step, DnsAnswer answer) {
    std::optional<SoaInfo> soa = soa_from_answer(name, answer);
    std::string parent;
    if (!soa && is_definitive(answer.status) && step + 1 < k_max_soa_steps) {
      // No SOA said: try the parent, from where a CNAME led if it did.
      parent = parent_name(answer.canonical_name.empty() ? name : absolute(answer.canonical_name));
    }
    if (!parent.empty() && Clock::now() < m_deadline) {
      find_soa(parent, reverse, step + 1);
      return;
    }
    {
      std::lock_guard lock(m_mutex);
      if (soa) (reverse ? m_result.reverse_zone_soa : m_result.forward_zone_soa) = soa;
      if (--m_pending == 0) m_finish_now = true;
    }
    maybe_finish();
  }

  void on_reverse_zone(zone::ZoneCut cut) {
    {
      std::lock_guard lock(m_mutex);
      if (cut.soa) m_result.reverse_zone_soa = std::move(cut.soa);
      if (--m_pending == 0) m_finish_now = true;
    }
    maybe_finish();
  }

  // Runs one resolver callback's work. An exception from it (the classifier, evaluate(), an
  // allocation) would otherwise leave the check unfinished for ever, and whoever counts checks
  // in flight waiting: the check completes now as an error naming it, then the exception goes
  // on to the resolver, which reports it. An exception from `done` itself (the check already
  // finished) only goes on.
  template <typename Body>
  void guarded(Body&& body) {
    try {
      body();
    } catch (const std::exception& e) {
      fail(e.what());
      throw;
    } catch (...) {
      fail("unknown exception");
      throw;
    }
  }

  void fail(const std::string& what) {
    {
      std::lock_guard lock(m_mutex);
      if (m_finished) return;
      m_finished = true;
    }
    CheckResult result;
    result.ip = m_request.ip;
    result.ptr_status = LookupStatus::error;
    result.ptr_detail = "internal error while checking: " + what;
    finish(std::move(result));
  }

  void maybe_finish() {
    CheckResult result;
    {
      std::lock_guard lock(m_mutex);
      if (!m_finish_now || m_finished) return;
      m_finished = true;
      result = std::move(m_result);
    }
    finish(std::move(result));
  }

  void finish(CheckResult result) {
    result.duration = Clock::now() - m_started;
    result.checked_at = m_checked_at;
    Checker::Done done = std::move(m_done);  // only ever reached once
    done(std::move(result));
  }

  Resolver& m_resolver;
  const ClassifyFn m_classify;
  zone::ZoneSurveyor* const m_surveyor;
  CheckRequest m_request;
  Checker::Done m_done;
  RrType m_forward_type = RrType::A;
  std::string m_reverse_name;
  Clock::time_point m_started;
  Clock::time_point m_deadline;
  std::chrono::system_clock::time_point m_checked_at;

  std::mutex m_mutex;  // guards everything below
  Observations m_seen;
  std::shared_ptr<const PtrConsistency> m_consistency;
  CheckResult m_result;
  int m_pending = 0;
  bool m_finish_now = false;
  bool m_finished = false;
};

}  // namespace

Checker::Checker(Resolver& resolver, ClassifyFn classify) : m_resolver(resolver), m_classify(std::move(classify)) {}

void Checker::start(CheckRequest request, Done done) const {
  auto run = std::make_shared<CheckRun>(m_resolver, m_classify, m_surveyor, std::move(request), std::move(done));
  run->start();
}

CheckResult run_check(const Checker& checker, CheckRequest request) {
  struct Waiter {
    std::mutex mutex;  // guards result
    std::condition_variable ready;
    std::optional<CheckResult> result;
  };
  auto waiter = std::make_shared<Waiter>();  // outlives us if `done` ran late (it cannot, but)
  checker.start(std::move(request), [waiter](CheckResult result) {
    std::lock_guard lock(waiter->mutex);
    waiter->result = std::move(result);
    waiter->ready.notify_all();
  });
  std::unique_lock lock(waiter->mutex);
  waiter->ready.wait(lock, [&] { return waiter->result.has_value(); });
  return std::move(*waiter->result);
}

}  // namespace rdns::checks
