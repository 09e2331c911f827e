// One SPF record, parsed (RFC 7208 sections 4.5, 4.6, 5, 6, 7 and 12), and the choice of the SPF
// record among the TXT records of a name. Pure: no DNS; the expander (spf_expander.cpp) does
// the lookups. Errors are one-line messages that name the bad term, odd bytes escaped as \xNN.
// Thread-safety: pure functions, safe from any thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace rdns::checks::discovery {

enum class SpfQualifier : char { pass = '+', fail = '-', softfail = '~', neutral = '?' };
enum class SpfMechanismKind { all, include, a, mx, ptr, ip4, ip6, exists };

const char* to_string(SpfMechanismKind kind);

// A domain-spec as written. `has_macro`: it holds a macro (%{...}, %%, %_ or %-), so what it
// names depends on the message being checked: it cannot be expanded for discovery.
struct SpfDomainSpec {
  std::string text;  // "" for a/mx/ptr without one (the current domain)
  bool has_macro = false;
};

struct SpfMechanism {
  SpfQualifier qualifier = SpfQualifier::pass;
  SpfMechanismKind kind = SpfMechanismKind::all;
  SpfDomainSpec domain;  // include, a, mx, ptr, exists
  std::string network;   // ip4, ip6: the canonical network "192.0.2.0/24" (host bits cleared)
  unsigned cidr4 = 32;   // a, mx: the ip4-cidr-length
  unsigned cidr6 = 128;  // a, mx: the ip6-cidr-length
  std::string text;      // the term as written, for messages

  // True for the terms that count towards the 10-lookup limit (include, a, mx, ptr, exists).
  bool queries_dns() const;
};

struct SpfRecord {
  std::vector<SpfMechanism> mechanisms;  // in record order
  std::optional<SpfDomainSpec> redirect;
  std::string redirect_text;  // "redirect=..." as written
  bool has_all = false;       // an `all` mechanism (any qualifier): redirect= is then ignored
};

// True when `text` is an SPF record by its version: "v=spf1" (any case) followed by a space or
// the end (RFC 7208 4.5). "v=spf10" and " v=spf1" are not.
bool is_spf_record(std::string_view text);

// Parses one record (starting with its version). Unknown modifiers and exp= are accepted and
// ignored; a syntax error, a repeated redirect=/exp=, or a byte outside printable ASCII is an
// error whose message names the term, e.g. `bad term "ip4:192.0.2.1/33": cidr length above 32`.
[[nodiscard]] tl::expected<SpfRecord, std::string> parse_spf_record(std::string_view text);

// The SPF record among the TXT records of a name (RFC 7208 4.5): exactly one is `one`, none is
// `none`, more than one is `several` (a permerror; `count` says how many).
struct SpfSelection {
  enum class Kind { none, one, several } kind = Kind::none;
  std::string record;  // for `one`
  std::size_t count = 0;
};
SpfSelection select_spf_record(const std::vector<std::string>& txt_records);

// `text` with bytes outside printable ASCII, '"' and '\' escaped (\xNN, \", \\), in double
// quotes: how messages quote record text that came from the DNS.
std::string quote_spf_text(std::string_view text);

// A domain name as SPF needs it for a lookup: lower-cased, without trailing dot, labels of
// 1..63 printable non-space ASCII bytes (no '%' or backslash), 1..253 bytes, at least two labels, the last
// one alphanumeric and not all digits (RFC 7208 7.1 toplabel). nullopt otherwise.
std::optional<std::string> spf_lookup_domain(std::string_view text);

// The network of `prefix_length` bits that holds `address` (IPv4 or IPv6 text), canonical:
// ("192.0.2.77", 24) -> "192.0.2.0/24", ("2001:DB8::1", 128) -> "2001:db8::1/128". nullopt when
// `address` is not an address or the length is too long for its family.
std::optional<std::string> spf_network(std::string_view address, unsigned prefix_length);

}  // namespace rdns::checks::discovery
