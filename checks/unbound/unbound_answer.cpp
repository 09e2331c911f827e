// ub_result -> DnsAnswer. Everything a resolver problem can look like ends in a
// non-definitive status, never in a record verdict.
#include <cstring>
#include <span>
#include <string>
#include <string_view>

#include "checks/dns_wire.hpp"
#include "checks/trust_anchor.hpp"
#include "checks/unbound/unbound_handles.hpp"

namespace rdns::checks::unbound {
namespace {

constexpr int k_rcode_servfail = 2;
constexpr int k_rcode_nxdomain = 3;
constexpr int k_rcode_refused = 5;

bool same_name(std::string_view a, std::string_view b) {
  const auto strip = [](std::string_view n) {
    if (n.size() > 1 && n.back() == '.') {
      n.remove_suffix(1);
    }
    return n;
  };
  a = strip(a);
  b = strip(b);
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

wire::Bytes bytes_of(const void* data, int length) {
  if (data == nullptr || length <= 0) {
    return {};
  }
  return {static_cast<const std::uint8_t*>(data), static_cast<std::size_t>(length)};
}

[[nodiscard]] tl::expected<std::string, std::string> decode_rdata(wire::Bytes rdata, RrType type) {
  switch (type) {
    case RrType::PTR:
    case RrType::CNAME:
    case RrType::NS: return wire::decode_name(rdata);
    case RrType::A:
    case RrType::AAAA: return wire::decode_address(rdata, type);
    case RrType::MX: return wire::decode_mx(rdata);
    case RrType::TXT: return wire::decode_txt(rdata);
    case RrType::DNSKEY: {
      if (rdata.size() < 4) return tl::unexpected(std::string("DNSKEY rdata shorter than 4 bytes"));
      const auto flags = static_cast<std::uint16_t>(rdata[0] << 8 | rdata[1]);
      return std::to_string(flags) + " " + std::to_string(rdata[2]) + " " + std::to_string(rdata[3]) + " " +
             std::to_string(dnskey_key_tag(flags, rdata[2], rdata[3], rdata.subspan(4)));
    }
    case RrType::SOA: {
      auto soa = wire::decode_soa_rdata(rdata);
      if (!soa) {
        return tl::unexpected(soa.error());
      }
      return wire::soa_text(*soa);
    }
  }
  return tl::unexpected(std::string("unsupported record type"));
}

}  // namespace

DnsAnswer classify(int err, const ub_result* result, RrType type) {
  DnsAnswer answer;
  if (err != 0 || result == nullptr) {
    answer.status = LookupStatus::error;
    answer.detail = std::string("libunbound: ") + ub_strerror(err);
    return answer;
  }
  if (result->canonname != nullptr && result->qname != nullptr && !same_name(result->canonname, result->qname)) {
    answer.canonical_name = result->canonname;
  }
  if (result->bogus) {
    // Tested before anything else: a bogus answer carries the unvalidated data.
    answer.status = LookupStatus::bogus;
    answer.detail = result->why_bogus != nullptr ? result->why_bogus : "DNSSEC validation failed";
    return answer;
  }
  answer.secure = result->secure != 0;
  if (result->rcode == k_rcode_refused) {
    answer.status = LookupStatus::refused;
    answer.detail = "REFUSED";
    return answer;
  }
  if (result->rcode == k_rcode_servfail) {
    answer.status = LookupStatus::servfail;
    answer.detail = result->was_ratelimited ? "SERVFAIL (rate limited)" : "SERVFAIL";
    return answer;
  }
  const bool negative =
      result->nxdomain || result->rcode == k_rcode_nxdomain || (result->rcode == 0 && !result->havedata);
  if (negative) {
    answer.status =
        (result->nxdomain || result->rcode == k_rcode_nxdomain) ? LookupStatus::nxdomain : LookupStatus::nodata;
    answer.authority_soa = wire::find_authority_soa(bytes_of(result->answer_packet, result->answer_len));
    return answer;
  }
  if (result->rcode != 0) {
    answer.status = LookupStatus::error;
    answer.detail = "unexpected rcode " + std::to_string(result->rcode);
    return answer;
  }
  for (int i = 0; result->data != nullptr && result->data[i] != nullptr; ++i) {
    auto text = decode_rdata(bytes_of(result->data[i], result->len[i]), type);
    if (!text) {
      answer = DnsAnswer{};
      answer.status = LookupStatus::error;
      answer.detail = "undecodable rdata: " + text.error();
      return answer;
    }
    answer.records.push_back(std::move(*text));
  }
  answer.status = LookupStatus::ok;
  answer.ttl = result->ttl > 0 ? static_cast<std::uint32_t>(result->ttl) : 0;
  return answer;
}

}  // namespace rdns::checks::unbound
