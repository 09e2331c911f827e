// [schedule] max_queries_per_second: a token bucket over every DNS query the agent sends
// (scheduled checks and /probe alike), so a /16 does not hammer a shared resolver.
//
// - TokenBucket: the arithmetic, on injected time (tests use a fake clock).
// - QueryRateLimiter: one per agent, shared by every engine. A query runs at once while tokens
//   last; beyond that it waits in a FIFO queue that the limiter's thread drains as tokens come.
//   A rate of 0 means no cap: queries pass straight through, no thread runs.
// - RateLimitedResolver: the Resolver decorator each Engine puts in front of its resolver.
// The scheduler also asks may_start() before starting a check, so queries rarely queue (a
// query that waits still has its check's deadline; one that outlives it ends as timeout).
//
// Thread-safety: every method of QueryRateLimiter from any thread; `send`/`cancel` callbacks
// run without the limiter's lock held.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "checks/resolver.hpp"

namespace rdns::agent {

class TokenBucket {
public:
  using Nanos = std::int64_t;
  // `rate` tokens per second, at most `burst` saved up (at least 1). Starts full.
  TokenBucket(double rate, double burst, Nanos now);
  bool try_take(Nanos now);
  // How long until a token is available (0 when one is now).
  Nanos wait_for_token(Nanos now);

private:
  void refill(Nanos now);
  double m_rate;
  double m_burst;
  double m_tokens;
  Nanos m_last;
};

class QueryRateLimiter {
public:
  explicit QueryRateLimiter(double queries_per_second = 0);
  ~QueryRateLimiter() { close(); }
  QueryRateLimiter(const QueryRateLimiter&) = delete;
  QueryRateLimiter& operator=(const QueryRateLimiter&) = delete;

  // A new rate (a reload); 0 removes the cap (queued queries are sent at once).
  void set_rate(double queries_per_second);
  // Runs `send` once a token is free: at once on the caller's thread when one is, else later on
  // the limiter's thread, in order. After close() `cancel` runs instead, on the caller's thread.
  void submit(std::function<void()> send, std::function<void()> cancel);
  // How long a new check should wait before starting (nullopt: start now).
  std::optional<std::chrono::nanoseconds> start_delay();
  // Cancels everything queued; later submissions are cancelled at once.
  void close();

private:
  struct Pending {
    std::function<void()> send;
    std::function<void()> cancel;
  };
  static TokenBucket::Nanos now_ns();
  void run();

  std::mutex m_mutex;  // guards the members below but the thread; never held while a query is sent
  std::condition_variable m_wake;
  double m_rate = 0;
  std::optional<TokenBucket> m_bucket;  // none without a cap
  std::deque<Pending> m_queue;
  bool m_closed = false;
  std::thread m_thread;  // started with the first cap
};

class RateLimitedResolver final : public checks::Resolver {
public:
  RateLimitedResolver(checks::Resolver* inner, std::shared_ptr<QueryRateLimiter> limiter)
      : m_inner(inner), m_limiter(std::move(limiter)) {}
  void resolve(std::string name, checks::RrType type, Deadline deadline, Callback done) override;

private:
  checks::Resolver* m_inner;
  std::shared_ptr<QueryRateLimiter> m_limiter;  // null: no limiting
};

}  // namespace rdns::agent
