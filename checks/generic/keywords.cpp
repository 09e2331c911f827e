#include "checks/generic/keywords.hpp"

#include <array>

namespace rdns::checks::generic {
namespace {

struct Entry {
  std::string_view word;
  KeywordStrength strength;
  // 0: whole token only; 1: also as a prefix ("dynamicip"); 2: also as a prefix or a suffix
  // ("athedsl", "mobilebroadband"). Suffixes only for words no ordinary word ends with.
  int affix;
  bool numbered = false;  // see KeywordMatch::numbered
};

using S = KeywordStrength;

// Kept as data: adding a word is a one-line change with a corpus test to prove it.
constexpr std::array k_pool_words = {
    // dynamic / DHCP pools
    Entry{"dynamic", S::strong, 2}, Entry{"dyn", S::strong, 1}, Entry{"dhcp", S::strong, 2},
    Entry{"pool", S::strong, 1}, Entry{"pools", S::strong, 0}, Entry{"dip", S::strong, 0}, Entry{"dynip", S::strong, 1},
    Entry{"nat", S::medium, 0}, Entry{"natpool", S::strong, 1, true}, Entry{"cgnat", S::strong, 1},
    Entry{"cgn", S::medium, 0},
    // DSL, dial-up, PPP
    Entry{"dsl", S::strong, 2}, Entry{"adsl", S::strong, 2}, Entry{"vdsl", S::strong, 2}, Entry{"xdsl", S::strong, 2},
    Entry{"sdsl", S::strong, 2}, Entry{"ppp", S::strong, 2}, Entry{"pppoe", S::strong, 1}, Entry{"ipoe", S::strong, 1},
    Entry{"pppoa", S::strong, 1}, Entry{"dialup", S::strong, 2}, Entry{"dial", S::strong, 0},
    Entry{"dialin", S::strong, 1}, Entry{"bras", S::strong, 0, true}, Entry{"lns", S::strong, 0, true},
    Entry{"nas", S::strong, 0, true}, Entry{"ras", S::medium, 0},
    // cable, fibre, fixed wireless, mobile
    Entry{"cable", S::strong, 2}, Entry{"catv", S::strong, 1}, Entry{"cm", S::medium, 0}, Entry{"hsd", S::strong, 0},
    Entry{"hsi", S::strong, 0}, Entry{"cpe", S::strong, 1}, Entry{"cpc", S::medium, 0}, Entry{"modem", S::strong, 2},
    Entry{"ftth", S::strong, 1}, Entry{"fttx", S::strong, 1}, Entry{"fttb", S::strong, 1}, Entry{"fttc", S::strong, 1},
    Entry{"fttp", S::strong, 1}, Entry{"gpon", S::strong, 1}, Entry{"fiber", S::medium, 0},
    Entry{"fibre", S::medium, 0}, Entry{"wimax", S::strong, 1}, Entry{"wireless", S::strong, 1},
    Entry{"wifi", S::strong, 1}, Entry{"wlan", S::strong, 1}, Entry{"gprs", S::strong, 1}, Entry{"umts", S::strong, 1},
    Entry{"lte", S::strong, 0}, Entry{"mobile", S::medium, 1}, Entry{"apn", S::strong, 0}, Entry{"wap", S::medium, 0},
    // broadband / residential / subscriber words, several languages
    Entry{"broadband", S::strong, 2}, Entry{"bredband", S::strong, 2}, Entry{"bb", S::medium, 0},
    Entry{"res", S::strong, 0}, Entry{"resi", S::strong, 0}, Entry{"residential", S::strong, 1},
    Entry{"abo", S::strong, 0}, Entry{"subs", S::strong, 0}, Entry{"sub", S::medium, 0},
    Entry{"subscriber", S::strong, 1}, Entry{"subscribers", S::strong, 1}, Entry{"client", S::medium, 1},
    Entry{"clients", S::medium, 1}, Entry{"customer", S::medium, 1}, Entry{"customers", S::medium, 1},
    Entry{"cust", S::medium, 0}, Entry{"user", S::medium, 0}, Entry{"usr", S::medium, 0}, Entry{"users", S::medium, 0},
    Entry{"home", S::medium, 0}, Entry{"access", S::medium, 0}, Entry{"dialer", S::strong, 1},
    Entry{"kunden", S::strong, 1}, Entry{"abonne", S::strong, 1}, Entry{"unassigned", S::medium, 1},
    Entry{"unallocated", S::medium, 1}, Entry{"rev", S::medium, 0}, Entry{"reverse", S::medium, 0},
    Entry{"addr", S::medium, 0}, Entry{"hosted", S::medium, 0},
    // words that say little alone, but do next to numbers
    Entry{"ip", S::weak, 0}, Entry{"ips", S::weak, 0}, Entry{"host", S::weak, 0}, Entry{"static", S::weak, 1},
    Entry{"fixed", S::weak, 0}, Entry{"vps", S::weak, 0}, Entry{"srv", S::weak, 0}, Entry{"vmi", S::weak, 0},
    Entry{"vmd", S::weak, 0}, Entry{"node", S::medium, 0}, Entry{"ec", S::weak, 0}, Entry{"compute", S::weak, 0},
    Entry{"instances", S::weak, 0}, Entry{"cloud", S::weak, 0}};

constexpr std::array<std::string_view, 9> k_mail_affix = {"mail",   "smtp",   "mta",     "relay", "outbound",
                                                          "bounce", "mailer", "postfix", "exim"};
constexpr std::array<std::string_view, 14> k_mail_whole = {"mx",         "out",      "mout",     "mo",      "mxout",
                                                           "mxin",       "outgoing", "sender",   "esmtp",   "email",
                                                           "newsletter", "mtasv",    "sendgrid", "mandrill"};

bool prefix_of(std::string_view word, std::string_view token) {
  return token.size() > word.size() && token.substr(0, word.size()) == word;
}
bool suffix_of(std::string_view word, std::string_view token) {
  return token.size() > word.size() && token.substr(token.size() - word.size()) == word;
}

}  // namespace

KeywordMatch pool_keyword(std::string_view token) {
  KeywordMatch best;
  for (const Entry& e : k_pool_words) {
    if (e.strength <= best.strength) continue;
    if (token == e.word || (e.affix >= 1 && prefix_of(e.word, token)) || (e.affix == 2 && suffix_of(e.word, token)))
      best = KeywordMatch{e.strength, e.word, e.numbered};
  }
  return best;
}

std::string_view mail_keyword(std::string_view token) {
  for (std::string_view w : k_mail_whole) {
    if (token == w) return w;
  }
  for (std::string_view w : k_mail_affix) {
    if (token == w || prefix_of(w, token) || suffix_of(w, token)) return w;
  }
  return {};
}

}  // namespace rdns::checks::generic
