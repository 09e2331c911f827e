// Value types that the result store, the scheduler, the status page and the service exchange.
// They live here, apart from any of those, so that each depends on values and not on another
// component's header.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "agent/store/target_record.hpp"
#include "checks/check_result.hpp"
#include "config/model.hpp"

namespace rdns::agent {

// A target as the scheduler sees it: an id that stays the same as long as the target's
// identity (ip, expected_hostname, helo_hostname) does, across reloads.
struct TargetId {
  std::uint64_t id = 0;
  std::string ip;
};

// A configured target and its latest result, unpacked (none before its first check finished).
struct TargetStatus {
  config::Target target;
  std::optional<checks::CheckResult> result;
};

// One target's last result with its identity and the store's PTR-change tracking: what the
// state file keeps across restarts (agent/state/) and ResultStore::restore() puts back.
struct PersistedTarget {
  std::string ip, expected_hostname, helo_hostname;
  TargetRecord record;
  std::optional<double> last_change;  // Unix seconds the PTR name set last changed
  std::uint64_t names_hash = 0;       // hostname_set_hash() of the last definitive name set
};

}  // namespace rdns::agent
