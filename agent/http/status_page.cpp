#include "agent/http/status_page.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <ctime>

#include "agent/http/status_page_css.hpp"

namespace rdns::agent {
namespace {

using checks::CheckResult;

constexpr std::array<TargetState, 4> k_state_order = {TargetState::failing, TargetState::undecided,
                                                      TargetState::unchecked, TargetState::passing};

std::string_view state_name(TargetState state) {
  switch (state) {
    case TargetState::failing: return "failing";
    case TargetState::undecided: return "undecided";
    case TargetState::unchecked: return "unchecked";
    case TargetState::passing: return "passing";
  }
  return "unchecked";
}

std::string_view state_label(TargetState state) {
  switch (state) {
    case TargetState::failing: return "Failing";
    case TargetState::undecided: return "Undecided";
    case TargetState::unchecked: return "Not yet checked";
    case TargetState::passing: return "Passing";
  }
  return "";
}

void append_escaped(std::string& out, std::string_view text) { out += html_escape(text); }

std::string_view state_label_for(std::string_view filter) {
  for (TargetState state : k_state_order) {
    if (state_name(state) == filter) return state_label(state);
  }
  return filter;
}

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
    chips.push_back({"unknown", "PTR ? " + std::string(checks::to_string(r.ptr_status)),
                     "the PTR lookup was not definitive"});
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
    text += " (" + std::to_string(r.fcrdns_confirmed_names) + " of " + std::to_string(r.forward.size()) +
            " names confirm)";
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

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool matches_search(const TargetStatus& status, const std::string& needle) {
  if (needle.empty()) return true;
  if (lower(status.target.ip).find(needle) != std::string::npos) return true;
  if (status.result) {
    for (const auto& name : status.result->ptr_hostnames) {
      if (name.find(needle) != std::string::npos) return true;
    }
  }
  return false;
}

std::string url_encode(std::string_view text) {
  static constexpr char k_hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~' || c == ':') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += k_hex[c >> 4];
      out += k_hex[c & 15];
    }
  }
  return out;
}

std::string filter_href(std::string_view filter, const std::string& ip) {
  std::string href = "?filter=" + std::string(filter);
  if (!ip.empty()) href += "&ip=" + url_encode(ip);
  return href;
}

std::string with_thousands(std::size_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

void render_target(std::string& out, const TargetStatus& status, TargetState state,
                   std::chrono::system_clock::time_point now, const HintsFn& hints) {
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
    out += "<p class=\"names\"><span class=\"none\">No result yet: the first check of this address is "
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

}  // namespace

TargetState target_state(const TargetStatus& status) {
  if (!status.result) return TargetState::unchecked;
  if (!status.result->success) return TargetState::undecided;
  return *status.result->success ? TargetState::passing : TargetState::failing;
}

StatusPageQuery make_status_page_query(const std::function<std::string(const std::string&)>& param) {
  StatusPageQuery query;
  const std::string filter = param("filter");
  for (std::string_view known : {"failing", "undecided", "unchecked", "passing"}) {
    if (filter == known) query.filter = filter;
  }
  query.ip = lower(param("ip").substr(0, 256));
  query.limit = k_status_page_default_rows;
  const std::string limit = param("limit");
  std::size_t value = 0;
  auto [ptr, ec] = std::from_chars(limit.data(), limit.data() + limit.size(), value);
  if (!limit.empty() && ec == std::errc() && ptr == limit.data() + limit.size()) {
    query.limit = std::clamp<std::size_t>(value, 1, k_status_page_max_rows);
  }
  return query;
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default:
          if (c < 0x20 && c != '\n' && c != '\t') {
            out += "\uFFFD";
          } else if (c == 0x7f) {
            out += "\uFFFD";
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    // Copy a well-formed UTF-8 sequence as is; anything else becomes U+FFFD.
    std::size_t length = 0;
    unsigned min = 0;
    unsigned code = 0;
    if ((c & 0xe0) == 0xc0) { length = 2; code = c & 0x1f; min = 0x80; }
    else if ((c & 0xf0) == 0xe0) { length = 3; code = c & 0x0f; min = 0x800; }
    else if ((c & 0xf8) == 0xf0) { length = 4; code = c & 0x07; min = 0x10000; }
    bool ok = length > 0 && i + length <= text.size();
    for (std::size_t k = 1; ok && k < length; ++k) {
      const auto cc = static_cast<unsigned char>(text[i + k]);
      ok = (cc & 0xc0) == 0x80;
      code = (code << 6) | (cc & 0x3f);
    }
    ok = ok && code >= min && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff);
    if (ok) {
      out.append(text.substr(i, length));
      i += length;
    } else {
      out += "\uFFFD";
      ++i;
    }
  }
  return out;
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

std::string render_status_page(const std::vector<TargetStatus>& targets, const StatusPageQuery& query,
                               std::chrono::system_clock::time_point now, const HintsFn& hints) {
  std::array<std::size_t, 4> counts{};  // by TargetState
  std::array<std::vector<std::size_t>, 4> selected;  // indices into targets, by TargetState
  std::size_t matching = 0;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const TargetState state = target_state(targets[i]);
    ++counts[static_cast<std::size_t>(state)];
    if (query.filter != "all" && query.filter != state_name(state)) continue;
    if (!matches_search(targets[i], query.ip)) continue;
    ++matching;
    auto& bucket = selected[static_cast<std::size_t>(state)];
    if (bucket.size() < query.limit) bucket.push_back(i);  // never more than we could render
  }

  std::string out;
  out.reserve(8192 + std::min(matching, query.limit) * 1400);
  out += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         "<meta name=\"color-scheme\" content=\"light dark\">"
         "<title>rdns_exporter: ";
  out += std::to_string(counts[static_cast<std::size_t>(TargetState::failing)]);
  out += " failing</title><style>";
  out += k_status_page_css;
  out += "</style></head><body><header><h1>rdns_exporter</h1><p class=\"sub\">Reverse DNS of ";
  out += with_thousands(targets.size());
  out += targets.size() == 1 ? " sending IP" : " sending IPs";
  out += " \u00b7 ";
  out += format_utc(now);
  out += "</p><nav class=\"counts\" aria-label=\"Summary\">";
  for (TargetState state : k_state_order) {
    const std::string_view name = state_name(state);
    out += "<a class=\"count ";
    out += name;
    if (query.filter == name) out += " on";
    out += "\" id=\"count-";
    out += name;
    out += "\" href=\"";
    append_escaped(out, filter_href(name, query.ip));
    out += "\"><b>";
    out += with_thousands(counts[static_cast<std::size_t>(state)]);
    out += "</b><span>";
    out += state == TargetState::unchecked ? "not yet checked" : lower(state_label(state));
    out += "</span></a>";
  }
  out += "</nav><form method=\"get\" action=\"/\"><input name=\"ip\" placeholder=\"IP or PTR name contains\" "
         "aria-label=\"Search\" value=\"";
  append_escaped(out, query.ip);
  out += "\"><select name=\"filter\" aria-label=\"Show\">";
  for (std::string_view option : {"all", "failing", "undecided", "unchecked", "passing"}) {
    out += "<option value=\"";
    out += option;
    out += "\"";
    if (query.filter == option) out += " selected";
    out += ">";
    out += option == "all" ? "All targets" : option == "unchecked" ? "Not yet checked" : state_label_for(option);
    out += "</option>";
  }
  out += "</select><button type=\"submit\">Show</button></form>";

  const std::size_t rendered = std::min(matching, query.limit);
  out += "<p class=\"note\" id=\"shown\">";
  if (matching == 0) {
    out += targets.empty() ? "No targets are configured." : "No target matches this filter.";
  } else if (rendered < matching) {
    out += "Showing the first " + with_thousands(rendered) + " of " + with_thousands(matching) +
           " matching targets, failing first. Narrow the list with the filter or search, or add "
           "<code>&amp;limit=N</code> (at most " + with_thousands(k_status_page_max_rows) + ").";
  } else {
    out += "Showing " + with_thousands(rendered) + (rendered == 1 ? " target" : " targets") +
           (query.filter == "all" ? ", failing first." : ".");
  }
  out += "</p></header><main>\n";

  std::size_t left = query.limit;
  for (TargetState state : k_state_order) {
    for (std::size_t index : selected[static_cast<std::size_t>(state)]) {
      if (left == 0) break;
      render_target(out, targets[index], state, now, hints);
      --left;
    }
  }
  out += "</main><footer>Verdicts are withheld while a lookup is not definitive (SERVFAIL, timeout, "
         "bogus): a resolver problem is never reported as a missing record. Metrics: <a href=\"";
  append_escaped(out, query.telemetry_path);
  out += "\">";
  append_escaped(out, query.telemetry_path);
  out += "</a>.</footer></body></html>\n";
  return out;
}

}  // namespace rdns::agent
