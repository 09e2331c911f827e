// A fixed pool of HTTP worker threads with a bounded backlog, for httplib::Server.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <httplib.h>

namespace rdns::agent {

// What httplib::TaskQueue::enqueue returns: void in cpp-httplib 0.11 (Debian 12), bool ("taken";
// false makes the server close the connection) in 0.18 (Debian 13). Overrides declare this type
// and end with `return enqueue_taken<TaskQueueEnqueueResult>();`.
using TaskQueueEnqueueResult = decltype(std::declval<httplib::TaskQueue&>().enqueue(std::function<void()>{}));

template <typename Result>
Result enqueue_taken() {
  if constexpr (std::is_void_v<Result>) {
    return;
  } else {
    return true;
  }
}

// httplib's own ThreadPool queues accepted connections without limit: a flood of connections
// would grow memory without bound. Here enqueue() blocks the accept loop while `max_queued`
// connections already wait, so the excess stays in the kernel's listen backlog (and is refused
// there) instead. Thread-safety: enqueue() from httplib's accept thread; shutdown() once, from it
// too (httplib does both).
class BoundedTaskQueue final : public httplib::TaskQueue {
public:
  BoundedTaskQueue(std::size_t threads, std::size_t max_queued);
  ~BoundedTaskQueue() override;

  // Blocks while the backlog is full; always takes `fn`.
  TaskQueueEnqueueResult enqueue(std::function<void()> fn) override;
  // Never blocks: false (and `fn` not taken) while the backlog is full or after shutdown.
  bool try_enqueue(std::function<void()> fn);
  void shutdown() override;  // runs what is queued, then joins the workers

private:
  void work();

  const std::size_t m_max_queued;
  std::mutex m_mutex;  // guards m_jobs and m_shutdown
  std::condition_variable m_has_job;
  std::condition_variable m_has_room;
  std::deque<std::function<void()>> m_jobs;
  bool m_shutdown = false;
  std::vector<std::thread> m_threads;
};

}  // namespace rdns::agent
