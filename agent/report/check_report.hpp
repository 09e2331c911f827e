// Renders the results of `rdns_exporter check` for a person (text) or a script (one JSON
// document), and maps them to the exit status of the contract. Pure: no DNS, no I/O but the
// stream it is given.
#pragma once

#include <iosfwd>
#include <string_view>
#include <vector>

#include "checks/check_result.hpp"
#include "util/text_escape.hpp"

namespace rdns::agent {

enum class Verdict { pass, fail, unknown };

// pass: success == true; fail: false; unknown: not decidable (a resolver problem).
Verdict verdict_of(const checks::CheckResult& result);
std::string_view to_string(Verdict verdict);  // "pass", "fail", "unknown"

// 0 all pass, 1 some check definitively failed, 2 none failed but some undecidable.
int exit_status_for(const std::vector<checks::CheckResult>& results);

struct TextOptions {
  bool colour = false;  // ANSI colours for the verdict words (only for a terminal)
};

// Per IP: the verdict, what the DNS said, one line per check, the zones, and what to do.
// Then one summary line.
void write_text_report(std::ostream& out, const std::vector<checks::CheckResult>& results,
                       const TextOptions& options = {});

// One JSON document for the whole run; the schema is documented in check_report.cpp.
void write_json_report(std::ostream& out, const std::vector<checks::CheckResult>& results);

// JSON string literal (quotes included); bytes >= 0x80 and controls become \u00XX so the
// output is valid JSON whatever the DNS sent.

}  // namespace rdns::agent
