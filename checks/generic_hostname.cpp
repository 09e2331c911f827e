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
#include "checks/generic/name_parts.hpp"
#include "checks/generic/token_evidence.hpp"

namespace rdns::checks {
namespace {

using namespace rdns::checks::generic;

constexpr double k_threshold = 0.5;

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

tl::expected<GenericClassifier, std::string> GenericClassifier::create(const std::vector<std::string>& extra_patterns,
                                                                       const std::vector<std::string>& allow_patterns) {
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
  // Numbers that are the embedded address are not a second piece of evidence either: of the
  // two readings of the leftmost label's numbers, the stronger one counts.
  if (embedding.kind != EmbedKind::none && embedding.first_label == 0) {
    for (Evidence* other : {&scan.subscriber, &scan.numbers_label}) {
      if (other->weight <= scan.embed.weight) {
        *other = Evidence{};
      } else {
        scan.embed = Evidence{};
      }
    }
  }
  std::array<const Evidence*, 6> positive = {&scan.embed, &scan.pool,       &scan.cloud,
                                             &scan.runs,  &scan.subscriber, &scan.numbers_label};
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
  // generic::quoted, qualified: an unqualified call with a std::string finds std::quoted by
  // argument-dependent lookup wherever <iomanip> is reachable (as with Debian 13's GCC 14).
  if (!impl.extra.empty() || !impl.allow.empty()) {
    for (std::size_t i = 0; i < impl.allow.size(); ++i) {
      if (pattern_matches(parts.name, *impl.allow[i].re)) {
        return GenericVerdict{
            false, 0.0, "allowed by allow_patterns[" + std::to_string(i) + "] " + generic::quoted(impl.allow[i].text)};
      }
    }
    for (std::size_t i = 0; i < impl.extra.size(); ++i) {
      if (pattern_matches(parts.name, *impl.extra[i].re)) {
        return GenericVerdict{
            true, 1.0, "matches extra_patterns[" + std::to_string(i) + "] " + generic::quoted(impl.extra[i].text)};
      }
    }
  }
  return verdict;
}

}  // namespace rdns::checks
