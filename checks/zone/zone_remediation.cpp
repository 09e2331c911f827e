#include "checks/zone/zone_remediation.hpp"

#include "checks/remediation.hpp"

namespace rdns::checks::zone {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string names_of(const std::vector<std::string>& records) {
  if (records.empty()) return "no record";
  std::vector<std::string> names;
  for (const std::string& record : records) names.push_back(record.rfind("PTR ", 0) == 0 ? record.substr(4) : record);
  return join(names);
}

std::string who_runs(const ZoneSurvey& zone) {
  if (!zone.soa) return "the zone " + zone.zone;
  return "the zone " + describe_zone(*zone.soa);
}

const ServerPtrSet* newest_in(const std::vector<ServerPtrSet>& sets, const std::string& zone) {
  const ServerPtrSet* newest = nullptr;
  for (const ServerPtrSet& s : sets) {
    if (s.zone == zone && (!newest || serial_newer(s.serial, newest->serial))) newest = &s;
  }
  return newest;
}

void stale_hints(const PtrConsistency& c, std::vector<std::string>& hints) {
  for (const auto& zone : c.zones) {
    const ServerPtrSet* newest = newest_in(c.per_server, zone->zone);
    if (!newest) continue;
    for (const ServerPtrSet& s : c.per_server) {
      if (s.zone != zone->zone || s.records == newest->records) continue;
      const bool older = serial_newer(newest->serial, s.serial);
      hints.push_back("Server " + s.nameserver + " (" + s.address + ") " +
                      (older ? "still serves the old name " : "serves ") + names_of(s.records) + ", serial " +
                      std::to_string(s.serial) + " vs " + std::to_string(newest->serial) + " on " + newest->nameserver +
                      " (" + newest->address + ", which serves " + names_of(newest->records) +
                      "): receivers whose resolver asks it see the other name. " +
                      (older ? "It has not transferred the zone since the change: "
                             : "Both claim the same version with different data (two primaries?): ") +
                      "ask whoever runs " + who_runs(*zone) +
                      " to check the zone transfer to it (NOTIFY, allow-transfer, the secondary's refresh).");
    }
  }
}

void server_hints(const PtrConsistency& c, std::vector<std::string>& hints) {
  for (const auto& zone : c.zones) {
    if (zone->answering() == 0) continue;  // nobody answers: the IP's own lookups say so
    for (const ZoneServer& server : zone->servers) {
      if (server.state == ServerState::answering) continue;
      const std::string where =
          server.address.empty() ? server.nameserver : server.nameserver + " (" + server.address + ")";
      const std::string what = server.state == ServerState::lame ? "is lame for " : "does not answer for ";
      hints.push_back("Name server " + where + " " + what + zone->zone + " (" + server.reason +
                      ") while the others answer: receivers whose resolver picks it wait or fail, and Postfix "
                      "answers such mail with a temporary 450 (\"cannot find your hostname\"). Ask whoever runs " +
                      who_runs(*zone) + " to fix that server or remove its NS record.");
    }
  }
}

}  // namespace

std::vector<ServerRow> server_rows(const PtrConsistency& c) {
  std::vector<ServerRow> rows;
  for (const auto& zone : c.zones) {
    for (const ZoneServer& server : zone->servers) {
      ServerRow row{zone->zone,
                    server.nameserver,
                    server.address,
                    std::string(to_string(server.state)),
                    server.state == ServerState::answering,
                    std::nullopt,
                    std::nullopt};
      if (!server.reason.empty()) row.state += " (" + server.reason + ")";
      if (row.up) row.serial = server.serial;
      for (const ServerPtrSet& s : c.per_server) {
        if (s.zone == zone->zone && s.address == server.address && s.nameserver == server.nameserver) {
          row.records = names_of(s.records);
        }
      }
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

std::vector<std::string> zone_server_hints(const PtrConsistency& c) {
  std::vector<std::string> hints;
  stale_hints(c, hints);
  server_hints(c, hints);
  return hints;
}

std::string consistency_summary(const PtrConsistency& c) {
  std::string out(to_string(c.state));
  if (!c.reason.empty()) out += ": " + c.reason;
  return out;
}

}  // namespace rdns::checks::zone
