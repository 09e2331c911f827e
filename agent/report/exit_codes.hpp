// Exit statuses of the contract (sysexits-style where one exists).
#pragma once

namespace rdns::agent {

inline constexpr int k_exit_ok = 0;
inline constexpr int k_exit_check_failed = 1;  // `check`: some check definitively failed
inline constexpr int k_exit_undecided = 2;     // `check`: lookups failed, no verdict possible
inline constexpr int k_exit_usage = 64;        // EX_USAGE: bad flags or arguments
inline constexpr int k_exit_software = 70;     // EX_SOFTWARE: could not start (port taken, ...)
inline constexpr int k_exit_config = 78;       // EX_CONFIG: the configuration is invalid

}  // namespace rdns::agent
