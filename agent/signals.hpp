// Process signals, handled synchronously: SIGHUP, SIGTERM and SIGINT are blocked in every
// thread and collected with sigtimedwait() by the thread that asks. No async-signal-safety
// puzzles, no self-pipe.
//
// Thread-safety: construct it on the main thread BEFORE any other thread starts (threads
// inherit the blocked mask); wait() from that one thread.
#pragma once

#include <chrono>

#include <signal.h>

namespace rdns::agent {

class SignalWaiter {
public:
  enum class Event { none, reload, terminate };

  SignalWaiter();   // blocks the signals; ignores SIGPIPE (a client that hangs up is not fatal)
  ~SignalWaiter();  // restores the previous mask
  SignalWaiter(const SignalWaiter&) = delete;
  SignalWaiter& operator=(const SignalWaiter&) = delete;

  // Waits up to `timeout` for one of the signals.
  Event wait(std::chrono::milliseconds timeout);

private:
  sigset_t m_set{};
  sigset_t m_previous{};
};

}  // namespace rdns::agent
