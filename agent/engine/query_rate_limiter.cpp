#include "agent/engine/query_rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace rdns::agent {

using namespace std::chrono;

TokenBucket::TokenBucket(double rate, double burst, Nanos now)
    : m_rate(rate), m_burst(std::max(burst, 1.0)), m_tokens(m_burst), m_last(now) {}

void TokenBucket::refill(Nanos now) {
  if (now <= m_last) return;
  m_tokens = std::min(m_burst, m_tokens + static_cast<double>(now - m_last) * 1e-9 * m_rate);
  m_last = now;
}

bool TokenBucket::try_take(Nanos now) {
  refill(now);
  if (m_tokens < 1) return false;
  m_tokens -= 1;
  return true;
}

TokenBucket::Nanos TokenBucket::wait_for_token(Nanos now) {
  refill(now);
  if (m_tokens >= 1) return 0;
  return static_cast<Nanos>(std::ceil((1 - m_tokens) / m_rate * 1e9));
}

TokenBucket::Nanos QueryRateLimiter::now_ns() {
  return duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count();
}

QueryRateLimiter::QueryRateLimiter(double queries_per_second) { set_rate(queries_per_second); }

void QueryRateLimiter::set_rate(double queries_per_second) {
  std::deque<Pending> release;
  {
    std::lock_guard lock(m_mutex);
    if (m_closed || queries_per_second == m_rate) return;
    m_rate = queries_per_second;
    if (m_rate <= 0) {
      m_bucket.reset();
      release.swap(m_queue);
    } else {
      // A burst of one second's worth (at least one query) smooths the start without a spike.
      m_bucket.emplace(m_rate, m_rate, now_ns());
      if (!m_thread.joinable()) m_thread = std::thread([this] { run(); });
    }
  }
  m_wake.notify_all();
  for (auto& pending : release) pending.send();
}

void QueryRateLimiter::submit(std::function<void()> send, std::function<void()> cancel) {
  bool closed = false;
  {
    std::lock_guard lock(m_mutex);
    closed = m_closed;
    // Queued queries keep their order: a new one may only skip the queue when it is empty.
    const bool now = closed || !m_bucket || (m_queue.empty() && m_bucket->try_take(now_ns()));
    if (!now) {
      m_queue.push_back(Pending{std::move(send), std::move(cancel)});
      m_wake.notify_all();
      return;
    }
  }
  if (closed) {
    cancel();
  } else {
    send();
  }
}

std::optional<nanoseconds> QueryRateLimiter::start_delay() {
  std::lock_guard lock(m_mutex);
  if (!m_bucket) return std::nullopt;
  const auto wait = m_bucket->wait_for_token(now_ns());
  // Queued queries come first: wait for the queue to drain as well.
  const auto queued = static_cast<TokenBucket::Nanos>(static_cast<double>(m_queue.size()) / m_rate * 1e9);
  if (wait == 0 && queued == 0) return std::nullopt;
  return nanoseconds(std::max(wait, queued));
}

void QueryRateLimiter::close() {
  std::deque<Pending> cancelled;
  {
    std::lock_guard lock(m_mutex);
    m_closed = true;
    cancelled.swap(m_queue);
  }
  m_wake.notify_all();
  if (m_thread.joinable() && m_thread.get_id() != std::this_thread::get_id()) m_thread.join();
  for (auto& pending : cancelled) pending.cancel();
}

void QueryRateLimiter::run() {
  std::unique_lock lock(m_mutex);
  while (!m_closed) {
    if (m_queue.empty() || !m_bucket) {
      m_wake.wait(lock);
      continue;
    }
    const auto wait = m_bucket->wait_for_token(now_ns());
    if (wait > 0) {
      m_wake.wait_for(lock, nanoseconds(wait));
      continue;
    }
    if (!m_bucket->try_take(now_ns())) continue;
    Pending next = std::move(m_queue.front());
    m_queue.pop_front();
    lock.unlock();
    next.send();
    lock.lock();
  }
}

void RateLimitedResolver::resolve(std::string name, checks::RrType type, Deadline deadline, Callback done) {
  if (!m_limiter) {
    m_inner->resolve(std::move(name), type, deadline, std::move(done));
    return;
  }
  // One owner of the callback for whichever of send/cancel runs.
  struct Query {
    std::string name;
    checks::RrType type;
    Deadline deadline;
    Callback done;
  };
  auto query = std::make_shared<Query>(Query{std::move(name), type, deadline, std::move(done)});
  checks::Resolver* inner = m_inner;
  m_limiter->submit(
      [query, inner] { inner->resolve(std::move(query->name), query->type, query->deadline, std::move(query->done)); },
      [query] {
        checks::DnsAnswer answer;
        answer.status = checks::LookupStatus::error;
        answer.detail = "resolver shutting down";
        query->done(std::move(answer));
      });
}

}  // namespace rdns::agent
