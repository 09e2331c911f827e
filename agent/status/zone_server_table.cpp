#include "agent/status/zone_server_table.hpp"

#include "checks/zone/zone_remediation.hpp"
#include "util/text_escape.hpp"

namespace rdns::agent {
namespace {

void cell(std::string& out, std::string_view text) {
  out += "<td>";
  out += text::html_escape(text);
  out += "</td>";
}

bool all_alike(const checks::PtrConsistency& c) {
  if (c.state != checks::Consistency::consistent) return false;
  for (const auto& zone : c.zones) {
    if (zone->answering() != zone->servers.size()) return false;
    for (const auto& server : zone->servers) {
      if (server.serial != zone->servers.front().serial) return false;
    }
  }
  return true;
}

}  // namespace

void render_zone_servers(std::string& out, const checks::PtrConsistency& c, bool with_hints) {
  if (all_alike(c)) {
    std::string line;
    for (const auto& zone : c.zones) {
      if (!line.empty()) line += "; ";
      line += zone->zone + ": " + std::to_string(zone->servers.size()) + " of " + std::to_string(zone->servers.size()) +
              " servers answer, serial " + (zone->servers.empty() ? "-" : std::to_string(zone->servers.front().serial));
    }
    out += "<p class=\"zone-servers\">Zone servers: consistent (";
    out += text::html_escape(line);
    out += ")</p>";
    return;
  }
  out += "<div class=\"zone-servers\"><p>Zone servers: ";
  out += text::html_escape(checks::zone::consistency_summary(c));
  out +=
      "</p><table><thead><tr><th>zone</th><th>name server</th><th>address</th><th>state</th><th>serial</th>"
      "<th>serves</th></tr></thead><tbody>";
  for (const auto& row : checks::zone::server_rows(c)) {
    out += row.up ? "<tr>" : "<tr class=\"down\">";
    cell(out, row.zone);
    cell(out, row.nameserver);
    cell(out, row.address.empty() ? "-" : row.address);
    cell(out, row.state);
    cell(out, row.serial ? std::to_string(*row.serial) : "-");
    cell(out, row.records ? *row.records : "-");
    out += "</tr>";
  }
  out += "</tbody></table>";
  const auto hints = with_hints ? checks::zone::zone_server_hints(c) : std::vector<std::string>{};
  if (!hints.empty()) {
    out += "<ul>";
    for (const auto& hint : hints) {
      out += "<li>";
      out += text::html_escape(hint);
      out += "</li>";
    }
    out += "</ul>";
  }
  out += "</div>";
}

}  // namespace rdns::agent
