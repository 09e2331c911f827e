// The generic-name classifier: weighs evidence from the name's tokens into a score.
//
// A pool keyword alone is weak evidence; it becomes strong only next to numbers that identify
// a line (an embedded address, a long digit run, two or more numbers) or as the whole leftmost
// label above a regional sub-domain. Evidence and weights (a name is generic at score >= 0.5):
//   the PTR's own address embedded (4 octets any order/padding, hex, digits, IPv6)  1.0
//   IPv6-looking groups or nibble labels                                             0.9
//   four octet-sized numbers in a row / a 12-digit zero-padded run                  0.8
//   three octets of the own address                                                  0.8
//   a cloud's auto-name (DigitalOcean "s-1vcpu-1gb", known auto-naming domains)       0.7
//   a strong pool keyword (dyn, dhcp, dsl, ppp, cable, cpe, ...) with line numbers   0.6 (0.7: two)
//   an opaque subscriber label under a regional sub-domain ("pcp04024417pcs.toresd01") 0.55
//   8 hex digits that could be an address ("p5b0a1c2d")                              0.55
//   a medium keyword (client, customer, user, node, ...) with line numbers           0.5
//   the same, as the whole leftmost label above a location code ("customer.lsancax1") 0.5
//   four octet-sized numbers with a word between them ("12.red-88-2-33")             0.45
//   three octet-sized numbers / two octets of the own address                        0.35 / 0.3
//   a keyword alone, or with one small server number ("dhcp1", "cable", "gw2.cm")     0.3
//   a weak one (ip, host, static, vps, ...) with line numbers                        0.25
//   long digit runs (>= 5 digits; two of them) or a MAC-like 12+ hex run            0.3 / 0.5
//   a router interface name ("ge-1-0-0.bb1", "xe-0-1-2.cr1")                       -0.4
//   a mail-host word in the host part (mail, mx, smtp, mta, relay, out, ...)        -0.6
// The host part is everything left of the registered domain, from the Public Suffix List with
// its private section: a hosting provider's numbered servers under its own suffix
// ("dd1234.kasserver.com") have no host part and so no evidence.
// The mail penalty keeps deliberately named senders negative even when they carry part of
// their address ("a8-30.smtp-out.amazonses.com", "mail-yw1-f170.google.com").
#include "checks/generic_hostname.hpp"

#include <algorithm>
#include <cstdint>
#include <string>

#include <re2/re2.h>

#include "checks/generic/address_embedding.hpp"
#include "checks/generic/keywords.hpp"
#include "checks/generic/name_parts.hpp"
#include "checks/generic/subscriber_label.hpp"

namespace rdns::checks {
namespace {

using namespace rdns::checks::generic;

constexpr double k_threshold = 0.5;

// Domains whose every host name is assigned per machine by a cloud or hosting company.
constexpr std::array<std::string_view, 17> k_auto_name_domains = {
    "amazonaws.com",       "googleusercontent.com", "linodeusercontent.com", "members.linode.com",
    "vultrusercontent.com", "contaboserver.net",    "your-server.de",        "vps.ovh.net",
    "vps.ovh.ca",          "scw.cloud",             "poneytelecom.eu",       "hstgr.cloud",
    "colocrossing.com",    "hostwindsdns.com",      "cloudapp.net",          "onlinehome-server.info",
    "dedicated.hosteurope.de"};
static_assert(!k_auto_name_domains.back().empty(), "the array size must match its entries");

// Router interface names ("ge-1-0-0.bb1.nyc", "xe-0-1-2.cr1", "ae-1-3502.edge4") are
// infrastructure, not subscribers, even though they are full of small numbers.
constexpr std::array<std::string_view, 17> k_interface_words = {
    "ae", "ge", "xe", "et", "te", "be", "gi", "fa", "hu", "lo", "po", "so", "pos", "eth", "vlan", "irb",
    "bundle"};

struct Evidence {
  double weight = 0.0;
  std::string text;
};

bool ends_with_domain(std::string_view name, std::string_view domain) {
  if (name.size() <= domain.size()) return false;
  return name.substr(name.size() - domain.size()) == domain && name[name.size() - domain.size() - 1] == '.';
}

std::string quoted(std::string_view s) {
  std::string out = "\"";
  out.append(s);
  out += '"';
  return out;
}

struct Scan {
  Evidence embed;
  Evidence pool;       // the strongest pool keyword
  Evidence cloud;
  Evidence runs;
  Evidence subscriber;
  Evidence mail;
  Evidence infrastructure;
  bool static_word = false;
  bool host_digits = false;
  int long_runs = 0;
  int numbers = 0;           // numeric tokens in the host part
  std::size_t longest = 0;   // digits in the longest of them
};

// Numbers that identify a line, not a server: an embedded address, a long run, two or more
// numbers, or one of three digits and more. "gw2", "dhcp1", "pool-01" are server numbers.
bool line_numbers(const Scan& scan, bool embedded) {
  return embedded || scan.long_runs > 0 || scan.numbers >= 2 || scan.longest >= 3;
}

void scan_tokens(const NameParts& parts, bool embedded, Scan& scan) {
  KeywordMatch best_pool;
  std::size_t pool_label = 0;
  int strong_words = 0;
  for (std::size_t i = 0; i < parts.token_count; ++i) {
    const Token& t = parts.tokens[i];
    if (t.label >= parts.host_labels) break;
    if (t.numeric) {
      scan.host_digits = true;
      ++scan.numbers;
      scan.longest = std::max(scan.longest, t.text.size());
      if (t.text.size() >= 5) ++scan.long_runs;
      continue;
    }
    if (t.text.substr(0, 6) == "static" || t.text == "fixed" || t.text == "stat") scan.static_word = true;
    if (i == 0 && i + 1 < parts.token_count && parts.tokens[1].numeric && parts.tokens[1].label == 0 &&
        std::find(k_interface_words.begin(), k_interface_words.end(), t.text) != k_interface_words.end()) {
      scan.infrastructure = Evidence{-0.4, "router interface name " + quoted(parts.labels[0].text)};
    }
    if (scan.mail.text.empty()) {
      if (const std::string_view mail = mail_keyword(t.text); !mail.empty()) {
        scan.mail = Evidence{-0.6, "mail host keyword " + quoted(mail) + " in label " +
                                       quoted(parts.labels[t.label].text)};
      }
    }
    const KeywordMatch m = pool_keyword(t.text);
    if (m.strength == KeywordStrength::strong) ++strong_words;
    if (m.strength > best_pool.strength) {
      best_pool = m;
      pool_label = t.label;
    }
    if (t.text == "vcpu" || (t.text.size() > 4 && t.text.substr(t.text.size() - 4) == "vcpu")) {
      scan.cloud = Evidence{0.7, "cloud auto-name in label " + quoted(parts.labels[t.label].text)};
    }
  }
  if (best_pool.strength != KeywordStrength::none) {
    // A strong keyword as a sub-domain of its own (".adsl.", ".internetdsl.") over a leftmost
    // label with digits: the provider's pool zone ("abbw12.neoplus.adsl.tpnet.pl").
    bool pool_zone = false;
    if (best_pool.strength == KeywordStrength::strong && pool_label > 0 && parts.label_count > 0) {
      const std::string_view zone = parts.labels[pool_label].text;
      const std::string_view first = parts.labels[0].text;
      pool_zone = std::all_of(zone.begin(), zone.end(), is_lower) && std::any_of(first.begin(), first.end(), is_digit);
    }
    const bool numbered = line_numbers(scan, embedded) || (best_pool.numbered && scan.host_digits) || pool_zone;
    const std::string_view label = parts.labels[pool_label].text;
    // "customer.lsancax1.pop.starlinkisp.net": the keyword is the subscriber label itself.
    const bool leftmost_above_region = pool_label == 0 && label == best_pool.keyword && parts.host_labels >= 3 &&
                                       is_location_code(parts.labels[1].text);
    double w = 0.0;
    std::string_view how;
    switch (best_pool.strength) {
      case KeywordStrength::strong:
        w = numbered ? (strong_words > 1 ? 0.7 : 0.6) : strong_words > 1 ? 0.5 : 0.3;
        break;
      case KeywordStrength::medium: w = numbered || leftmost_above_region ? 0.5 : 0.3; break;
      case KeywordStrength::weak: w = numbered ? 0.25 : 0.0; break;
      case KeywordStrength::none: break;
    }
    if (!numbered) how = scan.host_digits ? " with only a server number" : " without numbers";
    if (w >= 0.5 && !numbered && strong_words < 2) how = " above regional sub-domain";
    if (w >= 0.5 && !numbered && strong_words >= 2) how = " with another pool keyword";
    if (pool_zone && !line_numbers(scan, embedded)) how = " as pool sub-domain over a numbered label";
    if (w > 0) {
      scan.pool = Evidence{w, "pool keyword " + quoted(best_pool.keyword) + " in label " + quoted(label) +
                                  std::string(how)};
    }
  }
  // MAC-like or serial-number-like runs: "s0106001a2b3c4d5e", "cpe0012abcd3456".
  for (std::size_t li = 0; li < parts.host_labels; ++li) {
    const std::string_view label = parts.labels[li].text;
    std::size_t run = 0;
    bool digit = false;
    bool letter = false;
    for (std::size_t k = 0; k <= label.size(); ++k) {
      if (k < label.size() && is_hex(label[k])) {
        ++run;
        (is_digit(label[k]) ? digit : letter) = true;
        continue;
      }
      if (run >= 12 && digit && letter) {
        scan.runs = Evidence{0.5, "hardware-id-like hex run in label " + quoted(label)};
      }
      run = 0;
      digit = letter = false;
    }
  }
  if (scan.runs.text.empty() && scan.long_runs > 0) {
    scan.runs = Evidence{scan.long_runs > 1 ? 0.5 : 0.3, "long digit run in host part"};
  }
  if (const SubscriberLabel sub = find_subscriber_label(parts); sub.found && scan.mail.text.empty()) {
    scan.subscriber = Evidence{0.55, "opaque subscriber id in leftmost label " + quoted(sub.label) +
                                         " under regional sub-domain " + quoted(sub.region)};
  }
  const std::string_view leftmost = parts.label_count > 0 ? parts.labels[0].text : std::string_view();
  const bool leftmost_digits = std::any_of(leftmost.begin(), leftmost.end(), is_digit);
  if (leftmost_digits && scan.cloud.text.empty()) {
    for (std::string_view d : k_auto_name_domains) {
      if (ends_with_domain(parts.name, d)) {
        scan.cloud = Evidence{0.7, "cloud auto-name under " + quoted(d)};
        break;
      }
    }
  }
}

Evidence embed_evidence(const NameParts& parts, const Embedding& e, bool static_word, std::string_view ip_text) {
  const std::string where = e.first_label == 0 && e.last_label == 0 ? " in leftmost label " : " in ";
  const std::string part = where + quoted(parts.label_span(e.first_label, e.last_label));
  const std::string form = e.form.empty() ? std::string() : " as " + std::string(e.form);
  const std::string ip = "embeds IP " + std::string(ip_text) + (static_word ? " (static)" : "");
  switch (e.kind) {
    case EmbedKind::own_address: return {1.0, ip + form + part};
    case EmbedKind::plausible_ipv6: return {0.9, "embeds an IPv6 address" + form + part};
    case EmbedKind::plausible_ipv4:
      return {0.8, std::string(static_word ? "embeds an IP-like number (static)" : "embeds an IP-like number") +
                       form + part};
    case EmbedKind::own_partial3: return {0.8, "embeds 3 octets of IP " + std::string(ip_text) + form + part};
    case EmbedKind::hex8: return {0.55, "embeds an IP-like hex number" + part};
    case EmbedKind::split_octets: return {0.45, "four octet-sized numbers split by a word" + part};
    case EmbedKind::numbers3: return {0.35, "three octet-sized numbers" + part};
    case EmbedKind::own_partial2: return {0.3, "embeds 2 octets of IP " + std::string(ip_text) + part};
    case EmbedKind::none: break;
  }
  return {};
}

// User patterns run on RE2: linear time in the name, so no pattern ("^(x+x+)+y$") can make
// classify() hang on a hostile PTR name. Options as config/validate.cpp checks them with:
// case-insensitive, no logging to stderr, the same 1 MiB memory budget.
constexpr std::int64_t k_pattern_max_mem = std::int64_t{1} << 20;

struct UserPattern {
  std::string text;
  std::unique_ptr<const RE2> re;  // RE2 is neither copyable nor movable
};

// Searched, not anchored (like std::regex_search before): "^" and "$" anchor when wanted.
bool pattern_matches(std::string_view name, const RE2& re) {
  return RE2::PartialMatch(re2::StringPiece(name.data(), name.size()), re);
}

}  // namespace

// Compiled once in create(); RE2's match methods are const and thread-safe.
struct GenericClassifier::Impl {
  std::vector<UserPattern> extra;
  std::vector<UserPattern> allow;
};

GenericClassifier::GenericClassifier() : m_impl(std::make_unique<Impl>()) {}
GenericClassifier::~GenericClassifier() = default;
GenericClassifier::GenericClassifier(GenericClassifier&&) noexcept = default;
GenericClassifier& GenericClassifier::operator=(GenericClassifier&&) noexcept = default;

tl::expected<GenericClassifier, std::string> GenericClassifier::create(
    const std::vector<std::string>& extra_patterns, const std::vector<std::string>& allow_patterns) {
  GenericClassifier classifier;
  auto compile = [](const std::vector<std::string>& patterns, std::string_view what,
                    std::vector<UserPattern>& into) -> tl::expected<void, std::string> {
    RE2::Options options;
    options.set_case_sensitive(false);
    options.set_log_errors(false);
    options.set_max_mem(k_pattern_max_mem);
    for (std::size_t i = 0; i < patterns.size(); ++i) {
      auto re = std::make_unique<const RE2>(patterns[i], options);
      if (!re->ok()) {
        return tl::make_unexpected(std::string(what) + "[" + std::to_string(i) + "] \"" + patterns[i] +
                                   "\": invalid regex: " + re->error());
      }
      into.push_back(UserPattern{patterns[i], std::move(re)});
    }
    return {};
  };
  if (auto r = compile(extra_patterns, "extra_patterns", classifier.m_impl->extra); !r) {
    return tl::make_unexpected(r.error());
  }
  if (auto r = compile(allow_patterns, "allow_patterns", classifier.m_impl->allow); !r) {
    return tl::make_unexpected(r.error());
  }
  return classifier;
}

GenericVerdict GenericClassifier::classify(std::string_view hostname, std::string_view ip) const {
  NameParts parts;
  split_name(hostname, parts);

  const std::optional<Address> address = parse_address(ip);
  const Embedding embedding = find_embedding(parts, address);
  Scan scan;
  scan_tokens(parts, embedding.kind != EmbedKind::none, scan);
  scan.embed = embed_evidence(parts, embedding, scan.static_word, ip);

  // Digit runs that are the embedded address are not a second piece of evidence.
  if (scan.embed.weight >= 0.8) scan.runs = Evidence{};
  // The subscriber label is a long digit run seen in context: one piece of evidence, not two.
  if (scan.subscriber.weight > 0 && scan.runs.weight <= 0.3) scan.runs = Evidence{};
  if (embedding.kind != EmbedKind::none && embedding.first_label == 0) scan.subscriber = Evidence{};
  std::array<const Evidence*, 5> positive = {&scan.embed, &scan.pool, &scan.cloud, &scan.runs, &scan.subscriber};
  double score = 0.0;
  for (const Evidence* e : positive) {
    if (e != nullptr) score += e->weight;
  }
  score += scan.mail.weight + scan.infrastructure.weight;
  score = std::clamp(score, 0.0, 1.0);

  GenericVerdict verdict;
  verdict.score = score;
  verdict.generic = score >= k_threshold;
  std::sort(positive.begin(), positive.end(),
            [](const Evidence* a, const Evidence* b) { return a->weight > b->weight; });
  if (verdict.generic) {
    verdict.reason = positive[0]->text;
    if (positive[1]->weight > 0) verdict.reason += " + " + positive[1]->text;
  } else if (!scan.mail.text.empty()) {
    verdict.reason = scan.mail.text;
    if (positive[0]->weight > 0) verdict.reason += " outweighs " + positive[0]->text;
  } else if (!scan.infrastructure.text.empty()) {
    verdict.reason = scan.infrastructure.text;
  } else if (positive[0]->weight > 0) {
    verdict.reason = "weak evidence only: " + positive[0]->text;
  } else {
    verdict.reason = "no generic evidence";
  }

  // User patterns apply after the built-in rules; allow wins.
  // (A moved-from classifier has no Impl: it still answers, with the built-in rules.)
  if (m_impl == nullptr) return verdict;
  const Impl& impl = *m_impl;
  if (!impl.extra.empty() || !impl.allow.empty()) {
    for (std::size_t i = 0; i < impl.allow.size(); ++i) {
      if (pattern_matches(parts.name, *impl.allow[i].re)) {
        return GenericVerdict{false, 0.0,
                              "allowed by allow_patterns[" + std::to_string(i) + "] " + quoted(impl.allow[i].text)};
      }
    }
    for (std::size_t i = 0; i < impl.extra.size(); ++i) {
      if (pattern_matches(parts.name, *impl.extra[i].re)) {
        return GenericVerdict{true, 1.0,
                              "matches extra_patterns[" + std::to_string(i) + "] " + quoted(impl.extra[i].text)};
      }
    }
  }
  return verdict;
}

}  // namespace rdns::checks
