// One target on the status page: its PTR names, a chip per verdict, the lookup details and,
// for a failing or undecided target, what to do about it.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "agent/status/status_rows.hpp"

namespace rdns::agent {

// Remediation hints for one failing result (the checks layer provides them; injected for tests).
using HintsFn = std::function<std::vector<std::string>(const checks::CheckResult&)>;

// Appends the <article> of `shown` to `out`. Every piece of data (PTR names are hostile input)
// is HTML-escaped.
void render_target_card(std::string& out, const ShownTarget& shown, std::chrono::system_clock::time_point now,
                        const HintsFn& hints);

// "12s ago", "3m 4s ago", "2h 5m ago", "3d 4h ago"; "in the future" for clock skew. Pure.
std::string format_age(std::chrono::system_clock::duration age);

// "2026-11-27 20:50:43 UTC". Pure.
std::string format_utc(std::chrono::system_clock::time_point when);

}  // namespace rdns::agent
