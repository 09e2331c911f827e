// RAII for libunbound's C handles and the classification of one ub_result. Internal to
// checks/unbound/ (includes <unbound.h>).
#pragma once

#include <memory>

#include <unbound.h>

#include "checks/resolver.hpp"

namespace rdns::checks::unbound {

struct ContextDeleter {
  void operator()(ub_ctx* ctx) const noexcept { ub_ctx_delete(ctx); }
};
using ContextPtr = std::unique_ptr<ub_ctx, ContextDeleter>;

struct ResultDeleter {
  void operator()(ub_result* result) const noexcept { ub_resolve_free(result); }
};
using ResultPtr = std::unique_ptr<ub_result, ResultDeleter>;

// err (libunbound's callback error) + result -> DnsAnswer, per style.md's rules: error first,
// then bogus (a bogus answer still carries data), refused, servfail, nxdomain, nodata, ok.
// `type` is what was asked (the rdata decoding depends on it). `result` may be null.
DnsAnswer classify(int err, const ub_result* result, RrType type);

}  // namespace rdns::checks::unbound
