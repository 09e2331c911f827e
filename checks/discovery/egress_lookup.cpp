// Egress address lookup: one query to an echo service, the answer read by egress_address_from.
#include "checks/discovery/egress_lookup.hpp"

#include <arpa/inet.h>

#include <array>
#include <optional>
#include <string>
#include <utility>

#include "checks/discovery/spf_record.hpp"

namespace rdns::checks::discovery {
namespace {

constexpr std::size_t k_quoted_records = 3;  // records quoted in a "no address" message

std::string family_text(AddressFamily family) { return family == AddressFamily::ipv4 ? "IPv4" : "IPv6"; }

RrType query_type(const EgressQuery& query) {
  if (query.method == EgressMethod::txt_echo) return RrType::TXT;
  return query.family == AddressFamily::ipv4 ? RrType::A : RrType::AAAA;
}

std::string type_text(RrType type) {
  switch (type) {
    case RrType::TXT: return "TXT";
    case RrType::A: return "A";
    case RrType::AAAA: return "AAAA";
    default: return "?";
  }
}

// `text` exactly an address of `family` (no spaces, no prefix length), canonical.
std::optional<std::string> address_of_family(const std::string& text, AddressFamily family) {
  std::array<unsigned char, 16> bytes{};
  const int af = family == AddressFamily::ipv4 ? AF_INET : AF_INET6;
  if (text.find('\0') != std::string::npos || ::inet_pton(af, text.c_str(), bytes.data()) != 1) return std::nullopt;
  char buf[INET6_ADDRSTRLEN];
  if (::inet_ntop(af, bytes.data(), buf, sizeof buf) == nullptr) return std::nullopt;
  return std::string(buf);
}

std::string absolute(std::string name) {
  if (name.empty() || name.back() != '.') name += '.';
  return name;
}

}  // namespace

EgressResult egress_address_from(const DnsAnswer& answer, const EgressQuery& query) {
  const std::string what = type_text(query_type(query)) + " " + absolute(query.name);
  if (answer.status != LookupStatus::ok) {
    std::string message = what + ": " + std::string(to_string(answer.status));
    if (!answer.detail.empty()) message += " (" + answer.detail + ")";
    return tl::unexpected(message);
  }
  for (const auto& record : answer.records) {
    if (auto address = address_of_family(record, query.family)) return *address;
  }
  if (answer.records.empty()) return tl::unexpected(what + ": no answer records");
  std::string quoted;
  for (std::size_t i = 0; i < answer.records.size() && i < k_quoted_records; ++i) {
    quoted += (i ? ", " : "") + quote_spf_text(answer.records[i]);
  }
  if (answer.records.size() > k_quoted_records) quoted += ", ...";
  return tl::unexpected(what + ": no " + family_text(query.family) + " address in the answer: " + quoted);
}

void lookup_egress_address(Resolver& resolver, const EgressQuery& query, Resolver::Deadline deadline,
                           std::function<void(EgressResult)> done) {
  resolver.resolve(absolute(query.name), query_type(query), deadline,
                   [query, done = std::move(done)](DnsAnswer answer) { done(egress_address_from(answer, query)); });
}

}  // namespace rdns::checks::discovery
