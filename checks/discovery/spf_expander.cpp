// The expansion walks the include/redirect tree depth-first, one record at a time, in record
// order, exactly as an RFC 7208 evaluation would reach the terms: so the 10-term and void
// limits, loops and the first error are the same whatever order the answers come back in.
// Only the a/mx lookups (and the address lookups of MX names) run concurrently with the walk.
// Every term that queries DNS gets a sequence number (its position in that depth-first order);
// errors found asynchronously are kept with theirs, and the earliest one wins.
//
// Concurrency: one mutex guards the state; resolve() is never called with it held (a resolver
// may complete inline), and `done` is called once, outside it.
#include "checks/discovery/spf_expander.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <utility>

#include "checks/discovery/spf_findings.hpp"
#include "checks/discovery/spf_record.hpp"

namespace rdns::checks::discovery {
namespace {

using Seq = SpfSeq;

std::string status_text(const DnsAnswer& answer) {
  std::string text(to_string(answer.status));
  if (!answer.detail.empty()) text += " (" + answer.detail + ")";
  return text;
}

// One record being walked: its domain, parsed terms, where the walk is, and how it was reached
// ("" at the top, "include:x" or "redirect=x") for messages.
struct Frame {
  std::string domain;
  SpfRecord record;
  std::size_t next = 0;
  std::string via;
  bool redirect_done = false;
};

class Expansion : public std::enable_shared_from_this<Expansion> {
public:
  Expansion(Resolver& resolver, std::string domain, SpfLimits limits, Resolver::Deadline deadline,
            std::function<void(SpfExpansion)> done)
      : m_resolver(resolver),
        m_limits(limits),
        m_deadline(deadline),
        m_done(std::move(done)),
        m_top(std::move(domain)),
        m_findings(limits) {}

  void start() {
    Actions actions;
    {
      std::lock_guard lock(m_mutex);
      const auto domain = spf_lookup_domain(m_top);
      if (!domain) {
        m_findings.fail_now(SpfOutcome::permerror, "not a domain name: " + quote_spf_text(m_top));
        m_walk_done = true;
      } else {
        m_top = *domain;
        m_path.push_back(m_top);
        request_record(m_top, "", 0, actions);
      }
      walk(actions);
      if (!actions.empty()) ++m_issuing;
    }
    run(std::move(actions));
  }

private:
  // Lookups to start once the lock is released.
  struct Lookup {
    std::string name;
    RrType type;
    Resolver::Callback callback;
  };
  using Actions = std::vector<Lookup>;

  // --- under the lock ------------------------------------------------------------------------

  std::string where() const {
    if (m_stack.empty()) return m_top;
    const Frame& f = m_stack.back();
    return f.via.empty() ? f.domain : f.via;
  }

  // The TXT lookup of the record at `domain`; the walk waits for it.
  void request_record(const std::string& domain, std::string via, Seq seq, Actions& actions) {
    m_waiting_record = true;
    m_outstanding.insert(seq);
    auto self = shared_from_this();
    actions.push_back({domain + ".", RrType::TXT, [self, domain, via, seq](DnsAnswer answer) {
                         self->on_record(domain, via, seq, std::move(answer));
                       }});
  }

  void lookup(const std::string& name, RrType type, Seq seq, Actions& actions,
              std::function<void(Expansion&, DnsAnswer, Actions&)> handle) {
    m_outstanding.insert(seq);
    auto self = shared_from_this();
    actions.push_back({name + ".", type, [self, seq, handle = std::move(handle)](DnsAnswer answer) {
                         Actions more;
                         {
                           std::lock_guard lock(self->m_mutex);
                           self->m_outstanding.erase(self->m_outstanding.find(seq));
                           if (self->m_finished) return;  // the result is decided: start nothing more
                           handle(*self, std::move(answer), more);
                           self->walk(more);
                           if (!more.empty()) ++self->m_issuing;
                         }
                         self->run(std::move(more));
                       }});
  }

  void on_record(const std::string& domain, const std::string& via, Seq seq, DnsAnswer answer) {
    Actions actions;
    {
      std::lock_guard lock(m_mutex);
      m_outstanding.erase(m_outstanding.find(seq));
      m_waiting_record = false;
      if (m_finished) return;
      const std::string in = via.empty() ? "" : " (" + via + ")";
      if (!is_definitive(answer.status)) {
        m_findings.error_at(seq, SpfOutcome::temperror, "TXT lookup of " + domain + ": " + status_text(answer) + in);
      } else {
        const SpfSelection selection =
            select_spf_record(answer.status == LookupStatus::ok ? answer.records : std::vector<std::string>{});
        if (selection.kind == SpfSelection::Kind::none) {
          if (via.empty()) {
            m_findings.no_record();
          } else {
            m_findings.error_at(seq, SpfOutcome::permerror, via + " has no SPF record (in " + where() + ")");
          }
        } else if (selection.kind == SpfSelection::Kind::several) {
          m_findings.error_at(seq, SpfOutcome::permerror,
                              std::to_string(selection.count) + " SPF records at " + domain + in);
        } else if (auto record = parse_spf_record(selection.record); !record) {
          m_findings.error_at(seq, SpfOutcome::permerror, "SPF record of " + domain + ": " + record.error() + in);
        } else {
          m_stack.push_back(Frame{domain, std::move(*record), 0, via, false});
        }
      }
      if (m_stack.empty()) m_walk_done = true;
      walk(actions);
      if (!actions.empty()) ++m_issuing;
    }
    run(std::move(actions));
  }

  // Advances the depth-first walk until it must wait for a record, ends, or an error makes the
  // rest irrelevant.
  void walk(Actions& actions) {
    while (!m_walk_done && !m_waiting_record) {
      if (m_findings.first_error() != k_no_spf_error) {
        m_walk_done = true;  // every term still to come is later than that error
        break;
      }
      if (m_stack.empty()) {
        m_walk_done = true;
        break;
      }
      Frame& frame = m_stack.back();
      if (frame.next < frame.record.mechanisms.size()) {
        const SpfMechanism m = frame.record.mechanisms[frame.next++];
        term(frame, m, actions);
        continue;
      }
      if (!frame.redirect_done && frame.record.redirect && !frame.record.has_all) {
        frame.redirect_done = true;
        redirect(frame, actions);
        continue;
      }
      m_stack.pop_back();
      // A redirect's record ends the record that redirected to it, too (RFC 7208 6.1).
      while (!m_stack.empty() && m_stack.back().redirect_done) {
        m_path.pop_back();
        m_stack.pop_back();
      }
      if (!m_path.empty()) m_path.pop_back();
    }
    maybe_finish();
  }

  // Counts a DNS-querying term; false (and the error) past the limit.
  bool count(const Frame& frame, const std::string& term_text, Seq& seq) {
    seq = ++m_dns_terms;
    if (m_dns_terms > m_limits.max_dns_terms) {
      m_findings.error_at(seq, SpfOutcome::permerror,
                          "more than " + std::to_string(m_limits.max_dns_terms) + " DNS-querying terms: " + term_text +
                              " is the " + ordinal(m_dns_terms) + " (in " +
                              (frame.via.empty() ? frame.domain : frame.via) + ")");
      return false;
    }
    return true;
  }

  std::string context(const Frame& frame) const {
    return " (in " + (frame.via.empty() ? frame.domain : frame.via) + ")";
  }

  void not_expandable(Seq seq, const Frame& frame, const std::string& text) {
    m_findings.not_expandable(seq, text + context(frame));
  }

  void term(const Frame& frame, const SpfMechanism& m, Actions& actions) {
    if (m.kind == SpfMechanismKind::all) {
      // `+all` authorises every address: nothing to enumerate, but the caller must know.
      if (m.qualifier == SpfQualifier::pass) not_expandable(m_dns_terms, frame, m.text);
      frame_end_at_all();
      return;
    }
    Seq seq = 0;
    if (m.queries_dns() && !count(frame, m.text, seq)) return;
    const bool pass = m.qualifier == SpfQualifier::pass;
    if (!pass) return;  // names addresses that must not send; counted, never looked up
    switch (m.kind) {
      case SpfMechanismKind::ip4:
      case SpfMechanismKind::ip6: m_findings.network(m.network); return;
      case SpfMechanismKind::ptr:
      case SpfMechanismKind::exists: not_expandable(seq, frame, m.text); return;
      case SpfMechanismKind::include:
        if (m.domain.has_macro) return not_expandable(seq, frame, m.text);
        return descend(frame, *spf_lookup_domain(m.domain.text), "include:" + m.domain.text, seq, actions);
      case SpfMechanismKind::a:
      case SpfMechanismKind::mx: {
        if (m.domain.has_macro) return not_expandable(seq, frame, m.text);
        const std::string target = m.domain.text.empty() ? frame.domain : *spf_lookup_domain(m.domain.text);
        if (m.kind == SpfMechanismKind::a) {
          addresses(target, m, seq, context(frame), true, actions);
        } else {
          mx(target, m, seq, context(frame), actions);
        }
        return;
      }
      case SpfMechanismKind::all: return;
    }
  }

  // `all` always matches: the terms after it are never reached by an evaluation.
  void frame_end_at_all() {
    Frame& frame = m_stack.back();
    frame.next = frame.record.mechanisms.size();
  }

  void redirect(const Frame& frame, Actions& actions) {
    Seq seq = 0;
    if (!count(frame, frame.record.redirect_text, seq)) return;
    if (frame.record.redirect->has_macro) return not_expandable(seq, frame, frame.record.redirect_text);
    descend(frame, *spf_lookup_domain(frame.record.redirect->text), "redirect=" + frame.record.redirect->text, seq,
            actions);
  }

  void descend(const Frame& frame, const std::string& domain, std::string via, Seq seq, Actions& actions) {
    if (std::find(m_path.begin(), m_path.end(), domain) != m_path.end()) {
      std::string chain;
      for (const auto& d : m_path) chain += d + " -> ";
      m_findings.error_at(seq, SpfOutcome::permerror, "include/redirect loop: " + chain + domain + context(frame));
      return;
    }
    m_path.push_back(domain);
    request_record(domain, std::move(via), seq, actions);
  }

  // A and AAAA of `name`, each masked to the term's cidr length. `counts_void`: an `a` term whose
  // name has no address in either family is a void lookup (MX names are not counted).
  void addresses(const std::string& name, const SpfMechanism& m, Seq seq, const std::string& in, bool counts_void,
                 Actions& actions) {
    auto state = std::make_shared<std::pair<int, bool>>(0, false);  // answers so far, any record
    for (const RrType type : {RrType::A, RrType::AAAA}) {
      lookup(name, type, seq, actions, [=](Expansion& self, DnsAnswer answer, Actions&) {
        ++state->first;
        const std::string family = type == RrType::A ? "A" : "AAAA";
        if (!is_definitive(answer.status)) {
          self.m_findings.error_at(seq, SpfOutcome::temperror,
                                   family + " lookup of " + name + " for " + m.text + ": " + status_text(answer) + in);
          return;
        }
        for (const auto& address : answer.records) {
          if (auto network = spf_network(address, type == RrType::A ? m.cidr4 : m.cidr6)) {
            self.m_findings.found(seq, *network);
            state->second = true;
          }
        }
        if (state->first == 2 && !state->second && counts_void) self.m_findings.void_lookup(seq, m.text + in);
      });
    }
  }

  void mx(const std::string& name, const SpfMechanism& m, Seq seq, const std::string& in, Actions& actions) {
    lookup(name, RrType::MX, seq, actions, [=](Expansion& self, DnsAnswer answer, Actions& more) {
      if (!is_definitive(answer.status)) {
        self.m_findings.error_at(seq, SpfOutcome::temperror,
                                 "MX lookup of " + name + " for " + m.text + ": " + status_text(answer) + in);
        return;
      }
      if (answer.records.empty()) {
        self.m_findings.void_lookup(seq, m.text + in);
        return;
      }
      std::vector<std::string> hosts;
      for (const auto& record : answer.records) {
        const auto space = record.find(' ');
        const std::string host = space == std::string::npos ? record : record.substr(space + 1);
        if (host == ".") continue;  // null MX (RFC 7505): no mail, no address
        if (auto domain = spf_lookup_domain(host)) hosts.push_back(*domain);
      }
      if (answer.records.size() > self.m_limits.max_mx_names) {
        self.m_findings.error_at(seq, SpfOutcome::permerror,
                                 m.text + ": " + name + " has " + std::to_string(answer.records.size()) +
                                     " MX names, more than " + std::to_string(self.m_limits.max_mx_names) + in);
        return;
      }
      std::sort(hosts.begin(), hosts.end());
      hosts.erase(std::unique(hosts.begin(), hosts.end()), hosts.end());
      for (const auto& host : hosts) self.addresses(host, m, seq, in, false, more);
    });
  }

  void maybe_finish() {
    if (m_finished || !m_walk_done) return;
    const Seq first = m_findings.first_error();
    // Lookups of later terms cannot change the result; earlier ones can.
    if (!m_outstanding.empty() && *m_outstanding.begin() < first) return;
    m_finished = true;
  }

  // --- without the lock ----------------------------------------------------------------------

  void run(Actions actions) {
    // The lookups start outside the lock (a resolver may answer inline, re-entering). `done`
    // waits until no call is issuing lookups, so the caller may destroy the resolver in it.
    const bool issued = !actions.empty();
    for (auto& a : actions) m_resolver.resolve(std::move(a.name), a.type, m_deadline, std::move(a.callback));
    std::function<void(SpfExpansion)> done;
    SpfExpansion out;
    {
      std::lock_guard lock(m_mutex);
      if (issued) --m_issuing;
      if (!m_finished || m_reported || m_issuing > 0) return;
      m_reported = true;
      out = m_findings.result(m_dns_terms);
      done = std::move(m_done);
    }
    done(std::move(out));
  }

  Resolver& m_resolver;
  const SpfLimits m_limits;
  const Resolver::Deadline m_deadline;
  std::function<void(SpfExpansion)> m_done;

  std::mutex m_mutex;  // guards the walk state below; `done` and resolve() calls run outside it
  std::string m_top;
  std::vector<Frame> m_stack;
  std::vector<std::string> m_path;  // domains on the current include/redirect chain
  bool m_waiting_record = false;
  bool m_walk_done = false;
  bool m_finished = false;
  bool m_reported = false;
  std::size_t m_dns_terms = 0;
  std::multiset<Seq> m_outstanding;
  std::size_t m_issuing = 0;  // run() calls still starting lookups
  SpfFindings m_findings;
};

}  // namespace

const char* to_string(SpfOutcome outcome) {
  switch (outcome) {
    case SpfOutcome::ok: return "ok";
    case SpfOutcome::none: return "none";
    case SpfOutcome::permerror: return "permerror";
    case SpfOutcome::temperror: return "temperror";
  }
  return "temperror";
}

void expand_spf(Resolver& resolver, std::string domain, SpfLimits limits, Resolver::Deadline deadline,
                std::function<void(SpfExpansion)> done) {
  auto expansion = std::make_shared<Expansion>(resolver, std::move(domain), limits, deadline, std::move(done));
  expansion->start();
}

}  // namespace rdns::checks::discovery
