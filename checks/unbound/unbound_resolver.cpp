// The event loop around one libunbound context. See unbound_resolver.hpp for the contract.
#include "checks/unbound/unbound_resolver.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>

#include "checks/unbound/unbound_handles.hpp"
#include "checks/unbound/unbound_settings.hpp"
#include "util/unique_fd.hpp"

namespace rdns::checks {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int k_class_in = 1;

// The resolver whose ub_process() this thread is inside (its loop thread, delivering answers),
// or null. A resolve() from such a callback (the checker's A lookup after its PTR answer) needs
// no wake-up: the loop drains the queue right after ub_process() returns, before it polls.
thread_local const void* t_processing = nullptr;

DnsAnswer error_answer(LookupStatus status, std::string detail) {
  DnsAnswer answer;
  answer.status = status;
  answer.detail = std::move(detail);
  return answer;
}

}  // namespace

struct UnboundResolver::Impl {
  struct Submission {
    std::string name;
    RrType type;
    Deadline deadline;
    Callback done;
  };

  // One query libunbound knows about. Owned by m_pending under its async id; libunbound holds a
  // raw pointer to it as the callback argument until it calls back or the query is cancelled.
  struct Pending {
    Impl* impl = nullptr;
    int id = 0;
    std::uint64_t seq = 0;
    RrType type = RrType::A;
    Callback done;          // empty once completed (by timeout: then a tombstone until the
                            // answer libunbound had already queued arrives)
    bool answered = false;  // libunbound called back (possibly before we knew the id)
  };

  struct DeadlineEntry {
    Deadline when;
    int id;
    std::uint64_t seq;
    bool operator>(const DeadlineEntry& other) const { return when > other.when; }
  };

  unbound::ContextPtr m_ctx;
  TrustAnchorInfo m_trust_anchors;  // set once at creation
  UniqueFd m_wake{::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)};

  std::mutex m_mutex;  // guards m_queue and m_stopping
  std::vector<Submission> m_queue;
  bool m_stopping = false;

  // Loop thread only:
  std::unordered_map<int, std::unique_ptr<Pending>> m_pending;
  std::vector<DeadlineEntry> m_deadlines;  // min-heap, entries of finished queries are stale
  std::uint64_t m_next_seq = 0;
  std::vector<Submission> m_batch;

  std::thread m_thread;
  std::function<void(const std::string&)> m_on_callback_exception;  // set before the thread starts
  std::atomic<std::uint64_t> m_callback_exceptions{0};

  explicit Impl(unbound::ContextPtr ctx) : m_ctx(std::move(ctx)) {}

  static void on_result(void* mydata, int err, ub_result* raw) {
    unbound::ResultPtr result(raw);  // freed on every path
    auto* pending = static_cast<Pending*>(mydata);
    pending->impl->answered(pending, err, result.get());
  }

  void answered(Pending* pending, int err, const ub_result* result) {
    std::unique_ptr<Pending> owner;
    if (auto it = m_pending.find(pending->id); it != m_pending.end() && it->second.get() == pending) {
      owner = std::move(it->second);
      m_pending.erase(it);
    }
    pending->answered = true;  // when not yet in m_pending, submit() sees this and drops it
    if (pending->done) {
      deliver(pending->done, unbound::classify(err, result, pending->type));
    }
  }

  // A throwing callback must not take the loop (and every other query) down with it; nor may
  // it vanish without a word: it is counted and reported through the injected hook.
  void deliver(Callback& done, DnsAnswer answer) {
    Callback callback = std::move(done);
    done = nullptr;
    std::string what;
    try {
      callback(std::move(answer));
      return;
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
      what = "an exception not derived from std::exception";
    }
    m_callback_exceptions.fetch_add(1, std::memory_order_relaxed);
    if (!m_on_callback_exception) return;
    try {
      m_on_callback_exception("resolver callback threw: " + what);
    } catch (...) {
      // The hook must not throw; if it does, there is nobody left to tell.
    }
  }

  void submit(Submission& s) {
    if (Clock::now() >= s.deadline) {
      deliver(s.done, error_answer(LookupStatus::timeout, "deadline passed before sending"));
      return;
    }
    auto pending = std::make_unique<Pending>();
    pending->impl = this;
    pending->seq = m_next_seq++;
    pending->type = s.type;
    pending->done = std::move(s.done);
    const int rc = ub_resolve_async(m_ctx.get(), s.name.c_str(), static_cast<int>(s.type), k_class_in, pending.get(),
                                    &Impl::on_result, &pending->id);
    if (rc != 0) {
      deliver(pending->done, error_answer(LookupStatus::error, std::string("libunbound: ") + ub_strerror(rc)));
      return;
    }
    if (pending->answered) {
      return;  // called back synchronously (not expected in threaded mode): already delivered
    }
    m_deadlines.push_back({s.deadline, pending->id, pending->seq});
    std::push_heap(m_deadlines.begin(), m_deadlines.end(), std::greater<>{});
    m_pending[pending->id] = std::move(pending);
  }

  // The pending query a heap entry refers to, if it is still waiting for its answer.
  Pending* live(const DeadlineEntry& entry) {
    auto it = m_pending.find(entry.id);
    if (it == m_pending.end() || it->second->seq != entry.seq || !it->second->done) {
      return nullptr;
    }
    return it->second.get();
  }

  void expire(Clock::time_point now) {
    while (!m_deadlines.empty() && m_deadlines.front().when <= now) {
      const DeadlineEntry entry = m_deadlines.front();
      std::pop_heap(m_deadlines.begin(), m_deadlines.end(), std::greater<>{});
      m_deadlines.pop_back();
      Pending* pending = live(entry);
      if (pending == nullptr) {
        continue;
      }
      // 0: cancelled, libunbound will never call back. UB_NOID: the answer is already on its
      // way through ub_fd; keep a tombstone that swallows it.
      if (ub_cancel(m_ctx.get(), pending->id) == 0) {
        auto owner = std::move(m_pending[entry.id]);
        m_pending.erase(entry.id);
        deliver(owner->done, error_answer(LookupStatus::timeout, "no answer before the deadline"));
      } else {
        deliver(pending->done, error_answer(LookupStatus::timeout, "no answer before the deadline"));
      }
    }
  }

  int poll_timeout_ms(Clock::time_point now) {
    while (!m_deadlines.empty() && live(m_deadlines.front()) == nullptr) {
      std::pop_heap(m_deadlines.begin(), m_deadlines.end(), std::greater<>{});
      m_deadlines.pop_back();
    }
    if (m_deadlines.empty()) {
      return -1;
    }
    const auto wait = m_deadlines.front().when - now;
    // Round up, so we never wake a hair before the deadline and spin.
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(wait).count();
    return static_cast<int>(std::clamp<std::int64_t>(ms, 0, 60'000));
  }

  bool take_queue() {
    std::lock_guard lock(m_mutex);
    if (m_stopping) {
      return false;
    }
    m_batch.swap(m_queue);
    return true;
  }

  void run() {
    std::array<pollfd, 2> fds{};
    fds[0] = {ub_fd(m_ctx.get()), POLLIN, 0};
    fds[1] = {m_wake.get(), POLLIN, 0};
    while (take_queue()) {
      for (auto& s : m_batch) {
        submit(s);
      }
      m_batch.clear();
      expire(Clock::now());
      const int rc = ::poll(fds.data(), fds.size(), poll_timeout_ms(Clock::now()));
      if (rc < 0 && errno != EINTR) {
        // Cannot happen with valid fds; shut down cleanly rather than spin.
        std::lock_guard lock(m_mutex);
        m_stopping = true;
        break;
      }
      if (fds[1].revents & POLLIN) {
        std::uint64_t count = 0;
        [[maybe_unused]] const auto n = ::read(m_wake.get(), &count, sizeof count);
      }
      if (fds[0].revents & (POLLIN | POLLERR | POLLHUP)) {
        t_processing = this;
        ub_process(m_ctx.get());  // runs on_result for every answer that is ready
        t_processing = nullptr;
      }
    }
    shut_down();
  }

  // ub_ctx_delete does not call back outstanding queries: complete them here, on the loop
  // thread as the contract says. m_stopping is set, so a resolve() from one of these callbacks
  // completes at once instead of queueing.
  void shut_down() {
    for (auto& [id, pending] : m_pending) {
      if (pending->done) {
        ub_cancel(m_ctx.get(), id);
        deliver(pending->done, error_answer(LookupStatus::error, "resolver shutting down"));
      }
    }
    {
      std::lock_guard lock(m_mutex);
      m_batch.swap(m_queue);
    }
    for (auto& s : m_batch) {
      deliver(s.done, error_answer(LookupStatus::error, "resolver shutting down"));
    }
    m_batch.clear();
  }

  void wake() {
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto n = ::write(m_wake.get(), &one, sizeof one);
  }
};

UnboundResolver::UnboundResolver(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

tl::expected<std::unique_ptr<UnboundResolver>, std::string> UnboundResolver::create(const ResolverSettings& settings) {
  TrustAnchorInfo anchors;
  auto ctx = unbound::make_context(settings, &anchors);
  if (!ctx) {
    return tl::unexpected(ctx.error());
  }
  auto impl = std::make_unique<Impl>(std::move(*ctx));
  impl->m_trust_anchors = std::move(anchors);
  if (impl->m_wake.get() < 0) {
    return tl::unexpected(std::string("resolver: eventfd: ") + std::strerror(errno));
  }
  impl->m_on_callback_exception = settings.on_callback_exception;
  Impl* raw = impl.get();
  raw->m_thread = std::thread([raw] { raw->run(); });
  return std::unique_ptr<UnboundResolver>(new UnboundResolver(std::move(impl)));
}

const TrustAnchorInfo& UnboundResolver::trust_anchors() const { return m_impl->m_trust_anchors; }

UnboundResolver::~UnboundResolver() {
  {
    std::lock_guard lock(m_impl->m_mutex);
    m_impl->m_stopping = true;
  }
  m_impl->wake();
  if (m_impl->m_thread.joinable()) {
    m_impl->m_thread.join();
  }
  // Now no callback can run: the context (and its threads) go, then the pending records.
  m_impl->m_ctx.reset();
  m_impl->m_pending.clear();
}

void UnboundResolver::resolve(std::string name, RrType type, Deadline deadline, Callback done) {
  bool was_empty = false;
  bool queued = false;
  {
    std::lock_guard lock(m_impl->m_mutex);
    if (!m_impl->m_stopping) {
      was_empty = m_impl->m_queue.empty();
      m_impl->m_queue.push_back({std::move(name), type, deadline, std::move(done)});
      queued = true;
    }
  }
  if (!queued) {  // not queued: the loop is shutting down (only a callback can still get here)
    m_impl->deliver(done, error_answer(LookupStatus::error, "resolver shutting down"));
    return;
  }
  if (was_empty && t_processing != m_impl.get()) {
    m_impl->wake();  // the loop drains the whole queue, so one wake-up per batch is enough
  }
}

std::uint64_t UnboundResolver::callback_exceptions() const {
  return m_impl->m_callback_exceptions.load(std::memory_order_relaxed);
}

std::string UnboundResolver::version() { return ub_version(); }

}  // namespace rdns::checks
