// The outcome of one DNS lookup, as the contract's `status` label spells it.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace rdns::checks {

enum class LookupStatus : std::uint8_t { ok, nxdomain, nodata, servfail, timeout, bogus, refused, error };

inline constexpr std::array<LookupStatus, 8> k_all_lookup_statuses = {
    LookupStatus::ok,      LookupStatus::nxdomain, LookupStatus::nodata,  LookupStatus::servfail,
    LookupStatus::timeout, LookupStatus::bogus,    LookupStatus::refused, LookupStatus::error};

constexpr std::string_view to_string(LookupStatus status) {
  switch (status) {
    case LookupStatus::ok: return "ok";
    case LookupStatus::nxdomain: return "nxdomain";
    case LookupStatus::nodata: return "nodata";
    case LookupStatus::servfail: return "servfail";
    case LookupStatus::timeout: return "timeout";
    case LookupStatus::bogus: return "bogus";
    case LookupStatus::refused: return "refused";
    case LookupStatus::error: return "error";
  }
  return "error";
}

// Definitive answers say something about the records; the others say something about the
// resolver or the network, and must never become a record verdict.
constexpr bool is_definitive(LookupStatus status) {
  return status == LookupStatus::ok || status == LookupStatus::nxdomain || status == LookupStatus::nodata;
}

}  // namespace rdns::checks
