#include "agent/status/status_page.hpp"

#include <algorithm>
#include <array>

#include "agent/status/status_page_css.hpp"
#include "util/ascii.hpp"
#include "util/text_escape.hpp"

namespace rdns::agent {
namespace {

void append_escaped(std::string& out, std::string_view text) { out += text::html_escape(text); }

using util::ascii_lower;

std::string_view state_label_for(std::string_view filter) {
  for (TargetState state : k_state_order) {
    if (state_name(state) == filter) return state_label(state);
  }
  return filter;
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

// The link to another page of the same view (filter, search and limit kept).
std::string page_href(const StatusPageQuery& query, std::size_t offset) {
  std::string href = filter_href(query.filter, query.ip);
  if (query.limit != k_status_page_default_rows) href += "&limit=" + std::to_string(query.limit);
  if (offset > 0) href += "&offset=" + std::to_string(offset);
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

// The summary counts, each a link to its filter.
void append_counts(std::string& out, const StatusPageModel& model, const StatusPageQuery& query) {
  const auto& counts = model.counts;
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
    out += state == TargetState::unchecked ? "not yet checked" : ascii_lower(state_label(state));
    out += "</span></a>";
  }
}

// The search box and the filter menu.
void append_search_form(std::string& out, const StatusPageQuery& query) {
  out +=
      "</nav><form method=\"get\" action=\"/\"><input name=\"ip\" placeholder=\"IP or PTR name contains\" "
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
}

// Which of the matching targets are shown, in words.
void append_shown_note(std::string& out, const StatusPageModel& model, const StatusPageQuery& query) {
  const std::size_t matching = model.matching;
  const std::size_t total = model.total;
  const std::size_t rendered = model.shown.size();
  const std::size_t first = model.offset;  // matching targets before the first one shown
  out += "<p class=\"note\" id=\"shown\">";
  if (matching == 0) {
    out += total == 0 ? "No targets are configured." : "No target matches this filter.";
  } else if (first >= matching) {
    out += "No targets past the first " + with_thousands(matching) + " matching.";
  } else if (first > 0) {
    out += "Showing targets " + with_thousands(first + 1) + "\u2013" + with_thousands(first + rendered) + " of " +
           with_thousands(matching) + " matching" + (query.filter == "all" ? ", failing first." : ".");
  } else if (rendered < matching) {
    out += "Showing the first " + with_thousands(rendered) + " of " + with_thousands(matching) +
           " matching targets, failing first. Narrow the list with the filter or search, or add "
           "<code>&amp;limit=N</code> (at most " +
           with_thousands(k_status_page_max_rows) + ").";
  } else {
    out += "Showing " + with_thousands(rendered) + (rendered == 1 ? " target" : " targets") +
           (query.filter == "all" ? ", failing first." : ".");
  }
  out += "</p>";
}

// Links to the pages before and after this one (empty when there is a single page).
std::string page_links(const StatusPageModel& model, const StatusPageQuery& query) {
  const std::size_t matching = model.matching;
  const std::size_t rendered = model.shown.size();
  const std::size_t first = model.offset;
  std::string pages;
  if (first > 0 && matching > 0) {
    const std::size_t previous =
        first >= matching ? (matching - 1) / query.limit * query.limit : first - std::min(first, query.limit);
    pages += "<a rel=\"prev\" href=\"";
    append_escaped(pages, page_href(query, previous));
    pages += "\">\u2190 Previous</a>";
  }
  if (first < matching && first + rendered < matching) {
    pages += "<a rel=\"next\" href=\"";
    append_escaped(pages, page_href(query, first + rendered));
    pages += "\">Next " + with_thousands(std::min(query.limit, matching - first - rendered)) + " \u2192</a>";
  }
  return pages;
}

}  // namespace

std::string render_status_page(const StatusPageModel& model, const StatusPageQuery& query,
                               std::chrono::system_clock::time_point now, const HintsFn& hints) {
  const auto& counts = model.counts;
  const std::size_t matching = model.matching;
  const std::size_t total = model.total;
  std::string out;
  out.reserve(8192 + std::min(matching, query.limit) * 1400);
  out +=
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<meta name=\"color-scheme\" content=\"light dark\">"
      "<title>rdns_exporter: ";
  out += std::to_string(counts[static_cast<std::size_t>(TargetState::failing)]);
  out += " failing</title><style>";
  out += k_status_page_css;
  out += "</style></head><body><header><h1>rdns_exporter</h1><p class=\"sub\">Reverse DNS of ";
  out += with_thousands(total);
  out += total == 1 ? " sending IP" : " sending IPs";
  out += " \u00b7 ";
  out += format_utc(now);
  out += "</p><nav class=\"counts\" aria-label=\"Summary\">";
  append_counts(out, model, query);
  append_search_form(out, query);
  if (!model.resolver_problem.empty()) {
    out += "<p class=\"resolver-problem\" id=\"resolver-problem\" role=\"alert\">";
    append_escaped(out, model.resolver_problem);
    out += "</p>";
  }

  append_shown_note(out, model, query);
  // Above and below the cards.
  const std::string pages = page_links(model, query);
  if (!pages.empty()) out += "<nav class=\"pages\" aria-label=\"Pages\">" + pages + "</nav>";
  out += "</header><main>\n";

  for (const ShownTarget& shown : model.shown) render_target_card(out, shown, now, hints);
  out += "</main>";
  if (!pages.empty()) out += "<nav class=\"pages\" aria-label=\"More pages\">" + pages + "</nav>";
  out +=
      "<footer>Verdicts are withheld while a lookup is not definitive (SERVFAIL, timeout, "
      "bogus): a resolver problem is never reported as a missing record. Metrics: <a href=\"";
  append_escaped(out, query.telemetry_path);
  out += "\">";
  append_escaped(out, query.telemetry_path);
  out += "</a>.</footer></body></html>\n";
  return out;
}

std::string render_status_page(const std::vector<TargetStatus>& targets, const StatusPageQuery& query,
                               std::chrono::system_clock::time_point now, const HintsFn& hints) {
  return render_status_page(select_status_rows(targets, query), query, now, hints);
}

}  // namespace rdns::agent
