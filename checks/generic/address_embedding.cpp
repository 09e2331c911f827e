#include "checks/generic/address_embedding.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

namespace rdns::checks::generic {
namespace {

struct Number {
  int value;  // -1: longer than 3 digits or above 255, never an octet
  std::uint8_t label;
  std::uint16_t run;
  std::string_view text;
};

struct Numbers {
  std::array<Number, k_max_tokens> items;  // [0, count) are valid
  std::size_t count = 0;
};

constexpr char k_hex_digits[] = "0123456789abcdef";

void keep(Embedding& best, EmbedKind kind, std::size_t first, std::size_t last, std::string_view form) {
  if (kind <= best.kind) return;
  best = Embedding{kind, static_cast<std::uint8_t>(first), static_cast<std::uint8_t>(last), form};
}

// The labels the address may hide in: all but the top-level one.
std::size_t searchable_labels(const NameParts& parts) {
  return parts.label_count > 1 ? parts.label_count - 1 : parts.label_count;
}

Numbers collect_numbers(const NameParts& parts, std::size_t label_limit) {
  Numbers numbers;
  for (std::size_t i = 0; i < parts.token_count; ++i) {
    const Token& t = parts.tokens[i];
    if (!t.numeric || t.label >= label_limit) continue;
    int value = -1;
    if (t.text.size() <= 3) {
      value = 0;
      for (char c : t.text) value = value * 10 + (c - '0');
      if (value > 255) value = -1;
    }
    numbers.items[numbers.count++] = Number{value, t.label, t.run, t.text};
  }
  return numbers;
}

// Is {values} a sub-multiset of the four octets?
bool octets_contain(const std::array<int, 4>& octets, const int* values, std::size_t n) {
  std::array<bool, 4> used{};
  for (std::size_t i = 0; i < n; ++i) {
    bool found = false;
    for (std::size_t k = 0; k < 4 && !found; ++k) {
      if (!used[k] && octets[k] == values[i]) used[k] = found = true;
    }
    if (!found) return false;
  }
  return true;
}

std::string octet_digits(const std::array<int, 4>& o, bool padded, bool reversed) {
  std::string out;
  char buf[8];
  for (int i = 0; i < 4; ++i) {
    const int v = o[static_cast<std::size_t>(reversed ? 3 - i : i)];
    std::snprintf(buf, sizeof buf, padded ? "%03d" : "%d", v);
    out += buf;
  }
  return out;
}

std::string hex_of(const std::uint8_t* bytes, std::size_t n) {
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out += k_hex_digits[bytes[i] >> 4];
    out += k_hex_digits[bytes[i] & 0xf];
  }
  return out;
}

bool same_run(const Number* w, std::size_t n) {
  for (std::size_t i = 1; i < n; ++i) {
    if (w[i].run != w[0].run) return false;
  }
  return true;
}

bool all_octets(const Number* w, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    if (w[i].value < 0) return false;
  }
  return true;
}

// Interface and slot numbers ("ge-1-0-0", "xe-0-0-0") are mostly zeros; addresses rarely are.
bool mostly_zero(const Number* w, std::size_t n) {
  std::size_t zeros = 0;
  for (std::size_t i = 0; i < n; ++i) zeros += w[i].value == 0 ? 1 : 0;
  return zeros >= 2;
}

// Digits run together: "126001002003", "1921680110", the 32-bit integer.
void find_own_ipv4_digits(const Numbers& nums, const std::array<int, 4>& o, Embedding& best) {
  const std::string padded = octet_digits(o, true, false);
  const std::string padded_rev = octet_digits(o, true, true);
  const std::string plain = octet_digits(o, false, false);
  const std::string plain_rev = octet_digits(o, false, true);
  const std::string integer =
      std::to_string((static_cast<unsigned long>(o[0]) << 24) | (static_cast<unsigned long>(o[1]) << 16) |
                     (static_cast<unsigned long>(o[2]) << 8) | static_cast<unsigned long>(o[3]));
  const std::string padded3_tail = padded.substr(3);
  const std::string padded3_head = padded.substr(0, 9);
  for (std::size_t i = 0; i < nums.count; ++i) {
    const std::string_view t = nums.items[i].text;
    if (t.size() < 7) continue;
    const std::uint8_t l = nums.items[i].label;
    if (t.find(padded) != std::string_view::npos || t.find(padded_rev) != std::string_view::npos) {
      keep(best, EmbedKind::own_address, l, l, "zero-padded digits");
    } else if (t.find(plain) != std::string_view::npos || t.find(plain_rev) != std::string_view::npos) {
      keep(best, EmbedKind::own_address, l, l, "digits");
    } else if (integer.size() >= 7 && t.find(integer) != std::string_view::npos) {
      keep(best, EmbedKind::own_address, l, l, "32-bit integer");
    } else if (t.find(padded3_tail) != std::string_view::npos || t.find(padded3_head) != std::string_view::npos) {
      keep(best, EmbedKind::own_partial3, l, l, "zero-padded digits");
    }
  }
}

void find_own_ipv4(const NameParts& parts, std::size_t limit, const Numbers& nums, const Address& a, Embedding& best) {
  const std::array<int, 4> o = {a.bytes[0], a.bytes[1], a.bytes[2], a.bytes[3]};
  // Octet-sized numbers next to each other, letters between them ignored ("123.ip-51-68-1").
  for (std::size_t n : {std::size_t{4}, std::size_t{3}, std::size_t{2}}) {
    for (std::size_t i = 0; i + n <= nums.count; ++i) {
      const Number* w = &nums.items[i];
      if (!all_octets(w, n)) continue;
      int values[4];
      for (std::size_t k = 0; k < n; ++k) values[k] = w[k].value;
      if (!octets_contain(o, values, n)) continue;
      std::string_view form = "octets";
      if (n == 4) {
        const bool forward = values[0] == o[0] && values[1] == o[1] && values[2] == o[2] && values[3] == o[3];
        const bool reversed = values[0] == o[3] && values[1] == o[2] && values[2] == o[1] && values[3] == o[0];
        form = forward ? "octets" : reversed ? "reversed octets" : "octets out of order";
      }
      const EmbedKind kind = n == 4   ? EmbedKind::own_address
                             : n == 3 ? EmbedKind::own_partial3
                                      : EmbedKind::own_partial2;
      keep(best, kind, w[0].label, w[n - 1].label, form);
    }
    if (best.kind == EmbedKind::own_address) return;
  }
  // Digits run together: only looked for when some digit run is long enough to hold them.
  bool long_run = false;
  for (std::size_t i = 0; i < nums.count && !long_run; ++i) long_run = nums.items[i].text.size() >= 7;
  if (long_run) find_own_ipv4_digits(nums, o, best);
  // Hex: "p5b0a1c2d", "0xc0a80001", "c0a80001".
  const std::string hex = hex_of(a.bytes.data(), 4);
  const std::uint8_t rev_bytes[4] = {a.bytes[3], a.bytes[2], a.bytes[1], a.bytes[0]};
  const std::string hex_rev = hex_of(rev_bytes, 4);
  for (std::size_t li = 0; li < limit; ++li) {
    const std::string_view label = parts.labels[li].text;
    if (label.find(hex) != std::string_view::npos || label.find(hex_rev) != std::string_view::npos) {
      keep(best, EmbedKind::own_address, li, li, "hex");
    } else if (label.size() >= 6 && (label.find(hex.substr(2)) != std::string_view::npos ||
                                     label.find(hex_rev.substr(0, 6)) != std::string_view::npos)) {
      // The host's three octets in hex, in order or reversed ("cpe-0a1b2c" for x.10.27.44).
      keep(best, EmbedKind::own_partial3, li, li, "hex");
    }
  }
}

// Label text with '-' and '_' removed, lower case already: "2a01-cb08" -> "2a01cb08".
std::string compact(std::string_view label) {
  std::string out;
  out.reserve(label.size());
  for (char c : label) {
    if (c != '-' && c != '_') out += c;
  }
  return out;
}

// Tries every span of '-'-separated chunks of `label` (>= 3 chunks) as an IPv6 address.
// Returns the best kind found: own_address when it equals `own`, else plausible_ipv6 for
// four or more groups.
EmbedKind ipv6_groups(std::string_view label, const Address* own) {
  if (label.size() < 5 || label.size() > 63) return EmbedKind::none;
  std::array<std::size_t, 40> starts{};
  std::size_t n = 0;
  starts[n++] = 0;
  for (std::size_t i = 0; i < label.size() && n < starts.size(); ++i) {
    if (label[i] == '-') starts[n++] = i + 1;
  }
  if (n < 3) return EmbedKind::none;
  EmbedKind best = EmbedKind::none;
  char buf[64];
  for (std::size_t s = 0; s < n; ++s) {
    for (std::size_t e = n; e >= s + 3; --e) {  // chunks [s, e)
      const std::size_t from = starts[s];
      const std::size_t to = e == n ? label.size() : starts[e] - 1;
      if (to <= from || to - from >= sizeof buf) continue;
      std::size_t len = 0;
      bool ok = true;
      for (std::size_t i = from; i < to; ++i) {
        const char c = label[i];
        if (c == '-') {
          buf[len++] = ':';
        } else if (is_hex(c)) {
          buf[len++] = c;
        } else {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      buf[len] = '\0';
      std::array<std::uint8_t, 16> bytes{};
      if (inet_pton(AF_INET6, buf, bytes.data()) != 1) continue;
      if (own != nullptr && own->v6 && bytes == own->bytes) return EmbedKind::own_address;
      if (e - s >= 4) best = std::max(best, EmbedKind::plausible_ipv6);
    }
  }
  return best;
}

void find_ipv6(const NameParts& parts, std::size_t limit, const std::optional<Address>& address, Embedding& best) {
  const Address* own = address && address->v6 ? &*address : nullptr;
  // Nibble labels: "b.a.9.8.7.6.5.4.3.2.1.0.0.0.0.0.ip6.example.net".
  std::size_t run_start = 0;
  std::size_t run_len = 0;
  for (std::size_t li = 0; li <= limit; ++li) {
    const bool nibble = li < limit && parts.labels[li].text.size() == 1 && is_hex(parts.labels[li].text[0]);
    if (nibble) {
      if (run_len == 0) run_start = li;
      ++run_len;
      continue;
    }
    if (run_len >= 8) {
      EmbedKind kind = EmbedKind::plausible_ipv6;
      if (own != nullptr) {
        // The run read backwards is the tail of the address's nibbles.
        const std::string nibbles = hex_of(own->bytes.data(), 16);
        std::string tail;
        for (std::size_t k = run_start + run_len; k-- > run_start;) tail += parts.labels[k].text[0];
        if (nibbles.size() >= tail.size() && nibbles.compare(nibbles.size() - tail.size(), tail.size(), tail) == 0) {
          kind = EmbedKind::own_address;
        }
      }
      keep(best, kind, run_start, run_start + run_len - 1, "IPv6 nibbles");
    }
    run_len = 0;
  }
  for (std::size_t li = 0; li < limit; ++li) {
    const std::string_view label = parts.labels[li].text;
    const EmbedKind groups = ipv6_groups(label, own);
    if (groups != EmbedKind::none) keep(best, groups, li, li, "IPv6 hex groups");
    if (own != nullptr && label.size() >= 12) {
      const std::string full = hex_of(own->bytes.data(), 16);
      const std::string flat = compact(label);
      if (flat.find(full) != std::string::npos || flat.find(full.substr(16)) != std::string::npos ||
          flat.find(full.substr(0, 12)) != std::string::npos) {
        keep(best, EmbedKind::own_address, li, li, "IPv6 hex");
      }
    }
  }
}

// 8 hex digits, mixing digits and letters, alone in a '-' chunk or after a short letter prefix
// ("5e0a1b2c", "p5b0a1c2d", "0x4d1a2b3c", "ip4da1b2c3").
bool hex8_chunk(std::string_view chunk) {
  if (chunk.size() < 8 || chunk.size() > 11) return false;
  const std::string_view tail = chunk.substr(chunk.size() - 8);
  const std::string_view prefix = chunk.substr(0, chunk.size() - 8);
  if (prefix != "0x") {
    for (char c : prefix) {
      if (!is_lower(c)) return false;
    }
  }
  bool digit = false;
  bool letter = false;
  for (char c : tail) {
    if (!is_hex(c)) return false;
    (is_digit(c) ? digit : letter) = true;
  }
  return digit && letter;
}

void find_any_ipv4(const NameParts& parts, std::size_t limit, const Numbers& nums, Embedding& best) {
  for (std::size_t n : {std::size_t{4}, std::size_t{3}}) {
    for (std::size_t i = 0; i + n <= nums.count; ++i) {
      const Number* w = &nums.items[i];
      if (!all_octets(w, n) || !same_run(w, n) || w[0].value == 0 || mostly_zero(w, n)) continue;
      keep(best, n == 4 ? EmbedKind::plausible_ipv4 : EmbedKind::numbers3, w[0].label, w[n - 1].label,
           n == 4 ? "octets" : "three octets");
    }
  }
  // "12.red-88-2-33", "host9-88-static.12-79-b": four numbers, a word between, two labels at most.
  for (std::size_t i = 0; i + 4 <= nums.count; ++i) {
    const Number* w = &nums.items[i];
    if (!all_octets(w, 4) || w[3].label > w[0].label + 1) continue;
    // At most one word between them: "srv1-rack2-row3-dc4" is four numbers, not an address.
    std::size_t runs = 1;
    for (std::size_t k = 1; k < 4; ++k) runs += w[k].run != w[k - 1].run ? 1 : 0;
    if (runs > 2) continue;
    bool zero = false;
    for (std::size_t k = 0; k < 4; ++k) zero = zero || w[k].value == 0;
    if (!zero) keep(best, EmbedKind::split_octets, w[0].label, w[3].label, "");
  }
  for (std::size_t i = 0; i < nums.count; ++i) {
    const std::string_view t = nums.items[i].text;
    if (t.size() != 12) continue;
    bool octets = t[0] != '0' || t[1] != '0' || t[2] != '0';
    for (std::size_t k = 0; k < 12 && octets; k += 3) {
      octets = (t[k] - '0') * 100 + (t[k + 1] - '0') * 10 + (t[k + 2] - '0') <= 255;
    }
    if (octets) keep(best, EmbedKind::plausible_ipv4, nums.items[i].label, nums.items[i].label, "zero-padded digits");
  }
  for (std::size_t li = 0; li < limit; ++li) {
    const std::string_view label = parts.labels[li].text;
    std::size_t from = 0;
    while (from <= label.size()) {
      std::size_t to = label.find('-', from);
      if (to == std::string_view::npos) to = label.size();
      if (hex8_chunk(label.substr(from, to - from))) keep(best, EmbedKind::hex8, li, li, "hex");
      from = to + 1;
    }
  }
}

}  // namespace

std::optional<Address> parse_address(std::string_view text) {
  if (text.empty() || text.size() >= 64) return std::nullopt;
  Address out;
  if (text.find(':') == std::string_view::npos) {
    int part = 0;
    int value = -1;
    for (char c : text) {
      if (is_digit(c)) {
        value = (value < 0 ? 0 : value * 10) + (c - '0');
        if (value > 255) return std::nullopt;
      } else if (c == '.' && value >= 0 && part < 3) {
        out.bytes[static_cast<std::size_t>(part++)] = static_cast<std::uint8_t>(value);
        value = -1;
      } else {
        return std::nullopt;
      }
    }
    if (part != 3 || value < 0) return std::nullopt;
    out.bytes[3] = static_cast<std::uint8_t>(value);
    return out;
  }
  char buf[64];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  if (inet_pton(AF_INET6, buf, out.bytes.data()) != 1) return std::nullopt;
  out.v6 = true;
  return out;
}

Embedding find_embedding(const NameParts& parts, const std::optional<Address>& address) {
  Embedding best;
  const std::size_t limit = searchable_labels(parts);
  const Numbers nums = collect_numbers(parts, limit);
  if (address && !address->v6) find_own_ipv4(parts, limit, nums, *address, best);
  if (best.kind == EmbedKind::own_address) return best;
  find_ipv6(parts, limit, address, best);
  if (best.kind == EmbedKind::own_address) return best;
  find_any_ipv4(parts, limit, nums, best);
  return best;
}

}  // namespace rdns::checks::generic
