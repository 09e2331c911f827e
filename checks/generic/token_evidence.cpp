#include "checks/generic/token_evidence.hpp"

#include <algorithm>
#include <array>

#include "checks/generic/keywords.hpp"
#include "checks/generic/subscriber_label.hpp"

namespace rdns::checks::generic {
namespace {

// Domains whose every host name is assigned per machine by a cloud or hosting company.
constexpr std::array<std::string_view, 17> k_auto_name_domains = {"amazonaws.com",
                                                                  "googleusercontent.com",
                                                                  "linodeusercontent.com",
                                                                  "members.linode.com",
                                                                  "vultrusercontent.com",
                                                                  "contaboserver.net",
                                                                  "your-server.de",
                                                                  "vps.ovh.net",
                                                                  "vps.ovh.ca",
                                                                  "scw.cloud",
                                                                  "poneytelecom.eu",
                                                                  "hstgr.cloud",
                                                                  "colocrossing.com",
                                                                  "hostwindsdns.com",
                                                                  "cloudapp.net",
                                                                  "onlinehome-server.info",
                                                                  "dedicated.hosteurope.de"};
static_assert(!k_auto_name_domains.back().empty(), "the array size must match its entries");

// Router interface names ("ge-1-0-0.bb1.nyc", "xe-0-1-2.cr1", "ae-1-3502.edge4") are
// infrastructure, not subscribers, even though they are full of small numbers.
constexpr std::array<std::string_view, 17> k_interface_words = {
    "ae", "ge", "xe", "et", "te", "be", "gi", "fa", "hu", "lo", "po", "so", "pos", "eth", "vlan", "irb", "bundle"};

bool ends_with_domain(std::string_view name, std::string_view domain) {
  if (name.size() <= domain.size()) return false;
  return name.substr(name.size() - domain.size()) == domain && name[name.size() - domain.size() - 1] == '.';
}

// Numbers that identify a line, not a server: an embedded address, a long run, two or more
// numbers, or one of four digits and more. "gw2", "dhcp1", "node123" are server numbers.
bool line_numbers(const Scan& scan, bool embedded) {
  return embedded || scan.long_runs > 0 || scan.numbers >= 2 || scan.longest >= 4;
}

// Words of a provider's own named servers: "www123.your-server.de" is a shared web server.
constexpr std::array<std::string_view, 10> k_server_words = {"www",     "web",    "ns",     "dns",    "ftp",
                                                             "webmail", "shared", "server", "cpanel", "plesk"};

// The leftmost label numbers a customer's machine, as clouds and hosts name them ("vmi123456",
// "li738-236", "dedi1234"): a number of four digits or more, or two numbers, and no server word.
// The label may be outside the host part: a provider's suffix can be in the Public Suffix List.
bool customer_machine_label(const NameParts& parts) {
  std::size_t numbers = 0;
  std::size_t longest = 0;
  for (std::size_t i = 0; i < parts.token_count && parts.tokens[i].label == 0; ++i) {
    const Token& t = parts.tokens[i];
    if (t.numeric) {
      ++numbers;
      longest = std::max(longest, t.text.size());
    } else if (std::find(k_server_words.begin(), k_server_words.end(), t.text) != k_server_words.end()) {
      return false;
    }
  }
  return longest >= 4 || numbers >= 2;
}

// Two or more numbers and nothing else in label `li`.
bool numbers_only_label(const NameParts& parts, std::size_t li) {
  int numbers = 0;
  for (std::size_t i = 0; i < parts.token_count && parts.tokens[i].label <= li; ++i) {
    if (parts.tokens[i].label != li) continue;
    if (!parts.tokens[i].numeric) return false;
    ++numbers;
  }
  return numbers >= 2;
}

}  // namespace

std::string quoted(std::string_view s) {
  std::string out = "\"";
  out.append(s);
  out += '"';
  return out;
}

// MAC-like or serial-number-like runs: "s0106001a2b3c4d5e", "cpe0012abcd3456".
void scan_hex_runs(const NameParts& parts, Scan& scan) {
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
        scan.mail =
            Evidence{-0.6, "mail host keyword " + quoted(mail) + " in label " + quoted(parts.labels[t.label].text)};
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
    const std::string_view label = parts.labels[pool_label].text;
    // An access-equipment token numbered in its own label: "natpool62", "nas934".
    const bool equipment_number = best_pool.numbered && std::any_of(label.begin(), label.end(), is_digit);
    const bool numbered = line_numbers(scan, embedded) || equipment_number || pool_zone;
    // "customer.lsancax1.pop.starlinkisp.net": the keyword is the subscriber label itself.
    const bool leftmost_above_region = pool_label == 0 && label == best_pool.keyword && parts.host_labels >= 3 &&
                                       is_location_code(parts.labels[1].text);
    double w = 0.0;
    std::string_view how;
    switch (best_pool.strength) {
      case KeywordStrength::strong:
        w = numbered ? (strong_words > 1 ? 0.7 : 0.6) : leftmost_above_region ? 0.6 : strong_words > 1 ? 0.5 : 0.3;
        break;
      case KeywordStrength::medium: w = numbered || leftmost_above_region ? 0.5 : 0.3; break;
      case KeywordStrength::weak: w = numbered ? 0.25 : 0.0; break;
      case KeywordStrength::none: break;
    }
    if (!numbered) how = scan.host_digits ? " with only a server number" : " without numbers";
    if (!numbered && strong_words >= 2) how = " with another pool keyword";
    if (!numbered && leftmost_above_region) how = " above regional sub-domain";
    if (pool_zone && !line_numbers(scan, embedded)) how = " as pool sub-domain over a numbered label";
    if (w > 0) {
      scan.pool =
          Evidence{w, "pool keyword " + quoted(best_pool.keyword) + " in label " + quoted(label) + std::string(how)};
    }
  }
  scan_hex_runs(parts, scan);
  if (scan.runs.text.empty() && scan.long_runs > 0) {
    // Nine digits and more: an address as a 32-bit integer, a subscriber or line number; a
    // server is never numbered that high.
    if (scan.longest >= 9) {
      scan.runs = Evidence{0.5, "number of " + std::to_string(scan.longest) + " digits in host part"};
    } else {
      scan.runs = Evidence{scan.long_runs > 1 ? 0.5 : 0.3, "long digit run in host part"};
    }
  }
  // A leftmost label of numbers only ("68-24", "04-160"): nobody chooses that as a host name.
  if (parts.host_labels > 0 && numbers_only_label(parts, 0)) {
    scan.numbers_label = Evidence{0.5, "leftmost label " + quoted(parts.labels[0].text) + " is numbers only"};
  }
  if (const SubscriberLabel sub = find_subscriber_label(parts); sub.found && scan.mail.text.empty()) {
    scan.subscriber = Evidence{0.55, "opaque subscriber id in leftmost label " + quoted(sub.label) +
                                         " under regional sub-domain " + quoted(sub.region)};
  }
  if (scan.cloud.text.empty() && customer_machine_label(parts)) {
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
      return {0.8, std::string(static_word ? "embeds an IP-like number (static)" : "embeds an IP-like number") + form +
                       part};
    case EmbedKind::own_partial3: return {0.8, "embeds 3 octets of IP " + std::string(ip_text) + form + part};
    case EmbedKind::hex8: return {0.55, "embeds an IP-like hex number" + part};
    case EmbedKind::split_octets: return {0.45, "four octet-sized numbers split by a word" + part};
    case EmbedKind::numbers3:
      // In one dashed run of the leftmost label ("p4-81-12", "blk-3-13-18"): the line's number.
      if (e.first_label == 0 && e.last_label == 0) return {0.5, "three octet-sized numbers" + part};
      return {0.35, "three octet-sized numbers" + part};
    case EmbedKind::own_partial2: return {0.3, "embeds 2 octets of IP " + std::string(ip_text) + part};
    case EmbedKind::none: break;
  }
  return {};
}

}  // namespace rdns::checks::generic
