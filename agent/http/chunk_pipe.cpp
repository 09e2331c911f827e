#include "agent/http/chunk_pipe.hpp"

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace rdns::agent {
namespace {

// The bounded queue between the two threads. Buffers are recycled, so a scrape allocates a few
// chunk buffers, not one per chunk.
class ChunkQueue {
public:
  explicit ChunkQueue(std::size_t max_chunks) : m_max(max_chunks == 0 ? 1 : max_chunks) {}

  // Producer: false once the consumer closed the queue.
  bool push(std::string_view chunk) {
    std::unique_lock lock(m_mutex);
    m_space.wait(lock, [&] { return m_closed || m_full.size() < m_max; });
    if (m_closed) return false;
    std::string buffer;
    if (!m_free.empty()) {
      buffer = std::move(m_free.back());
      m_free.pop_back();
    }
    buffer.assign(chunk);
    m_full.push_back(std::move(buffer));
    m_data.notify_one();
    return true;
  }
  void finish() {
    std::lock_guard lock(m_mutex);
    m_finished = true;
    m_data.notify_one();
  }

  // Consumer: false when the producer finished and everything was taken.
  bool pop(std::string& out) {
    std::unique_lock lock(m_mutex);
    m_data.wait(lock, [&] { return m_finished || !m_full.empty(); });
    if (m_full.empty()) return false;
    if (!out.empty() || out.capacity() > 0) m_free.push_back(std::move(out));
    out = std::move(m_full.front());
    m_full.pop_front();
    m_space.notify_one();
    return true;
  }
  void close() {
    std::lock_guard lock(m_mutex);
    m_closed = true;
    m_full.clear();
    m_space.notify_one();
  }

private:
  const std::size_t m_max;
  std::mutex m_mutex;  // guards the queues and flags below (producer and consumer thread)
  std::condition_variable m_space;
  std::condition_variable m_data;
  std::deque<std::string> m_full;
  std::vector<std::string> m_free;
  bool m_finished = false;
  bool m_closed = false;
};

}  // namespace

bool run_pipelined(const Produce& produce, const std::function<bool(std::string_view chunk)>& consume,
                   std::size_t max_chunks) {
  ChunkQueue queue(max_chunks);
  std::exception_ptr failure;
  std::thread producer;
  try {
    producer = std::thread([&] {
      try {
        produce([&](std::string_view chunk) { return queue.push(chunk); });
      } catch (...) {
        failure = std::current_exception();
      }
      queue.finish();
    });
  } catch (const std::system_error&) {
    // No thread to be had (a limit reached): one stage after the other, on this thread.
    bool open = true;
    produce([&](std::string_view chunk) { return open = open && consume(chunk); });
    return open;
  }
  bool open = true;
  std::string chunk;
  while (queue.pop(chunk)) {
    if (!consume(chunk)) {
      open = false;
      queue.close();  // the producer's next push returns false; it drains quickly
      break;
    }
  }
  producer.join();
  if (failure) std::rethrow_exception(failure);
  return open;
}

}  // namespace rdns::agent
