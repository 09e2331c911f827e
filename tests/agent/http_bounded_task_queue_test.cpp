// The HTTP worker pool: runs jobs on its threads, and blocks the producer when the backlog is full.
#include "agent/http/bounded_task_queue.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

namespace rdns::agent {
namespace {

using namespace std::chrono_literals;

TEST(HttpBoundedTaskQueue, RunsEveryJobBeforeShutdownReturns) {
  std::atomic<int> done{0};
  {
    BoundedTaskQueue queue(4, 8);
    for (int i = 0; i < 100; ++i) queue.enqueue([&] { ++done; });
    queue.shutdown();
    EXPECT_EQ(done.load(), 100);
  }
  EXPECT_EQ(done.load(), 100);
}

TEST(HttpBoundedTaskQueue, EnqueueBlocksWhileTheBacklogIsFull) {
  BoundedTaskQueue queue(1, 2);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> started{0};
  queue.enqueue([&] {
    ++started;
    released.wait();
  });
  while (started.load() == 0) std::this_thread::sleep_for(1ms);
  queue.enqueue([] {});  // the backlog: 2 slots
  queue.enqueue([] {});
  std::atomic<bool> fourth_enqueued{false};
  std::thread producer([&] {
    queue.enqueue([] {});
    fourth_enqueued = true;
  });
  std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(fourth_enqueued.load());  // held back: the backlog is full
  release.set_value();
  producer.join();
  EXPECT_TRUE(fourth_enqueued.load());
  queue.shutdown();
}

}  // namespace
}  // namespace rdns::agent
