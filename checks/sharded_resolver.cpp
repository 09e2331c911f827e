#include "checks/sharded_resolver.hpp"

#include <cstdint>
#include <stdexcept>
#include <thread>
#include <utility>

#include "util/hash.hpp"

namespace rdns::checks {

ShardedResolver::ShardedResolver(std::vector<std::unique_ptr<Resolver>> shards) : m_shards(std::move(shards)) {
  if (m_shards.empty()) throw std::invalid_argument("ShardedResolver: no shards");
  for (const auto& shard : m_shards) {
    if (!shard) throw std::invalid_argument("ShardedResolver: a null shard");
  }
}

ShardedResolver::~ShardedResolver() {
  // Later resolve() calls complete at once; wait for those already inside a shard (they only
  // queue, so this is short). So a callback of shard k, run while shard k shuts down, can never
  // reach a shard j < k already destroyed. Both sides are seq_cst: either resolve() sees the
  // door closed, or the destructor sees it entered.
  m_closed.store(true);
  while (m_entered.load() != 0) std::this_thread::yield();
  for (auto& shard : m_shards) shard.reset();
}

std::size_t ShardedResolver::shard_of(std::string_view name) const {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return static_cast<std::size_t>(util::fnv1a64_ascii_folded(name) % m_shards.size());
}

void ShardedResolver::resolve(std::string name, RrType type, Deadline deadline, Callback done) {
  m_entered.fetch_add(1);
  if (!m_closed.load()) {
    struct Leave {
      std::atomic<int>& entered;
      ~Leave() { entered.fetch_sub(1); }
    } leave{m_entered};
    Resolver& shard = *m_shards[shard_of(name)];
    shard.resolve(std::move(name), type, deadline, std::move(done));
    return;
  }
  m_entered.fetch_sub(1);
  DnsAnswer answer;
  answer.status = LookupStatus::error;
  answer.detail = "resolver shutting down";
  done(std::move(answer));
}

}  // namespace rdns::checks
