// The reference the scale target is measured against: a bare libunbound program doing the same
// lookups as one rdns_exporter check cycle over a CIDR, and nothing else. For every address:
// PTR of its reverse name, then A of every returned name, and "does the A set contain the
// address" (FCrDNS). One context in threaded async mode (ub_ctx_async), results through
// ub_fd/ub_process on this thread, at most --in-flight addresses being checked at once: the
// same shape as the exporter's resolver with [resolver] contexts = 1 (one context, one loop
// thread): the reference figure. No metrics, no classifier, no scheduler, no per-query deadline
// (a lost query ends the run by --deadline).
//
//   bare_unbound_cycle --unbound-conf FILE --cidr 198.18.0.0/16 [--in-flight 256]
//                      [--dnssec [--trust-anchor FILE]] [--contexts 1] [--deadline 300]
//
// --dnssec loads the validator (without --trust-anchor nothing is anchored, so answers are
// insecure); --trust-anchor FILE adds DS/DNSKEY anchors (ub_ctx_add_ta_file) and then counts the
// PTR answers that validated secure. --contexts N (for comparison only): N contexts, each on its
// own thread with its own share of the addresses (in-flight split evenly).
//
// Prints one line of key=value pairs (wall_seconds, lookups_per_second, ...). Exit status 0
// when every address got a definitive PTR answer, 1 otherwise, 2 on a usage or setup error.
//
// This file is benchmark code: the one place outside checks/unbound/ that includes <unbound.h>,
// because it must not use the product's resolver.
#include <arpa/inet.h>
#include <poll.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <unbound.h>

namespace {

using Clock = std::chrono::steady_clock;

struct ContextDeleter {
  void operator()(ub_ctx* ctx) const noexcept { ub_ctx_delete(ctx); }
};
using ContextPtr = std::unique_ptr<ub_ctx, ContextDeleter>;
struct ResultDeleter {
  void operator()(ub_result* result) const noexcept { ub_resolve_free(result); }
};
using ResultPtr = std::unique_ptr<ub_result, ResultDeleter>;

constexpr int k_type_a = 1;
constexpr int k_type_ptr = 12;
constexpr int k_class_in = 1;

struct Options {
  std::string unbound_conf;
  std::uint32_t base = 0;
  std::uint64_t count = 0;
  std::size_t in_flight = 256;
  bool dnssec = false;
  std::string trust_anchor;
  std::size_t contexts = 1;
  double deadline_seconds = 300;
};

struct Totals {
  std::uint64_t lookups = 0;
  std::uint64_t ptr_ok = 0;
  std::uint64_t ptr_secure = 0;
  std::uint64_t ptr_nxdomain = 0;
  std::uint64_t ptr_other = 0;  // error, servfail, nodata, bogus
  std::uint64_t a_ok = 0;
  std::uint64_t a_other = 0;
  std::uint64_t fcrdns_pass = 0;
  std::uint64_t checks_done = 0;
};

class Cycle;

// One address being checked: its PTR lookup, then its A lookups (one per PTR name).
struct Check {
  Cycle* cycle = nullptr;
  std::uint32_t ip = 0;  // host byte order
  int pending_a = 0;
  bool confirmed = false;
};

// A wire-format name -> "a.b.c." (labels here are host names; anything else is escaped as \DDD).
std::string decode_name(const char* data, int len) {
  std::string out;
  int pos = 0;
  while (pos < len) {
    const int label = static_cast<unsigned char>(data[pos++]);
    if (label == 0) break;
    if (label > 63 || pos + label > len) return {};
    for (int i = 0; i < label; ++i) {
      const unsigned char c = static_cast<unsigned char>(data[pos + i]);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-') {
        out += static_cast<char>(c);
      } else {
        char escaped[5];
        std::snprintf(escaped, sizeof escaped, "\\%03u", c);
        out += escaped;
      }
    }
    out += '.';
    pos += label;
  }
  return out.empty() ? std::string(".") : out;
}

std::string reverse_name(std::uint32_t ip) {
  return std::to_string(ip & 0xFF) + "." + std::to_string((ip >> 8) & 0xFF) + "." + std::to_string((ip >> 16) & 0xFF) +
         "." + std::to_string(ip >> 24) + ".in-addr.arpa.";
}

// One context's share of the work: `count` addresses from `base`, at most `in_flight` at once.
struct Share {
  std::uint32_t base = 0;
  std::uint64_t count = 0;
  std::size_t in_flight = 0;
};

class Cycle {
public:
  Cycle(ub_ctx* ctx, const Options& options, Share share) : m_ctx(ctx), m_options(options), m_share(share) {}

  // Runs the whole cycle; false when --deadline passed first.
  bool run() {
    const auto give_up = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                            std::chrono::duration<double>(m_options.deadline_seconds));
    std::uint64_t next = 0;
    while (m_totals.checks_done < m_share.count) {
      while (next < m_share.count && m_checks_in_flight < m_share.in_flight) {
        start_check(m_share.base + static_cast<std::uint32_t>(next++));
      }
      if (Clock::now() > give_up) return false;
      pollfd fd{ub_fd(m_ctx), POLLIN, 0};
      if (::poll(&fd, 1, 100) > 0) {
        if (const int rc = ub_process(m_ctx); rc != 0) {
          std::fprintf(stderr, "ub_process: %s\n", ub_strerror(rc));
          return false;
        }
      }
    }
    return true;
  }

  const Totals& totals() const { return m_totals; }

private:
  void start_check(std::uint32_t ip) {
    auto* check = new Check{this, ip};
    ++m_checks_in_flight;
    resolve(reverse_name(ip), k_type_ptr, check, &Cycle::on_ptr);
  }

  void resolve(const std::string& name, int type, Check* check, ub_callback_type callback) {
    ++m_totals.lookups;
    int id = 0;
    if (const int rc = ub_resolve_async(m_ctx, name.c_str(), type, k_class_in, check, callback, &id); rc != 0) {
      std::fprintf(stderr, "ub_resolve_async(%s): %s\n", name.c_str(), ub_strerror(rc));
      std::exit(2);
    }
  }

  static bool definitive_ok(int err, const ub_result* result) {
    return err == 0 && result != nullptr && !result->bogus && result->rcode == 0 && result->havedata;
  }

  static void on_ptr(void* arg, int err, ub_result* raw) {
    ResultPtr result(raw);
    auto* check = static_cast<Check*>(arg);
    Cycle& self = *check->cycle;
    if (!definitive_ok(err, result.get())) {
      if (err == 0 && result && result->nxdomain) {
        ++self.m_totals.ptr_nxdomain;
      } else {
        ++self.m_totals.ptr_other;
      }
      self.finish(check);
      return;
    }
    ++self.m_totals.ptr_ok;
    if (result->secure) ++self.m_totals.ptr_secure;
    for (int i = 0; result->data[i] != nullptr; ++i) {
      const std::string name = decode_name(result->data[i], result->len[i]);
      if (name.empty()) continue;
      ++check->pending_a;
      self.resolve(name, k_type_a, check, &Cycle::on_a);
    }
    if (check->pending_a == 0) self.finish(check);
  }

  static void on_a(void* arg, int err, ub_result* raw) {
    ResultPtr result(raw);
    auto* check = static_cast<Check*>(arg);
    Cycle& self = *check->cycle;
    if (definitive_ok(err, result.get())) {
      ++self.m_totals.a_ok;
      const std::uint32_t wanted = htonl(check->ip);
      for (int i = 0; result->data[i] != nullptr; ++i) {
        if (result->len[i] == 4 && std::memcmp(result->data[i], &wanted, 4) == 0) check->confirmed = true;
      }
    } else {
      ++self.m_totals.a_other;
    }
    if (--check->pending_a == 0) self.finish(check);
  }

  void finish(Check* check) {
    if (check->confirmed) ++m_totals.fcrdns_pass;
    ++m_totals.checks_done;
    --m_checks_in_flight;
    delete check;
  }

  ub_ctx* m_ctx;
  const Options& m_options;
  Share m_share;
  Totals m_totals;
  std::size_t m_checks_in_flight = 0;
};

long peak_rss_kb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

bool parse_cidr(std::string_view text, Options& options) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return false;
  const std::string address(text.substr(0, slash));
  const int prefix = std::atoi(std::string(text.substr(slash + 1)).c_str());
  in_addr parsed{};
  if (::inet_pton(AF_INET, address.c_str(), &parsed) != 1 || prefix < 8 || prefix > 32) return false;
  options.count = std::uint64_t{1} << (32 - prefix);
  const std::uint32_t mask = prefix == 32 ? 0xFFFFFFFFu : ~((std::uint32_t{1} << (32 - prefix)) - 1);
  options.base = ntohl(parsed.s_addr) & mask;
  return true;
}

// A context as the exporter configures one: the world's unbound.conf, threaded async mode, the
// validator only with --dnssec (as [resolver] dnssec), anchors only from --trust-anchor.
ContextPtr make_context(const Options& options) {
  ContextPtr ctx(ub_ctx_create());
  if (!ctx) {
    std::fprintf(stderr, "ub_ctx_create failed\n");
    return nullptr;
  }
  for (const auto& [what, rc] : {std::pair{"ub_ctx_async", ub_ctx_async(ctx.get(), 1)},
                                 std::pair{"ub_ctx_config", ub_ctx_config(ctx.get(), options.unbound_conf.c_str())}}) {
    if (rc != 0) {
      std::fprintf(stderr, "%s: %s\n", what, ub_strerror(rc));
      return nullptr;
    }
  }
  // As rdns_exporter with [resolver] dnssec = false: no validator module at all.
  if (!options.dnssec) {
    if (const int rc = ub_ctx_set_option(ctx.get(), "module-config:", "iterator"); rc != 0) {
      std::fprintf(stderr, "module-config: %s\n", ub_strerror(rc));
      return nullptr;
    }
  }
  if (!options.trust_anchor.empty()) {
    if (const int rc = ub_ctx_add_ta_file(ctx.get(), options.trust_anchor.c_str()); rc != 0) {
      std::fprintf(stderr, "ub_ctx_add_ta_file(%s): %s\n", options.trust_anchor.c_str(), ub_strerror(rc));
      return nullptr;
    }
  }
  return ctx;
}

int usage() {
  std::fprintf(stderr,
               "usage: bare_unbound_cycle --unbound-conf FILE --cidr A.B.C.D/N [--in-flight N] [--dnssec] "
               "[--trust-anchor FILE] [--contexts N] [--deadline SECONDS]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--unbound-conf" && has_value) {
      options.unbound_conf = argv[++i];
    } else if (arg == "--cidr" && has_value) {
      if (!parse_cidr(argv[++i], options)) return usage();
    } else if (arg == "--in-flight" && has_value) {
      options.in_flight = static_cast<std::size_t>(std::strtoul(argv[++i], nullptr, 10));
    } else if (arg == "--deadline" && has_value) {
      options.deadline_seconds = std::strtod(argv[++i], nullptr);
    } else if (arg == "--trust-anchor" && has_value) {
      options.trust_anchor = argv[++i];
    } else if (arg == "--contexts" && has_value) {
      options.contexts = static_cast<std::size_t>(std::strtoul(argv[++i], nullptr, 10));
    } else if (arg == "--dnssec") {
      options.dnssec = true;
    } else {
      return usage();
    }
  }
  if (options.unbound_conf.empty() || options.count == 0 || options.contexts == 0 || options.contexts > 64 ||
      options.in_flight < options.contexts || (!options.trust_anchor.empty() && !options.dnssec)) {
    return usage();
  }

  std::vector<ContextPtr> contexts;
  for (std::size_t i = 0; i < options.contexts; ++i) {
    ContextPtr ctx = make_context(options);
    if (!ctx) return 2;
    contexts.push_back(std::move(ctx));
  }
  std::vector<std::unique_ptr<Cycle>> cycles;
  for (std::size_t i = 0; i < options.contexts; ++i) {
    Share share;
    const std::uint64_t from = options.count * i / options.contexts;
    share.base = options.base + static_cast<std::uint32_t>(from);
    share.count = options.count * (i + 1) / options.contexts - from;
    share.in_flight = options.in_flight / options.contexts;
    cycles.push_back(std::make_unique<Cycle>(contexts[i].get(), options, share));
  }

  const auto started = Clock::now();
  std::vector<char> finished_each(options.contexts, 0);
  if (options.contexts == 1) {
    finished_each[0] = cycles[0]->run();  // on this thread: exactly the single-context reference
  } else {
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < options.contexts; ++i) {
      threads.emplace_back([&, i] { finished_each[i] = cycles[i]->run(); });
    }
    for (auto& thread : threads) thread.join();
  }
  const double wall = std::chrono::duration<double>(Clock::now() - started).count();
  bool finished = true;
  Totals t;
  for (std::size_t i = 0; i < options.contexts; ++i) {
    finished = finished && finished_each[i];
    const Totals& c = cycles[i]->totals();
    t.lookups += c.lookups;
    t.ptr_ok += c.ptr_ok;
    t.ptr_secure += c.ptr_secure;
    t.ptr_nxdomain += c.ptr_nxdomain;
    t.ptr_other += c.ptr_other;
    t.a_ok += c.a_ok;
    t.a_other += c.a_other;
    t.fcrdns_pass += c.fcrdns_pass;
    t.checks_done += c.checks_done;
  }
  std::printf(
      "addresses=%llu checks_done=%llu lookups=%llu ptr_ok=%llu ptr_secure=%llu ptr_nxdomain=%llu ptr_other=%llu "
      "a_ok=%llu a_other=%llu fcrdns_pass=%llu in_flight=%zu contexts=%zu wall_seconds=%.3f "
      "lookups_per_second=%.0f checks_per_second=%.0f peak_rss_kb=%ld\n",
      static_cast<unsigned long long>(options.count), static_cast<unsigned long long>(t.checks_done),
      static_cast<unsigned long long>(t.lookups), static_cast<unsigned long long>(t.ptr_ok),
      static_cast<unsigned long long>(t.ptr_secure), static_cast<unsigned long long>(t.ptr_nxdomain),
      static_cast<unsigned long long>(t.ptr_other), static_cast<unsigned long long>(t.a_ok),
      static_cast<unsigned long long>(t.a_other), static_cast<unsigned long long>(t.fcrdns_pass), options.in_flight,
      options.contexts, wall, static_cast<double>(t.lookups) / wall, static_cast<double>(t.checks_done) / wall,
      peak_rss_kb());
  if (!finished) {
    // Queries still in libunbound reference Check objects: leave without deleting the context.
    std::fflush(stdout);
    std::_Exit(1);
  }
  return t.ptr_ok + t.ptr_nxdomain == options.count ? 0 : 1;
}
