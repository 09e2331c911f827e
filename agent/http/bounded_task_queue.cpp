#include "agent/http/bounded_task_queue.hpp"

namespace rdns::agent {

BoundedTaskQueue::BoundedTaskQueue(std::size_t threads, std::size_t max_queued) : m_max_queued(max_queued) {
  m_threads.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) m_threads.emplace_back([this] { work(); });
}

BoundedTaskQueue::~BoundedTaskQueue() { shutdown(); }

TaskQueueEnqueueResult BoundedTaskQueue::enqueue(std::function<void()> fn) {
  std::unique_lock lock(m_mutex);
  m_has_room.wait(lock, [this] { return m_jobs.size() < m_max_queued || m_shutdown; });
  m_jobs.push_back(std::move(fn));
  lock.unlock();
  m_has_job.notify_one();
  return enqueue_taken<TaskQueueEnqueueResult>();
}

bool BoundedTaskQueue::try_enqueue(std::function<void()> fn) {
  {
    std::lock_guard lock(m_mutex);
    if (m_shutdown || m_jobs.size() >= m_max_queued) return false;
    m_jobs.push_back(std::move(fn));
  }
  m_has_job.notify_one();
  return true;
}

void BoundedTaskQueue::shutdown() {
  {
    std::lock_guard lock(m_mutex);
    m_shutdown = true;
  }
  m_has_job.notify_all();
  m_has_room.notify_all();
  for (auto& thread : m_threads) {
    if (thread.joinable()) thread.join();
  }
}

void BoundedTaskQueue::work() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(m_mutex);
      m_has_job.wait(lock, [this] { return !m_jobs.empty() || m_shutdown; });
      if (m_jobs.empty()) return;  // shut down and drained
      job = std::move(m_jobs.front());
      m_jobs.pop_front();
    }
    m_has_room.notify_one();
    job();
  }
}

}  // namespace rdns::agent
