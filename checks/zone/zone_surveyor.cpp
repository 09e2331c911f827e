// Zone cuts, NS sets and server surveys, each shared per zone; see zone_surveyor.hpp.
#include "checks/zone/zone_surveyor.hpp"

#include <algorithm>
#include <mutex>
#include <unordered_map>

#include "checks/hostname.hpp"
#include "checks/verdict.hpp"
#include "checks/zone/memo.hpp"
#include "checks/zone/ptr_compare.hpp"
#include "checks/zone/server_state.hpp"

namespace rdns::checks::zone {
namespace {

using Clock = std::chrono::steady_clock;
using SurveyPtr = std::shared_ptr<const ZoneSurvey>;

// A survey started with less time than this before the check's deadline cannot tell a slow
// server from a dead one: its timeouts make it undecided (and are not remembered).
constexpr auto k_min_wait = std::chrono::seconds(1);

// Walking up from a reverse name takes at most 34 steps (ip6.arpa); bound it anyway.
constexpr int k_max_cut_steps = 40;

// "a.b.c." -> "b.c."; "" above the top label. Escaped dots are not separators.
std::string parent_of(std::string_view name) {
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '\\') {
      ++i;
    } else if (name[i] == '.') {
      std::string rest(name.substr(i + 1));
      return rest.empty() || rest == "." ? std::string() : rest;
    }
  }
  return {};
}

std::string absolute(std::string_view name) { return normalise_hostname(name) + "."; }

double unix_now() { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); }

std::string failed(std::string_view what, const DnsAnswer& answer) {
  std::string out = std::string(what) + ": " + std::string(to_string(answer.status));
  if (!answer.detail.empty()) out += " (" + answer.detail + ")";
  return out;
}

// One survey of one zone in flight: NS names, their addresses, then each address's SOA.
struct SurveyRun {
  std::mutex mutex;
  ZoneSurvey survey;
  int pending = 0;
  std::vector<std::pair<std::string, std::string>> addresses;  // (nameserver, address)
  std::unordered_map<std::string, int> found;                  // nameserver -> addresses found
  std::unordered_map<std::string, std::string> failure;        // nameserver -> a failed lookup
  bool short_budget = false;                                   // started under k_min_wait before the deadline
};

}  // namespace

struct ZoneSurveyor::Impl : std::enable_shared_from_this<Impl> {
  Impl(Resolver& r, ServerQuerier& q, std::uint16_t p) : resolver(r), querier(q), port(p) {}

  Resolver& resolver;
  ServerQuerier& querier;
  const std::uint16_t port;
  Memo<ZoneCut> cuts;       // by parent name (names directly under it share the cut); by the name itself for an apex
  Memo<SurveyPtr> surveys;  // by zone apex

  // Addresses that timed out, until when they are taken as down without asking: a dead server
  // usually serves many zones (a /16 of /24s), and each survey would otherwise wait for the
  // deadline again. Other failures (refused, lame) are quick and per zone: not remembered.
  std::mutex silent_mutex;  // guards silent
  std::unordered_map<std::string, Clock::time_point> silent;

  bool known_silent(const std::string& address) {
    std::lock_guard lock(silent_mutex);
    auto it = silent.find(address);
    return it != silent.end() && it->second > Clock::now();
  }

  void note_silent(const std::string& address, std::chrono::milliseconds max_age) {
    std::lock_guard lock(silent_mutex);
    if (silent.size() >= 4096) std::erase_if(silent, [](const auto& e) { return e.second <= Clock::now(); });
    silent[address] = Clock::now() + max_age;
  }

  // The "consistent by serial" result of a one-zone survey, shared by every IP of the zone (a /16
  // keeps 256 of them, not 65,536). Keyed by the survey, which the live result keeps alive.
  std::mutex shared_mutex;  // guards shared_results
  std::unordered_map<const ZoneSurvey*, std::weak_ptr<const PtrConsistency>> shared_results;

  std::shared_ptr<const PtrConsistency> shared_result(const ZoneSurvey* survey) {
    std::lock_guard lock(shared_mutex);
    auto it = shared_results.find(survey);
    return it == shared_results.end() ? nullptr : it->second.lock();
  }

  void share_result(const ZoneSurvey* survey, const std::shared_ptr<const PtrConsistency>& result) {
    std::lock_guard lock(shared_mutex);
    if (shared_results.size() >= 1024) std::erase_if(shared_results, [](const auto& e) { return e.second.expired(); });
    shared_results[survey] = result;
  }

  // --- zone cuts
  void find_zone(const std::string& name, Deadline deadline, std::chrono::milliseconds max_age, CutDone done) {
    const std::string exact = absolute(name);
    const auto now = Clock::now();
    if (auto cut = cuts.peek(exact, now)) {
      done(std::move(*cut));
      return;
    }
    std::string key = parent_of(exact);
    if (key.empty()) key = exact;
    auto self = shared_from_this();
    // A cut found to be the asker's own apex says nothing about its siblings: they look again.
    auto waiter = [self, exact, deadline, done](const ZoneCut& cut) {
      if (cut.soa || !cut.problem.empty()) return done(cut);
      if (auto own = self->cuts.peek(exact, Clock::now())) return done(*own);
      self->walk(exact, 0, deadline, done);
    };
    ZoneCut ready;
    switch (cuts.ask(key, now, waiter, ready)) {
      case Memo<ZoneCut>::Ask::ready: waiter(ready); return;
      case Memo<ZoneCut>::Ask::wait: return;
      case Memo<ZoneCut>::Ask::compute: break;
    }
    walk(exact, 0, deadline, [self, exact, key, max_age](ZoneCut cut) {
      const auto now = Clock::now();
      if (cut.soa && absolute(cut.soa->zone) == exact && exact != key) {
        self->cuts.put(exact, cut, now + max_age);
        self->cuts.put(key, ZoneCut{}, now);  // siblings look for themselves
        return;
      }
      self->cuts.put(key, cut, cut.soa ? now + max_age : now);
    });
  }

  // SOA of `name`: its own (an apex), the authority SOA of a negative answer, or up one label.
  void walk(const std::string& name, int step, Deadline deadline, CutDone done) {
    auto self = shared_from_this();
    resolver.resolve(name, RrType::SOA, deadline, [self, name, step, deadline, done](DnsAnswer answer) {
      if (!is_definitive(answer.status)) return done(ZoneCut{std::nullopt, failed("SOA lookup of " + name, answer)});
      // A CNAME (RFC 2317) leads into another zone: the name itself sits in the zone above.
      if (answer.canonical_name.empty()) {
        if (auto soa = soa_from_answer(name, answer)) return done(ZoneCut{soa, {}});
      }
      const std::string parent = parent_of(name);
      if (parent.empty() || step + 1 >= k_max_cut_steps || Clock::now() >= deadline) {
        return done(ZoneCut{std::nullopt, "no zone found above " + name});
      }
      self->walk(parent, step + 1, deadline, done);
    });
  }

  // --- surveys
  void survey(const SoaInfo& soa, Deadline deadline, std::chrono::milliseconds max_age,
              std::function<void(SurveyPtr)> done) {
    const std::string key = absolute(soa.zone);
    const auto now = Clock::now();
    SurveyPtr ready;
    switch (surveys.ask(
        key, now, [done](const SurveyPtr& s) { done(s); }, ready)) {
      case Memo<SurveyPtr>::Ask::ready: done(ready); return;
      case Memo<SurveyPtr>::Ask::wait: return;
      case Memo<SurveyPtr>::Ask::compute: break;
    }
    auto run = std::make_shared<SurveyRun>();
    run->survey.zone = soa.zone;
    run->survey.soa = soa;
    run->short_budget = deadline - now < k_min_wait;
    auto self = shared_from_this();
    resolver.resolve(key, RrType::NS, deadline, [self, run, key, deadline, max_age](DnsAnswer answer) {
      self->on_ns(run, key, deadline, max_age, std::move(answer));
    });
  }

  void on_ns(const std::shared_ptr<SurveyRun>& run, const std::string& key, Deadline deadline,
             std::chrono::milliseconds max_age, DnsAnswer answer) {
    if (answer.status != LookupStatus::ok || answer.records.empty()) {
      run->survey.problem = failed("NS lookup of " + key, answer);
      return finish(run, key, max_age);
    }
    std::vector<std::string> names;
    for (const std::string& record : answer.records) names.push_back(normalise_hostname(record));
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    run->pending = static_cast<int>(names.size()) * 2;  // before the first resolve(): it may answer at once
    auto self = shared_from_this();
    for (const std::string& ns : names) {
      for (RrType type : {RrType::A, RrType::AAAA}) {
        resolver.resolve(ns + ".", type, deadline, [self, run, key, ns, deadline, max_age](DnsAnswer a) {
          self->on_address(run, key, ns, deadline, max_age, std::move(a));
        });
      }
    }
  }

  void on_address(const std::shared_ptr<SurveyRun>& run, const std::string& key, const std::string& ns,
                  Deadline deadline, std::chrono::milliseconds max_age, DnsAnswer answer) {
    std::vector<std::pair<std::string, std::string>> to_ask;
    {
      std::lock_guard lock(run->mutex);
      int& count = run->found[ns];
      if (answer.status == LookupStatus::ok) {
        for (const std::string& address : answer.records) run->addresses.emplace_back(ns, address);
        count += static_cast<int>(answer.records.size());
      } else if (!is_definitive(answer.status)) {
        run->failure[ns] = failed("address lookup", answer);
      }
      if (--run->pending > 0) return;
      for (const auto& [name, found] : run->found) {
        if (found > 0) continue;
        auto why = run->failure.find(name);
        run->survey.servers.push_back(
            ZoneServer{name, "", ServerState::unreachable, why == run->failure.end() ? "no address" : why->second, 0});
      }
      to_ask = run->addresses;
      run->pending = static_cast<int>(to_ask.size());
    }
    if (to_ask.empty()) return finish(run, key, max_age);
    auto self = shared_from_this();
    for (const auto& entry : to_ask) {
      // Copied out of the pair: clang before 16 cannot capture a structured binding.
      const auto& name = entry.first;
      const auto& address = entry.second;
      auto on_reply = [self, run, key, max_age, name, address](ServerReply reply) {
        if (reply.outcome == ServerReply::Outcome::timeout && !run->short_budget) self->note_silent(address, max_age);
        ZoneServer server{name, address, ServerState::unreachable, {}, 0};
        classify_soa_reply(reply, key, server);
        {
          std::lock_guard lock(run->mutex);
          run->survey.servers.push_back(std::move(server));
          if (--run->pending > 0) return;
        }
        self->finish(run, key, max_age);
      };
      if (known_silent(address)) {
        on_reply(ServerReply{ServerReply::Outcome::timeout, {}, "timeout"});
      } else {
        querier.ask(address, port, key, RrType::SOA, deadline, std::move(on_reply));
      }
    }
  }

  void finish(const std::shared_ptr<SurveyRun>& run, const std::string& key, std::chrono::milliseconds max_age) {
    auto survey = std::make_shared<ZoneSurvey>(std::move(run->survey));
    std::sort(survey->servers.begin(), survey->servers.end(), [](const ZoneServer& a, const ZoneServer& b) {
      return std::tie(a.nameserver, a.address) < std::tie(b.nameserver, b.address);
    });
    survey->surveyed_at = unix_now();
    const bool timed_out = std::any_of(survey->servers.begin(), survey->servers.end(),
                                       [](const ZoneServer& s) { return s.reason == "timeout"; });
    if (run->short_budget && timed_out && survey->problem.empty()) {
      survey->problem = "too little time left in the check to wait for every server";
    }
    const auto now = Clock::now();
    // A failed survey (resolver problem) is not kept: the next check asks again.
    surveys.put(key, survey, survey->problem.empty() ? now + max_age : now);
  }
};

ZoneSurveyor::ZoneSurveyor(Resolver& resolver, ServerQuerier& querier, std::uint16_t port)
    : m_impl(std::make_shared<Impl>(resolver, querier, port)) {}

ZoneSurveyor::~ZoneSurveyor() = default;

void ZoneSurveyor::find_zone(const std::string& name, Deadline deadline, std::chrono::milliseconds max_age,
                             CutDone done) {
  m_impl->find_zone(name, deadline, max_age, std::move(done));
}

void ZoneSurveyor::check(const std::string& reverse_name, const std::string& canonical_name, Deadline deadline,
                         std::chrono::milliseconds max_age, Done done) {
  std::vector<std::string> names{absolute(reverse_name)};
  if (!canonical_name.empty() && absolute(canonical_name) != names.front()) names.push_back(absolute(canonical_name));
  struct Run {
    std::mutex mutex;
    std::vector<SurveyPtr> zones;
    std::string problem;
    int pending = 0;
  };
  auto run = std::make_shared<Run>();
  run->zones.resize(names.size());
  run->pending = static_cast<int>(names.size());
  auto impl = m_impl;
  auto one_done = [impl, run, names, deadline, done]() {
    {
      std::lock_guard lock(run->mutex);
      if (--run->pending > 0) return;
    }
    if (!run->problem.empty()) {
      auto result = std::make_shared<PtrConsistency>();
      result->reason = run->problem;
      for (const SurveyPtr& zone : run->zones) {
        if (zone) result->zones.push_back(zone);
      }
      return done(std::move(result));
    }
    if (run->zones.size() == 1) {
      const ZoneSurvey* survey = run->zones.front().get();
      if (auto shared = impl->shared_result(survey)) return done(std::move(shared));
      return compare_ptr_sets(impl->querier, impl->port, names, run->zones, deadline,
                              [impl, survey, done](std::shared_ptr<const PtrConsistency> result) {
                                if (result->state == Consistency::consistent && result->per_server.empty()) {
                                  impl->share_result(survey, result);
                                }
                                done(std::move(result));
                              });
    }
    compare_ptr_sets(impl->querier, impl->port, names, run->zones, deadline, done);
  };
  for (std::size_t i = 0; i < names.size(); ++i) {
    m_impl->find_zone(names[i], deadline, max_age, [impl, run, i, deadline, max_age, one_done](ZoneCut cut) {
      if (!cut.soa) {
        {
          std::lock_guard lock(run->mutex);
          run->problem = cut.problem;
        }
        return one_done();
      }
      impl->survey(*cut.soa, deadline, max_age, [run, i, one_done](SurveyPtr survey) {
        {
          std::lock_guard lock(run->mutex);
          run->zones[i] = std::move(survey);
        }
        one_done();
      });
    });
  }
}

}  // namespace rdns::checks::zone
