// Blocking helpers over the asynchronous Resolver, for tests only.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <future>
#include <mutex>
#include <string>
#include <vector>

#include "checks/resolver.hpp"

namespace rdns::testing {

// "servfail (all servers failed)": a status with its detail, for assertion messages.
inline std::string status_text(const checks::DnsAnswer& answer) {
  return std::string(checks::to_string(answer.status)) + (answer.detail.empty() ? "" : " (" + answer.detail + ")");
}

inline checks::DnsAnswer resolve_sync(checks::Resolver& resolver, const std::string& name, checks::RrType type,
                                      std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  std::promise<checks::DnsAnswer> promise;
  auto future = promise.get_future();
  resolver.resolve(name, type, std::chrono::steady_clock::now() + timeout,
                   [&promise](checks::DnsAnswer answer) { promise.set_value(std::move(answer)); });
  return future.get();
}

// Sends every query at once and waits for all answers (in query order).
struct Query {
  std::string name;
  checks::RrType type;
};
inline std::vector<checks::DnsAnswer> resolve_all(checks::Resolver& resolver, const std::vector<Query>& queries,
                                                  std::chrono::milliseconds timeout) {
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<checks::DnsAnswer> answers(queries.size());
  std::size_t left = queries.size();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (std::size_t i = 0; i < queries.size(); ++i) {
    resolver.resolve(queries[i].name, queries[i].type, deadline, [&, i](checks::DnsAnswer answer) {
      std::lock_guard lock(mutex);
      answers[i] = std::move(answer);
      if (--left == 0) {
        cv.notify_all();
      }
    });
  }
  std::unique_lock lock(mutex);
  cv.wait(lock, [&] { return left == 0; });
  return answers;
}

}  // namespace rdns::testing
