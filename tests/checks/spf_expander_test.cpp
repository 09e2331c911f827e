// SPF expansion over the scripted resolver: includes, redirect, a/mx in both families with cidr
// lengths, the RFC limits (10 terms, 2 void lookups, 10 MX names), loops, selection errors,
// not-expandable terms, DNS failures and the deadline. Every scenario runs with answers inline,
// in order, in reverse order and from another thread: the result must not depend on it.
#include "checks/discovery/spf_expander.hpp"

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "tests/checks/fakes/fake_resolver.hpp"

namespace rdns::checks::discovery {
namespace {

using namespace std::chrono_literals;
using testing::answer_ok;
using testing::answer_status;
using testing::FakeResolver;
using Clock = std::chrono::steady_clock;
using Strings = std::vector<std::string>;

enum class Delivery { inline_, fifo, lifo, threaded };
constexpr Delivery k_all_deliveries[] = {Delivery::inline_, Delivery::fifo, Delivery::lifo, Delivery::threaded};
const char* name(Delivery d) {
  switch (d) {
    case Delivery::inline_: return "inline";
    case Delivery::fifo: return "fifo";
    case Delivery::lifo: return "lifo";
    case Delivery::threaded: return "threaded";
  }
  return "?";
}

// A scripted DNS: records per name, applied to a fresh FakeResolver per delivery mode.
class Dns {
public:
  Dns& txt(const std::string& name, Strings records) { return add(name, RrType::TXT, answer_ok(std::move(records))); }
  // A and AAAA of a host (an empty family answers NODATA).
  Dns& host(const std::string& name, Strings v4, Strings v6 = {}) {
    add(name, RrType::A, v4.empty() ? answer_status(LookupStatus::nodata) : answer_ok(std::move(v4)));
    return add(name, RrType::AAAA, v6.empty() ? answer_status(LookupStatus::nodata) : answer_ok(std::move(v6)));
  }
  Dns& mx(const std::string& name, Strings records) { return add(name, RrType::MX, answer_ok(std::move(records))); }
  Dns& status(const std::string& name, RrType type, LookupStatus status) {
    return add(name, type, answer_status(status, "scripted"));
  }
  Dns& add(const std::string& name, RrType type, DnsAnswer answer) {
    m_script.emplace_back(name + ".", type, std::move(answer));
    return *this;
  }
  Dns& hold(const std::string& name, RrType type) {
    m_held.emplace_back(name + ".", type);
    return *this;
  }

  void apply(FakeResolver& resolver) const {
    for (const auto& [name, type, answer] : m_script) resolver.script(name, type, answer);
    for (const auto& [name, type] : m_held) resolver.hold(name, type);
  }

private:
  std::vector<std::tuple<std::string, RrType, DnsAnswer>> m_script;
  std::vector<std::pair<std::string, RrType>> m_held;
};

struct Outcome {
  SpfExpansion result;
  int calls = 0;
  std::vector<FakeResolver::Query> queries;
};

Outcome expand(const Dns& dns, const std::string& domain, Delivery delivery, std::chrono::milliseconds timeout = 5s,
               SpfLimits limits = {}) {
  const auto mode = delivery == Delivery::inline_    ? FakeResolver::Mode::immediate
                    : delivery == Delivery::threaded ? FakeResolver::Mode::threaded
                                                     : FakeResolver::Mode::manual;
  Outcome run;
  auto calls = std::make_shared<std::atomic<int>>(0);
  std::promise<SpfExpansion> promise;
  auto future = promise.get_future();
  {
    FakeResolver resolver(mode);
    dns.apply(resolver);
    expand_spf(resolver, domain, limits, Clock::now() + timeout, [&promise, calls](SpfExpansion e) {
      if (calls->fetch_add(1) == 0) promise.set_value(std::move(e));
    });
    if (mode == FakeResolver::Mode::manual) {
      const auto give_up = Clock::now() + timeout + 2s;
      while (future.wait_for(0ms) != std::future_status::ready && Clock::now() < give_up) {
        if (resolver.deliver(delivery == Delivery::fifo ? FakeResolver::Order::fifo : FakeResolver::Order::lifo) == 0) {
          resolver.expire();
          std::this_thread::sleep_for(5ms);
        }
      }
    }
    if (future.wait_for(timeout + 2s) != std::future_status::ready) {
      ADD_FAILURE() << "no result";
      return run;
    }
    run.result = future.get();
    run.queries = resolver.queries();
  }  // the resolver completes anything still queued: `done` must not run again
  run.calls = calls->load();
  return run;
}

// Runs in every delivery mode and checks they all agree; returns the result.
SpfExpansion expand_all(const Dns& dns, const std::string& domain, SpfLimits limits = {}) {
  std::optional<SpfExpansion> first;
  for (const Delivery d : k_all_deliveries) {
    SCOPED_TRACE(name(d));
    const Outcome run = expand(dns, domain, d, 5s, limits);
    EXPECT_EQ(run.calls, 1) << "done must run exactly once";
    if (!first) {
      first = run.result;
      continue;
    }
    EXPECT_EQ(to_string(run.result.outcome), to_string(first->outcome));
    EXPECT_EQ(run.result.networks, first->networks);
    EXPECT_EQ(run.result.not_expandable, first->not_expandable);
    EXPECT_EQ(run.result.error, first->error);
    EXPECT_EQ(run.result.dns_terms, first->dns_terms);
  }
  return *first;
}

bool asked(const Outcome& run, const std::string& name, RrType type) {
  for (const auto& q : run.queries) {
    if (q.name == name + "." && q.type == type) return true;
  }
  return false;
}

TEST(SpfExpander, NestedIncludes) {
  Dns dns;
  dns.txt("example.test", {"other text", "v=spf1 ip4:192.0.2.0/28 include:inc1.example.test -all"})
      .txt("inc1.example.test", {"v=spf1 ip6:2001:db8:1::/48 include:inc2.example.test ~all"})
      .txt("inc2.example.test", {"v=spf1 ip4:198.51.100.1 ip4:192.0.2.3 -all"});
  const SpfExpansion e = expand_all(dns, "Example.TEST.");
  EXPECT_EQ(e.outcome, SpfOutcome::ok) << e.error;
  EXPECT_EQ(e.networks, (Strings{"192.0.2.0/28", "192.0.2.3/32", "198.51.100.1/32", "2001:db8:1::/48"}));
  EXPECT_TRUE(e.not_expandable.empty());
  EXPECT_EQ(e.dns_terms, 2u);
  EXPECT_TRUE(e.error.empty());
}

TEST(SpfExpander, RedirectOnlyWithoutAll) {
  Dns dns;
  dns.txt("example.test", {"v=spf1 ip4:192.0.2.1 redirect=_spf.example.test"})
      .txt("_spf.example.test", {"v=spf1 ip4:192.0.2.2 -all"})
      .txt("all.example.test", {"v=spf1 ip4:192.0.2.1 ~all redirect=_spf.example.test"});
  SpfExpansion e = expand_all(dns, "example.test");
  EXPECT_EQ(e.outcome, SpfOutcome::ok) << e.error;
  EXPECT_EQ(e.networks, (Strings{"192.0.2.1/32", "192.0.2.2/32"}));
  EXPECT_EQ(e.dns_terms, 1u);
  const Outcome run = expand(dns, "all.example.test", Delivery::inline_);
  EXPECT_EQ(run.result.networks, (Strings{"192.0.2.1/32"}));
  EXPECT_EQ(run.result.dns_terms, 0u);
  EXPECT_FALSE(asked(run, "_spf.example.test", RrType::TXT));
}

TEST(SpfExpander, RedirectToNothingIsAPermerror) {
  Dns dns;
  dns.txt("example.test", {"v=spf1 redirect=gone.example.test"})
      .status("gone.example.test", RrType::TXT, LookupStatus::nxdomain);
  const SpfExpansion e = expand_all(dns, "example.test");
  EXPECT_EQ(e.outcome, SpfOutcome::permerror);
  EXPECT_EQ(e.error, "redirect=gone.example.test has no SPF record (in example.test)");
}

TEST(SpfExpander, AAndMxBothFamiliesWithCidrLengths) {
  Dns dns;
  dns.txt("example.test", {"v=spf1 a mx a:host.example.test/24 mx:mx.example.test//64 -all"})
      .host("example.test", {"192.0.2.40"}, {"2001:db8::40"})
      .mx("example.test", {"10 mx1.example.test.", "20 mx2.example.test.", "30 MX1.example.test."})
      .host("mx1.example.test", {"192.0.2.41"})
      .host("mx2.example.test", {}, {"2001:db8::42"})
      .host("host.example.test", {"198.51.100.77", "198.51.100.78"})
      .mx("mx.example.test", {"10 mx3.example.test."})
      .host("mx3.example.test", {"192.0.2.43"}, {"2001:db8:0:1::43"});
  const SpfExpansion e = expand_all(dns, "example.test");
  EXPECT_EQ(e.outcome, SpfOutcome::ok) << e.error;
  EXPECT_EQ(e.networks, (Strings{"192.0.2.40/32", "192.0.2.41/32", "192.0.2.43/32", "198.51.100.0/24",
                                 "2001:db8::40/128", "2001:db8::42/128", "2001:db8:0:1::/64"}));
  EXPECT_EQ(e.dns_terms, 4u);
}

Dns many_a_terms(const std::string& domain, int count) {
  Dns dns;
  std::string record = "v=spf1";
  for (int i = 1; i <= count; ++i) {
    record += " a:h" + std::to_string(i) + ".example.test";
    dns.host("h" + std::to_string(i) + ".example.test", {"192.0.2." + std::to_string(100 + i)});
  }
  dns.txt(domain, {record + " -all"});
  return dns;
}

TEST(SpfExpander, TenDnsTermsAreFine) {
  const SpfExpansion e = expand_all(many_a_terms("example.test", 10), "example.test");
  EXPECT_EQ(e.outcome, SpfOutcome::ok) << e.error;
  EXPECT_EQ(e.networks.size(), 10u);
  EXPECT_EQ(e.dns_terms, 10u);
}

TEST(SpfExpander, ElevenDnsTermsAreAPermerror) {
  const SpfExpansion e = expand_all(many_a_terms("example.test", 11), "example.test");
  EXPECT_EQ(e.outcome, SpfOutcome::permerror);
  EXPECT_EQ(e.error, "more than 10 DNS-querying terms: a:h11.example.test is the 11th (in example.test)");
  EXPECT_TRUE(e.networks.empty());
  EXPECT_EQ(e.dns_terms, 11u);
}

TEST(SpfExpander, TheLimitCountsInEvaluationOrderAcrossIncludes) {
  // include (1), the include's 9 terms (2..10), then a:last is the 11th, in the top record.
  Dns dns = many_a_terms("inc.example.test", 9);
  dns.txt("example.test", {"v=spf1 include:inc.example.test a:last.example.test -all"})
      .host("last.example.test", {"192.0.2.1"});
  SpfExpansion e = expand_all(dns, "example.test");
  EXPECT_EQ(e.outcome, SpfOutcome::permerror);
  EXPECT_EQ(e.error, "more than 10 DNS-querying terms: a:last.example.test is the 11th (in example.test)");
  // The other way round the 11th is inside the include.
  dns.txt("example.test", {"v=spf1 a:last.example.test include:inc.example.test -all"});
  dns.txt("inc.example.test", {"v=spf1 a:h1.example.test a:h2.example.test a:h3.example.test a:h4.example.test "
                               "a:h5.example.test a:h6.example.test a:h7.example.test a:h8.example.test "
                               "a:h9.example.test a:h10.example.test"})
      .host("h10.example.test", {"192.0.2.110"});
  e = expand_all(dns, "example.test");
  EXPECT_EQ(e.outcome, SpfOutcome::permerror);
  EXPECT_EQ(e.error, "more than 10 DNS-querying terms: a:h9.example.test is the 11th (in include:inc.example.test)");
}

TEST(SpfExpander, NonPassTermsCountButAreNotLookedUp) {
  Dns dns;
  dns.txt("example.test", {"v=spf1 -a:x.example.test ~include:y.example.test ?mx -ip4:192.0.2.9 ip4:192.0.2.1 -all"});
  const Outcome run = expand(dns, "example.test", Delivery::inline_);
  EXPECT_EQ(run.result.outcome, SpfOutcome::ok) << run.result.error;
  EXPECT_EQ(run.result.networks, (Strings{"192.0.2.1/32"}));
  EXPECT_EQ(run.result.dns_terms, 3u);
  EXPECT_EQ(run.queries.size(), 1u);  // the record only
}

TEST(SpfExpander, TwoVoidLookupsAreFineThreeAreAPermerror) {
  Dns dns;
  dns.txt("two.example.test", {"v=spf1 a:nx1.example.test mx:nx2.example.test ip4:192.0.2.80 -all"})
      .txt("three.example.test",
           {"v=spf1 a:nx1.example.test mx:nx2.example.test a:nodata.example.test ip4:192.0.2.80 -all"})
      .status("nx1.example.test", RrType::A, LookupStatus::nxdomain)
      .status("nx1.example.test", RrType::AAAA, LookupStatus::nxdomain)
      .status("nx2.example.test", RrType::MX, LookupStatus::nxdomain)
      .host("nodata.example.test", {}, {});
  SpfExpansion e = expand_all(dns, "two.example.test");
  EXPECT_EQ(e.outcome, SpfOutcome::ok) << e.error;
  EXPECT_EQ(e.networks, (Strings{"192.0.2.80/32"}));
  e = expand_all(dns, "three.example.test");
  EXPECT_EQ(e.outcome, SpfOutcome::permerror);
  EXPECT_EQ(e.error, "more than 2 void lookups: the 3rd is a:nodata.example.test (in three.example.test)");
}

TEST(SpfExpander, AHostWithOnlyOneFamilyIsNotVoid) {
  Dns dns;
  dns.txt("example.test", {"v=spf1 a:a.example.test a:b.example.test a:c.example.test -all"})
      .host("a.example.test", {"192.0.2.1"})
      .host("b.example.test", {}, {"2001:db8::b"})
      .host("c.example.test", {"192.0.2.3"});
  const SpfExpansion e = expand_all(dns, "example.test");
  EXPECT_EQ(e.outcome, SpfOutcome::ok) << e.error;
  EXPECT_EQ(e.networks.size(), 3u);
}

TEST(SpfExpander, LoopsDirectAndIndirect) {
  Dns dns;
  dns.txt("self.example.test", {"v=spf1 include:SELF.example.test -all"})
      .txt("a.example.test", {"v=spf1 ip4:192.0.2.70 include:b.example.test -all"})
      .txt("b.example.test", {"v=spf1 redirect=a.example.test"});
  SpfExpansion e = expand_all(dns, "self.example.test");
  EXPECT_EQ(e.outcome, SpfOutcome::permerror);
  EXPECT_EQ(e.error, "include/redirect loop: self.example.test -> self.example.test (in self.example.test)");
  e = expand_all(dns, "a.example.test");
  EXPECT_EQ(e.outcome, SpfOutcome::permerror);
  EXPECT_EQ(e.error,
            "include/redirect loop: a.example.test -> b.example.test -> a.example.test (in include:b.example.test)");
}

TEST(SpfExpander, TheSameIncludeTwiceIsNotALoop) {
  Dns dns;
  dns.txt("example.test", {"v=spf1 include:x.example.test include:y.example.test -all"})
      .txt("x.example.test", {"v=spf1 include:common.example.test -all"})
      .txt("y.example.test", {"v=spf1 include:common.example.test -all"})
      .txt("common.example.test", {"v=spf1 ip4:192.0.2.5 -all"});
  const SpfExpansion e = expand_all(dns, "example.test");
  EXPECT_EQ(e.outcome, SpfOutcome::ok) << e.error;
  EXPECT_EQ(e.networks, (Strings{"192.0.2.5/32"}));
  EXPECT_EQ(e.dns_terms, 4u);
}

TEST(SpfExpander, TwoSpfRecords) {
  Dns dns;
  dns.txt("example.test", {"v=spf1 ip4:192.0.2.90 -all", "v=spf1 ip4:192.0.2.91 -all"})
      .txt("top.example.test", {"v=spf1 include:example.test"});
  SpfExpansion e = expand_all(dns, "example.test");
  EXPECT_EQ(e.outcome, SpfOutcome::permerror);
  EXPECT_EQ(e.error, "2 SPF records at example.test");
  e = expand_all(dns, "top.example.test");
  EXPECT_EQ(e.error, "2 SPF records at example.test (include:example.test)");
}

TEST(SpfExpander, NoSpfRecord) {
  Dns dns;
  dns.txt("text.example.test", {"just text"}).status("nx.example.test", RrType::TXT, LookupStatus::nxdomain);
  dns.status("nodata.example.test", RrType::TXT, LookupStatus::nodata);
  for (const char* domain : {"text.example.test", "nx.example.test", "nodata.example.test"}) {
    SCOPED_TRACE(domain);
    const SpfExpansion e = expand_all(dns, domain);
    EXPECT_EQ(e.outcome, SpfOutcome::none);
    EXPECT_TRUE(e.error.empty());
  }
}

TEST(SpfExpander, IncludeOfADomainWithoutSpfIsAPermerror) {
  Dns dns;
  dns.txt("example.test", {"v=spf1 ip4:192.0.2.1 include:nospf.example.test -all"})
      .txt("nospf.example.test", {"just text"})
      .txt("nx.example.test", {"v=spf1 include:gone.example.test -all"})
      .status("gone.example.test", RrType::TXT, LookupStatus::nxdomain);
  SpfExpansion e = expand_all(dns, "example.test");
  EXPECT_EQ(e.outcome, SpfOutcome::permerror);
  EXPECT_EQ(e.error, "include:nospf.example.test has no SPF record (in example.test)");
  EXPECT_TRUE(e.networks.empty());
  e = expand_all(dns, "nx.example.test");
  EXPECT_EQ(e.error, "include:gone.example.test has no SPF record (in nx.example.test)");
}

TEST(SpfExpander, MacrosExistsPtrAndPlusAllAreReportedNotGuessed) {
  Dns dns;
  dns.txt("example.test", {"v=spf1 exists:%{i}.rbl.example.test ptr include:inc.example.test "
                           "a:%{l}.example.test -exists:%{i}.bad.example.test ip4:192.0.2.95 -all"})
      .txt("inc.example.test", {"v=spf1 ptr:example.test redirect=%{d}.example.test"})
      .txt("open.example.test", {"v=spf1 ip4:192.0.2.1 +all"});
  SpfExpansion e = expand_all(dns, "example.test");
  EXPECT_EQ(e.outcome, SpfOutcome::ok) << e.error;
  EXPECT_EQ(e.networks, (Strings{"192.0.2.95/32"}));
  EXPECT_EQ(e.not_expandable, (Strings{"exists:%{i}.rbl.example.test (in example.test)", "ptr (in example.test)",
                                       "ptr:example.test (in include:inc.example.test)",
                                       "redirect=%{d}.example.test (in include:inc.example.test)",
                                       "a:%{l}.example.test (in example.test)"}));
  EXPECT_EQ(e.dns_terms, 7u);
  e = expand_all(dns, "open.example.test");
  EXPECT_EQ(e.not_expandable, (Strings{"+all (in open.example.test)"}));
}

TEST(SpfExpander, SyntaxErrorsAreAPermerrorNamingWhere) {
  Dns dns;
  dns.txt("example.test", {"v=spf1 include:inc.example.test"}).txt("inc.example.test", {"v=spf1 ip4:192.0.2.300"});
  const SpfExpansion e = expand_all(dns, "example.test");
  EXPECT_EQ(e.outcome, SpfOutcome::permerror);
  EXPECT_EQ(e.error,
            "SPF record of inc.example.test: bad term \"ip4:192.0.2.300\": not an IPv4 address "
            "(include:inc.example.test)");
}

TEST(SpfExpander, ServfailDeepInAnIncludeIsATemperror) {
  Dns dns;
  dns.txt("example.test", {"v=spf1 ip4:192.0.2.1 include:inc1.example.test -all"})
      .txt("inc1.example.test", {"v=spf1 include:inc2.example.test"})
      .txt("inc2.example.test", {"v=spf1 a:broken.example.test ip4:192.0.2.2"})
      .host("broken.example.test", {"192.0.2.3"})
      .status("broken.example.test", RrType::AAAA, LookupStatus::servfail);
  SpfExpansion e = expand_all(dns, "example.test");
  EXPECT_EQ(e.outcome, SpfOutcome::temperror);
  EXPECT_EQ(e.error,
            "AAAA lookup of broken.example.test for a:broken.example.test: servfail (scripted) "
            "(in include:inc2.example.test)");
  EXPECT_TRUE(e.networks.empty());
  dns.status("inc2.example.test", RrType::TXT, LookupStatus::bogus);
  e = expand_all(dns, "example.test");
  EXPECT_EQ(e.outcome, SpfOutcome::temperror);
  EXPECT_EQ(e.error, "TXT lookup of inc2.example.test: bogus (scripted) (include:inc2.example.test)");
  dns.status("example.test", RrType::TXT, LookupStatus::timeout);
  e = expand_all(dns, "example.test");
  EXPECT_EQ(e.outcome, SpfOutcome::temperror);
  EXPECT_EQ(e.error, "TXT lookup of example.test: timeout (scripted)");
}

TEST(SpfExpander, TheFirstErrorInEvaluationOrderWins) {
  // The temperror of the first term wins over the later permerror, whichever answer comes first.
  Dns dns;
  dns.txt("example.test", {"v=spf1 a:broken.example.test include:two.example.test"})
      .host("broken.example.test", {}, {})
      .status("broken.example.test", RrType::A, LookupStatus::servfail)
      .txt("two.example.test", {"v=spf1 -all", "v=spf1 +all"});
  const SpfExpansion e = expand_all(dns, "example.test");
  EXPECT_EQ(e.outcome, SpfOutcome::temperror);
  EXPECT_EQ(e.error,
            "A lookup of broken.example.test for a:broken.example.test: servfail (scripted) (in example.test)");
}

TEST(SpfExpander, MoreThanTenMxNames) {
  Dns dns;
  Strings names;
  for (int i = 0; i < 11; ++i) names.push_back(std::to_string(i) + " mx" + std::to_string(i) + ".example.test.");
  dns.txt("example.test", {"v=spf1 mx -all"}).mx("example.test", names);
  const SpfExpansion e = expand_all(dns, "example.test");
  EXPECT_EQ(e.outcome, SpfOutcome::permerror);
  EXPECT_EQ(e.error, "mx: example.test has 11 MX names, more than 10 (in example.test)");
}

TEST(SpfExpander, NullMxAuthorisesNothing) {
  Dns dns;
  dns.txt("example.test", {"v=spf1 mx ip4:192.0.2.1 -all"}).mx("example.test", {"0 ."});
  const SpfExpansion e = expand_all(dns, "example.test");
  EXPECT_EQ(e.outcome, SpfOutcome::ok) << e.error;
  EXPECT_EQ(e.networks, (Strings{"192.0.2.1/32"}));
}

TEST(SpfExpander, NotADomain) {
  Dns dns;
  for (const char* domain : {"", "localhost", "a..example.test", "exa mple.test"}) {
    const Outcome run = expand(dns, domain, Delivery::inline_);
    EXPECT_EQ(run.result.outcome, SpfOutcome::permerror) << domain;
    EXPECT_EQ(run.result.error.rfind("not a domain name: ", 0), 0u) << run.result.error;
    EXPECT_TRUE(run.queries.empty());
    EXPECT_EQ(run.calls, 1);
  }
}

TEST(SpfExpander, TheDeadlineBoundsEverything) {
  Dns dns;
  dns.txt("example.test", {"v=spf1 ip4:192.0.2.1 include:slow.example.test -all"})
      .hold("slow.example.test", RrType::TXT);
  for (const Delivery d : {Delivery::threaded, Delivery::fifo}) {
    SCOPED_TRACE(name(d));
    const auto started = Clock::now();
    const Outcome run = expand(dns, "example.test", d, 150ms);
    EXPECT_EQ(run.calls, 1);
    EXPECT_EQ(run.result.outcome, SpfOutcome::temperror);
    EXPECT_EQ(run.result.error.rfind("TXT lookup of slow.example.test: timeout", 0), 0u) << run.result.error;
    EXPECT_LT(Clock::now() - started, 2s);
  }
}

TEST(SpfExpander, ALaterLookupStillPendingDoesNotDelayAnEarlierError) {
  Dns dns;
  dns.txt("example.test", {"v=spf1 a:broken.example.test a:slow.example.test"})
      .status("broken.example.test", RrType::A, LookupStatus::servfail)
      .status("broken.example.test", RrType::AAAA, LookupStatus::servfail)
      .hold("slow.example.test", RrType::A)
      .hold("slow.example.test", RrType::AAAA);
  const auto started = Clock::now();
  const Outcome run = expand(dns, "example.test", Delivery::threaded, 3s);
  EXPECT_LT(Clock::now() - started, 2s);  // the result came before the held lookups' deadline
  EXPECT_EQ(run.result.outcome, SpfOutcome::temperror);
  EXPECT_EQ(run.calls, 1);
}

}  // namespace
}  // namespace rdns::checks::discovery
