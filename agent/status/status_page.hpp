// The "/" status page: every target and its verdict, as one self-contained HTML document
// (inline CSS, no JavaScript, no external resources) that reads well on a phone.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "agent/status/status_rows.hpp"
#include "agent/status/target_card.hpp"

namespace rdns::agent {

// Renders the page: the counts of every state, the filter form, and the selected rows with a
// note saying how many were left out. Pure; thread-safe.
std::string render_status_page(const StatusPageModel& model, const StatusPageQuery& query,
                               std::chrono::system_clock::time_point now, const HintsFn& hints);
// select_status_rows() then render (tests, the screenshot fixture).
std::string render_status_page(const std::vector<TargetStatus>& targets, const StatusPageQuery& query,
                               std::chrono::system_clock::time_point now, const HintsFn& hints);

}  // namespace rdns::agent
