// A Resolver over N independent resolvers ("shards"), each query sent to the shard chosen by a
// hash of the name it asks for. Over N UnboundResolvers this gives N libunbound contexts with
// N event-loop threads: one context saturates one core (its worker thread, its sockets, the
// pipe to our loop), so on a machine with several cores N contexts resolve more per second.
// Sharding by the queried name keeps every name in one context: a name asked twice (a PTR
// target shared by many addresses, a re-check) is a cache hit in that context, never a second
// upstream query from another one. The cache is split N ways, not duplicated.
//
// Thread-safety: resolve() from any thread, also from a shard's callback. Callbacks run where
// the shard runs them (its loop thread), exactly once per resolve(), as the shard promises.
// Destroying it destroys the shards in order, each completing its pending queries; a resolve()
// from a callback during that (or after the destruction began) completes at once, on the
// caller's thread, with LookupStatus::error "resolver shutting down" and never reaches a
// shard. No resolve() from outside a callback may race with or follow the destructor.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "checks/resolver.hpp"

namespace rdns::checks {

class ShardedResolver final : public Resolver {
public:
  // `shards` must be non-empty and hold no null pointer.
  explicit ShardedResolver(std::vector<std::unique_ptr<Resolver>> shards);
  ~ShardedResolver() override;
  ShardedResolver(const ShardedResolver&) = delete;
  ShardedResolver& operator=(const ShardedResolver&) = delete;

  void resolve(std::string name, RrType type, Deadline deadline, Callback done) override;

  std::size_t size() const { return m_shards.size(); }
  // The shard `name` goes to: a stable hash (FNV-1a) of the name, ASCII case folded (DNS
  // names compare case-insensitively) and without a trailing dot, modulo size().
  std::size_t shard_of(std::string_view name) const;

private:
  std::vector<std::unique_ptr<Resolver>> m_shards;
  // The door the destructor closes. Not a shared_mutex: a shard may complete a query inline
  // (its loop died) and that callback may call resolve() again, on the same thread.
  std::atomic<bool> m_closed{false};
  std::atomic<int> m_entered{0};  // resolve() calls inside a shard right now
};

}  // namespace rdns::checks
