// Resolver stacks over scripted base resolvers (tests/checks/fakes), built with the agent's own
// ResolverStack, so the gate, rate limit and counting layers under test are production code.
// Header-only, test code.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include <tl/expected.hpp>

#include "agent/engine/resolver_stack.hpp"

namespace rdns::agent::testing {

// A stack over `base`, with `anchors` as the anchors the base was "created with".
inline std::shared_ptr<ResolverStack> stack_over(std::shared_ptr<checks::Resolver> base,
                                                 checks::TrustAnchorInfo anchors = {},
                                                 std::shared_ptr<QueryRateLimiter> limiter = nullptr) {
  ResolverStackOptions options;
  options.limiter = std::move(limiter);
  options.description = "scripted";
  options.trust_anchors = std::move(anchors);
  return std::make_shared<ResolverStack>(std::move(base), std::move(options));
}

// A factory whose every stack runs over the same `base` (with the limiter the agent gives).
inline ResolverFactory factory_over(std::shared_ptr<checks::Resolver> base, checks::TrustAnchorInfo anchors = {}) {
  return [base = std::move(base), anchors = std::move(anchors)](
             const config::ResolverConfig&,
             std::shared_ptr<QueryRateLimiter> limiter) -> tl::expected<std::shared_ptr<ResolverStack>, std::string> {
    return stack_over(base, anchors, std::move(limiter));
  };
}

}  // namespace rdns::agent::testing
