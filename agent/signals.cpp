#include "agent/signals.hpp"

#include <cerrno>
#include <ctime>

#include <pthread.h>

namespace rdns::agent {

SignalWaiter::SignalWaiter() {
  sigemptyset(&m_set);
  sigaddset(&m_set, SIGHUP);
  sigaddset(&m_set, SIGTERM);
  sigaddset(&m_set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &m_set, &m_previous);
  ::signal(SIGPIPE, SIG_IGN);
}

SignalWaiter::~SignalWaiter() { pthread_sigmask(SIG_SETMASK, &m_previous, nullptr); }

SignalWaiter::Event SignalWaiter::wait(std::chrono::milliseconds timeout) {
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  ts.tv_nsec = static_cast<long>((timeout.count() % 1000) * 1000000);
  const int signal = sigtimedwait(&m_set, nullptr, &ts);
  if (signal == SIGHUP) return Event::reload;
  if (signal == SIGTERM || signal == SIGINT) return Event::terminate;
  return Event::none;  // timeout or EINTR
}

}  // namespace rdns::agent
