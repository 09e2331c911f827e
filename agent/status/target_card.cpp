#include "agent/status/target_card.hpp"

#include <ctime>

#include "agent/status/zone_server_table.hpp"
#include "util/text_escape.hpp"

namespace rdns::agent {
namespace {

using checks::CheckResult;

void append_escaped(std::string& out, std::string_view text) { out += text::html_escape(text); }

// One verdict chip: a coloured label that also says it in words/symbols (not colour alone).
struct Chip {
  std::string_view css;  // pass | fail | unknown | info
  std::string text;
  std::string title;
};

Chip tri(std::string_view name, const std::optional<bool>& value, std::string_view yes, std::string_view no,
         std::string_view undecided) {
  if (!value) return {"unknown", std::string(name) + " ? " + std::string(undecided), "could not be decided"};
  if (*value) return {"pass", std::string(name) + " \u2713 " + std::string(yes), "passed"};
  return {"fail", std::string(name) + " \u2717 " + std::string(no), "failed"};
}

std::vector<Chip> chips_for(const TargetStatus& status) {
  std::vector<Chip> chips;
  const CheckResult& r = *status.result;
  const bool definitive = checks::is_definitive(r.ptr_status);
  const bool has_names = !r.ptr_hostnames.empty();
  if (r.ptr_present) {
    chips.push_back(tri("PTR", r.ptr_present, "present", "missing", ""));
  } else {
    chips.push_back(
        {"unknown", "PTR ? " + std::string(checks::to_string(r.ptr_status)), "the PTR lookup was not definitive"});
  }
  if (has_names || r.fcrdns_pass) {
    chips.push_back(tri("FCrDNS", r.fcrdns_pass, "forward match", "no forward match", "undecided"));
  }
  if (has_names || r.ptr_hostname_valid) {
    chips.push_back(tri("Name", r.ptr_hostname_valid, "valid", "invalid", "undecided"));
  }
  if (r.generic) {
    if (r.generic->generic) {
      chips.push_back({"fail", "Generic \u2717 looks generic", r.generic->reason});
    } else {
      chips.push_back({"pass", "Generic \u2713 not generic", r.generic->reason});
    }
  }
  if (!status.target.expected_hostname.empty()) {
    chips.push_back(tri("Expected", r.expected_hostname_match, "matches", "differs", "undecided"));
  }
  if (!status.target.helo_hostname.empty()) {
    chips.push_back(tri("HELO", r.helo_match, "matches", "mismatch", "undecided"));
  }
  if (definitive) {
    chips.push_back(r.dnssec_secure ? Chip{"pass", "DNSSEC \u2713 secure", "the PTR answer validated"}
                                    : Chip{"info", "DNSSEC insecure", "the PTR answer is not signed"});
  }
  return chips;
}

std::string lookup_text(const CheckResult& r) {
  std::string text = "PTR ";
  text += checks::to_string(r.ptr_status);
  if (r.ptr_status == checks::LookupStatus::ok) text += " (TTL " + std::to_string(r.ptr_ttl) + "s)";
  if (!r.ptr_detail.empty()) text += ": " + r.ptr_detail;
  if (r.forward_status) {
    text += " \u00b7 forward ";
    text += checks::to_string(*r.forward_status);
    text +=
        " (" + std::to_string(r.fcrdns_confirmed_names) + " of " + std::to_string(r.forward.size()) + " names confirm)";
  }
  return text;
}

void append_meta(std::string& out, std::string_view term, std::string_view value) {
  out += "<dt>";
  append_escaped(out, term);
  out += "</dt><dd>";
  append_escaped(out, value);
  out += "</dd>";
}

}  // namespace

void render_target_card(std::string& out, const ShownTarget& shown, std::chrono::system_clock::time_point now,
                        const HintsFn& hints) {
  const TargetStatus& status = shown.status;
  const TargetState state = shown.state;
  const std::string_view name = state_name(state);
  out += "<article class=\"target ";
  out += name;
  out += "\"><div class=\"head\"><h2 class=\"ip\">";
  append_escaped(out, status.target.ip);
  out += "</h2><span class=\"badge ";
  out += name;
  out += "\">";
  out += state_label(state);
  out += "</span></div>";

  if (!status.result) {
    out +=
        "<p class=\"names\"><span class=\"none\">No result yet: the first check of this address is "
        "still pending.</span></p>";
  } else {
    const CheckResult& r = *status.result;
    out += "<p class=\"names\">";
    if (r.ptr_hostnames.empty()) {
      out += "<span class=\"none\">no PTR name</span>";
    } else {
      for (std::size_t i = 0; i < r.ptr_hostnames.size(); ++i) {
        if (i > 0) out += "<br>";
        append_escaped(out, r.ptr_hostnames[i]);
      }
    }
    out += "</p><ul class=\"verdicts\">";
    for (const Chip& chip : chips_for(status)) {
      out += "<li class=\"v ";
      out += chip.css;
      out += "\" title=\"";
      append_escaped(out, chip.title);
      out += "\">";
      append_escaped(out, chip.text);
      out += "</li>";
    }
    out += "</ul><dl class=\"meta\">";
    append_meta(out, "Lookup", lookup_text(r));
    if (r.generic && !r.generic->reason.empty()) append_meta(out, "Generic", r.generic->reason);
    if (!status.target.expected_hostname.empty()) append_meta(out, "Expected", status.target.expected_hostname);
    if (!status.target.helo_hostname.empty()) append_meta(out, "HELO", status.target.helo_hostname);
    if (!status.target.labels.empty()) {
      std::string labels;
      for (const auto& [key, value] : status.target.labels) {
        if (!labels.empty()) labels += ", ";
        labels += key + "=" + value;
      }
      append_meta(out, "Labels", labels);
    }
    std::string checked = format_utc(r.checked_at) + " (" + format_age(now - r.checked_at) + ")";
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(r.duration).count();
    checked += ", took " + std::to_string(ms) + " ms";
    append_meta(out, "Checked", checked);
    out += "</dl>";
    if (r.ptr_consistency) {
      render_zone_servers(out, *r.ptr_consistency, state != TargetState::failing && state != TargetState::undecided);
    }

    if (hints && (state == TargetState::failing || state == TargetState::undecided)) {
      const auto lines = hints(r);
      if (!lines.empty()) {
        out += "<div class=\"hints\"><strong>";
        out += state == TargetState::failing ? "How to fix" : "Why undecided";
        out += "</strong><ul>";
        for (const auto& line : lines) {
          out += "<li>";
          append_escaped(out, line);
          out += "</li>";
        }
        out += "</ul></div>";
      }
    }
  }
  out += "</article>\n";
}

std::string format_age(std::chrono::system_clock::duration age) {
  using namespace std::chrono;
  if (age < seconds(-1)) return "in the future";
  const auto s = std::max<long long>(0, duration_cast<seconds>(age).count());
  if (s < 60) return std::to_string(s) + "s ago";
  if (s < 3600) return std::to_string(s / 60) + "m " + std::to_string(s % 60) + "s ago";
  if (s < 86400) return std::to_string(s / 3600) + "h " + std::to_string(s % 3600 / 60) + "m ago";
  return std::to_string(s / 86400) + "d " + std::to_string(s % 86400 / 3600) + "h ago";
}

std::string format_utc(std::chrono::system_clock::time_point when) {
  const std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  const auto n = std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return std::string(buffer, n);
}

}  // namespace rdns::agent
