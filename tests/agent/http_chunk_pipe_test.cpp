// run_pipelined: the rendering thread and the sending thread of a gzip scrape. Order, a client
// that leaves, a renderer that throws, and bounded memory.
#include "agent/http/chunk_pipe.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>

namespace rdns::agent {
namespace {

TEST(ChunkPipe, EveryChunkArrivesInOrderOnTheCallingThread) {
  const auto caller = std::this_thread::get_id();
  std::atomic<bool> produced_elsewhere{false};
  std::string sent, received;
  const bool ok = run_pipelined(
      [&](const std::function<bool(std::string_view)>& write) {
        produced_elsewhere = std::this_thread::get_id() != caller;
        std::string chunk;
        for (int i = 0; i < 5000; ++i) {
          chunk = "chunk " + std::to_string(i) + std::string(static_cast<std::size_t>(i % 97), 'x') + "\n";
          sent += chunk;
          ASSERT_TRUE(write(chunk));
          chunk.assign(chunk.size(), '#');  // the producer reuses its buffer at once
        }
      },
      [&](std::string_view chunk) {
        EXPECT_EQ(std::this_thread::get_id(), caller);
        received += chunk;
        return true;
      },
      2);
  EXPECT_TRUE(ok);
  EXPECT_TRUE(produced_elsewhere);
  EXPECT_EQ(received, sent);
}

TEST(ChunkPipe, AClientThatLeavesStopsTheRenderer) {
  std::atomic<int> refused{0}, after_refusal{0};
  int consumed = 0;
  const bool ok = run_pipelined(
      [&](const std::function<bool(std::string_view)>& write) {
        for (int i = 0; i < 100'000; ++i) {
          if (refused > 0) ++after_refusal;  // a renderer may keep looping; its writes are refused
          if (!write("data")) ++refused;
        }
      },
      [&](std::string_view) { return ++consumed < 10; }, 4);
  EXPECT_FALSE(ok);
  EXPECT_EQ(consumed, 10);
  EXPECT_GT(refused.load(), 0);
  EXPECT_EQ(refused.load(), after_refusal.load() + 1);  // every write after the client left refused
}

TEST(ChunkPipe, ARendererExceptionReachesTheCaller) {
  std::string received;
  EXPECT_THROW(run_pipelined(
                   [&](const std::function<bool(std::string_view)>& write) {
                     write("first");
                     throw std::runtime_error("render failed");
                   },
                   [&](std::string_view chunk) {
                     received += chunk;
                     return true;
                   }),
               std::runtime_error);
  EXPECT_EQ(received, "first");
}

TEST(ChunkPipe, NothingWaitsBeyondTheBound) {
  // With a consumer that takes its time, the producer is never more than max_chunks ahead.
  std::atomic<int> written{0};
  int taken = 0;
  int worst_lead = 0;
  run_pipelined(
      [&](const std::function<bool(std::string_view)>& write) {
        for (int i = 0; i < 200; ++i) {
          write("x");
          ++written;
        }
      },
      [&](std::string_view) {
        std::this_thread::sleep_for(std::chrono::microseconds(200));
        ++taken;
        worst_lead = std::max(worst_lead, written.load() - taken);
        return true;
      },
      3);
  EXPECT_EQ(taken, 200);
  EXPECT_LE(worst_lead, 3 + 1);  // the queue, plus the chunk being handed over
}

}  // namespace
}  // namespace rdns::agent
