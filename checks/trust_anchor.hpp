// DNSSEC trust anchors as text: which root keys a DS/DNSKEY anchor file trusts, by key tag.
// Pure (no I/O, no libunbound): the agent reports the tags, checks/unbound/ picks the file.
//
// Understands the forms anchors come in: zone-file lines (`. IN DS 20326 8 2 E06D...`,
// `. 172800 IN DNSKEY 257 3 8 AwEAA...`), Debian's root.key (DNSKEY lines with `; keytag`
// comments) and libunbound's RFC 5011 auto-trust-anchor file (DNSKEY lines followed by
// `;;state=2 [ VALID ]` comments). Lines it does not understand are skipped, not errors:
// libunbound, which loads the file, is the judge of its syntax.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rdns::checks {

// Where a resolver's DNSSEC anchors come from (rdns_resolver_trust_anchor_info).
struct TrustAnchorInfo {
  // "file" (trust_anchor_file), "system" (the system's root anchor file), "builtin", "auto"
  // (an RFC 5011 state file), "unbound_config_file"; "" when DNSSEC is off.
  std::string source;
  std::string path;                     // the file they were read from ("" for builtin)
  std::vector<std::uint16_t> key_tags;  // root anchors trusted at creation, ascending
  std::string warning;                  // something wrong the operator should fix (for the log); may be ""
  std::string note;                     // something the operator may want to know (for the log); may be ""

  bool operator==(const TrustAnchorInfo&) const = default;
};

// RFC 4034 Appendix B key tag of a DNSKEY's rdata (flags, protocol, algorithm, public key).
std::uint16_t dnskey_key_tag(std::uint16_t flags, std::uint8_t protocol, std::uint8_t algorithm,
                             std::span<const std::uint8_t> public_key);

// The key tags of the root (owner ".") anchors `anchor_text` trusts, ascending, each once.
// Skipped: DNSKEYs with the REVOKE bit, and RFC 5011 states other than VALID and MISSING (a
// key still in its add hold-down is not trusted yet; a revoked or removed one no more).
std::vector<std::uint16_t> root_anchor_key_tags(std::string_view anchor_text);

// "20326,38696" (the `key_tags` label); "" when none.
std::string key_tags_text(const std::vector<std::uint16_t>& tags);

// The IANA root KSKs as DS records, one line each: KSK-2017 (20326) and KSK-2024 (38696), the
// fallback when the system has no root anchor file. RFC 5011 (--storage.path) follows later
// rolls from there.
std::string_view builtin_root_anchors();

}  // namespace rdns::checks
