// Two-stage streaming for a large response: the body is rendered on a helper thread while the
// calling (HTTP worker) thread compresses and sends what was rendered before, so that on two
// cores a gzip scrape of a /16 takes about the longer of the two stages, not their sum.
// Memory stays bounded: at most `max_chunks` rendered chunks wait at any time.
//
// Thread-safety: run_pipelined is called by one thread and starts (and always joins) one more.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

namespace rdns::agent {

// What renders the body: calls `write` with each chunk (its bytes are copied before write
// returns); `write` returns false once the consumer gave up (the rest may be skipped).
using Produce = std::function<void(const std::function<bool(std::string_view chunk)>& write)>;

// Runs `produce` on a new thread and hands its chunks, in order, to `consume` on this one.
// `consume` returns false when the client is gone: `produce` is then told so and the rest is
// dropped. Returns false when `consume` gave up; an exception thrown by `produce` is rethrown
// here once its thread has ended. Without a thread to start, runs both stages on this one.
bool run_pipelined(const Produce& produce, const std::function<bool(std::string_view chunk)>& consume,
                   std::size_t max_chunks = 4);

}  // namespace rdns::agent
