// The "/" status page: every target and its verdict, as one self-contained HTML document
// (inline CSS, no JavaScript, no external resources) that reads well on a phone.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/http/web_server.hpp"

namespace rdns::agent {

// How a target is summarised on the page and in its counts.
enum class TargetState { failing, undecided, unchecked, passing };
TargetState target_state(const TargetStatus& status);

struct StatusPageQuery {
  std::string filter = "all";  // all | failing | undecided | unchecked | passing
  std::string ip;              // substring of the IP (or of a PTR name) to match; empty = all
  std::size_t limit = 500;     // rows rendered at most (the counts always cover every target)
  std::string telemetry_path = "/metrics";  // linked from the footer; set by the server
};

inline constexpr std::size_t k_status_page_default_rows = 500;
inline constexpr std::size_t k_status_page_max_rows = 5000;

// From the request's query parameters; unknown filters fall back to "all", the limit is clamped
// to 1..k_status_page_max_rows. `param` returns "" for an absent parameter.
StatusPageQuery make_status_page_query(const std::function<std::string(const std::string&)>& param);

// Remediation hints for one failing result (the checks layer provides them; injected for tests).
using HintsFn = std::function<std::vector<std::string>(const checks::CheckResult&)>;

// Renders the page. Failing targets first, then undecided, not yet checked and passing, each in
// config order; at most query.limit rows, with a note saying how many were left out. Every
// piece of data (PTR names are hostile input) is HTML-escaped. Pure; thread-safe.
std::string render_status_page(const std::vector<TargetStatus>& targets, const StatusPageQuery& query,
                               std::chrono::system_clock::time_point now, const HintsFn& hints);

// & < > " ' -> entities; bytes that are not valid UTF-8 text become U+FFFD. Pure.
std::string html_escape(std::string_view text);

// "12s ago", "3m 4s ago", "2h 5m ago", "3d 4h ago"; "in the future" for clock skew. Pure.
std::string format_age(std::chrono::system_clock::duration age);

// "2026-11-27 20:50:43 UTC". Pure.
std::string format_utc(std::chrono::system_clock::time_point when);

}  // namespace rdns::agent
