// Per-IP comparison of what each server serves; see ptr_compare.hpp.
#include "checks/zone/ptr_compare.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>

namespace rdns::checks::zone {
namespace {

using SurveyPtr = std::shared_ptr<const ZoneSurvey>;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string join(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

// "old.example.test." for a PTR set, "no record" for an empty one.
std::string describe_records(const std::vector<std::string>& records) {
  if (records.empty()) return "no record";
  std::vector<std::string> names;
  for (const std::string& record : records) {
    names.push_back(record.rfind("PTR ", 0) == 0 ? record.substr(4) : record);
  }
  return join(names, ", ");
}

std::string server_name(const ServerPtrSet& s) { return s.nameserver + " (" + s.address + ")"; }

// Does the zone need the per-name question? Only when its answering servers' serials differ.
bool serials_differ(const ZoneSurvey& zone) {
  std::optional<std::uint32_t> first;
  for (const ZoneServer& server : zone.servers) {
    if (server.state != ServerState::answering) continue;
    if (first && *first != server.serial) return true;
    first = server.serial;
  }
  return false;
}

std::shared_ptr<PtrConsistency> undecidable(std::vector<SurveyPtr> zones, std::string reason) {
  auto out = std::make_shared<PtrConsistency>();
  out->state = Consistency::undecidable;
  out->reason = std::move(reason);
  out->zones = std::move(zones);
  return out;
}

}  // namespace

std::optional<std::vector<std::string>> records_at(const Reply& reply, std::string_view name) {
  if (!reply.authoritative || (reply.rcode != 0 && reply.rcode != 3)) return std::nullopt;
  std::vector<std::string> out;
  for (const ReplyRecord& record : reply.answer) {
    if (!same_name(record.owner, name)) continue;
    if (record.type == static_cast<std::uint16_t>(RrType::PTR)) out.push_back("PTR " + lower(record.data));
    if (record.type == static_cast<std::uint16_t>(RrType::CNAME)) out.push_back("CNAME " + lower(record.data));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

PtrConsistency judge(std::vector<SurveyPtr> zones, std::vector<ServerPtrSet> per_server) {
  PtrConsistency out;
  out.zones = std::move(zones);
  out.state = Consistency::consistent;
  std::vector<std::string> differences;
  std::map<std::string, std::vector<const ServerPtrSet*>> by_zone;
  for (const ServerPtrSet& s : per_server) by_zone[s.zone].push_back(&s);
  for (const auto& [zone, servers] : by_zone) {
    // The reference: the server with the newest serial (the primary, after a change).
    const ServerPtrSet* newest = servers.front();
    for (const ServerPtrSet* s : servers) {
      if (serial_newer(s->serial, newest->serial)) newest = s;
    }
    for (const ServerPtrSet* s : servers) {
      if (s->records == newest->records) continue;
      out.state = Consistency::inconsistent;
      differences.push_back(server_name(*s) + " serves " + describe_records(s->records) + " (serial " +
                            std::to_string(s->serial) + ") where " + server_name(*newest) + " serves " +
                            describe_records(newest->records) + " (serial " + std::to_string(newest->serial) + ")");
    }
  }
  out.reason = join(differences, "; ");
  out.per_server = std::move(per_server);
  return out;
}

void compare_ptr_sets(ServerQuerier& querier, std::uint16_t port, std::vector<std::string> names,
                      std::vector<SurveyPtr> zones, ServerQuerier::Deadline deadline,
                      std::function<void(std::shared_ptr<const PtrConsistency>)> done) {
  struct Question {
    std::size_t zone;
    const ZoneServer* server;
  };
  std::vector<Question> questions;
  for (std::size_t i = 0; i < zones.size(); ++i) {
    const ZoneSurvey& zone = *zones[i];
    if (!zone.problem.empty()) return done(undecidable(zones, "could not survey " + zone.zone + ": " + zone.problem));
    if (zone.answering() == 0) return done(undecidable(zones, "no server of " + zone.zone + " answers"));
    if (!serials_differ(zone)) continue;
    for (const ZoneServer& server : zone.servers) {
      if (server.state == ServerState::answering) questions.push_back(Question{i, &server});
    }
  }
  if (questions.empty()) {
    auto out = std::make_shared<PtrConsistency>();
    out->state = Consistency::consistent;
    out->zones = std::move(zones);
    return done(std::move(out));
  }
  struct Run {
    std::mutex mutex;
    std::vector<ServerPtrSet> answers;
    std::size_t pending = 0;
  };
  auto run = std::make_shared<Run>();
  run->pending = questions.size();
  for (const Question& q : questions) {
    const std::string& name = names[q.zone];
    ServerPtrSet set{zones[q.zone]->zone, q.server->nameserver, q.server->address, q.server->serial, {}};
    querier.ask(q.server->address, port, name, RrType::PTR, deadline,
                [run, zones, name, set, done](ServerReply reply) mutable {
                  std::optional<std::vector<std::string>> records;
                  if (reply.outcome == ServerReply::Outcome::reply) records = records_at(reply.reply, name);
                  {
                    std::lock_guard lock(run->mutex);
                    if (records) {
                      set.records = std::move(*records);
                      run->answers.push_back(std::move(set));
                    }
                    if (--run->pending > 0) return;
                  }
                  std::sort(run->answers.begin(), run->answers.end(), [](const ServerPtrSet& a, const ServerPtrSet& b) {
                    return std::tie(a.zone, a.nameserver, a.address) < std::tie(b.zone, b.nameserver, b.address);
                  });
                  if (run->answers.empty()) return done(undecidable(zones, "no server answered for " + name));
                  done(std::make_shared<PtrConsistency>(judge(zones, std::move(run->answers))));
                });
  }
}

}  // namespace rdns::checks::zone
