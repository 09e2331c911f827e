#include "agent/engine/engine.hpp"

namespace rdns::agent {

Engine::Engine(std::shared_ptr<ResolverStack> resolver, std::shared_ptr<const checks::GenericClassifier> classifier,
               ZoneServerOptions zone_servers)
    : m_resolver(std::move(resolver)), m_classifier(std::move(classifier)), m_checker(*m_resolver, *m_classifier) {
  if (zone_servers.enabled) {
    m_querier = checks::zone::make_socket_querier();
    m_surveyor = std::make_unique<checks::zone::ZoneSurveyor>(*m_resolver, *m_querier, zone_servers.port);
    m_checker.set_zone_surveyor(m_surveyor.get());
  }
}

void Engine::release_resolver() {
  m_resolver->release();
  m_querier.reset();  // completes its open questions (as errors) while the checks still exist
}

Engine::~Engine() {
  // The resolver goes first: cancelling its queries runs the checks' callbacks, which still
  // use the classifier. (When another Engine shares the resolver, nothing of ours is pending:
  // engines are destroyed only once in_flight() is 0, or at shutdown after the resolver.)
  m_resolver.reset();
  m_querier.reset();
}

void Engine::start_check(checks::CheckRequest request, checks::Checker::Done done) {
  ++m_in_flight;
  m_checker.start(std::move(request), [this, done = std::move(done)](checks::CheckResult result) {
    // Settled even when `done` throws (the resolver reports the exception): a check that never
    // left the in-flight count would keep a retired engine alive for ever.
    Settle settle{m_in_flight};
    done(std::move(result));
  });
}

void Engine::start_traced_check(checks::CheckRequest request, std::shared_ptr<checks::LookupTrace> trace,
                                checks::Checker::Done done) {
  // The tracing resolver must outlive every query of the check: the completion owns it, and
  // the checker calls the completion only after its last lookup has answered.
  auto tracer = std::make_shared<checks::TracingResolver>(*m_resolver, std::move(trace));
  const checks::Checker checker(*tracer, *m_classifier);
  ++m_in_flight;
  checker.start(std::move(request), [this, tracer, done = std::move(done)](checks::CheckResult result) {
    Settle settle{m_in_flight};
    done(std::move(result));
  });
}

void Engine::resolve(std::string name, checks::RrType type, checks::Resolver::Deadline deadline,
                     std::shared_ptr<checks::LookupTrace> trace, checks::Resolver::Callback done) {
  ++m_in_flight;
  auto settled = [this, done = std::move(done)](checks::DnsAnswer answer) {
    Settle settle{m_in_flight};
    done(std::move(answer));
  };
  if (trace) {
    checks::TracingResolver(*m_resolver, std::move(trace)).resolve(std::move(name), type, deadline, std::move(settled));
  } else {
    m_resolver->resolve(std::move(name), type, deadline, std::move(settled));
  }
}

void Engine::resolve(std::string name, checks::RrType type, checks::Resolver::Deadline deadline,
                     checks::Resolver::Callback done) {
  resolve(std::move(name), type, deadline, nullptr, std::move(done));
}

tl::expected<std::shared_ptr<Engine>, std::string> build_engine(const config::ResolverConfig& resolver,
                                                                const config::GenericConfig& generic,
                                                                const EngineBuild& build) {
  std::shared_ptr<ResolverStack> stack;
  std::shared_ptr<const checks::GenericClassifier> classifier;
  if (build.previous && build.reuse_classifier) {
    classifier = build.previous->classifier();
  } else {
    auto created = checks::GenericClassifier::create(generic.extra_patterns, generic.allow_patterns);
    if (!created) return tl::make_unexpected("generic: " + created.error());
    classifier = std::make_shared<const checks::GenericClassifier>(std::move(*created));
  }
  if (build.previous && build.reuse_resolver) {
    stack = build.previous->resolver();
  } else {
    if (!build.make_resolver) return tl::make_unexpected(std::string("resolver: no resolver factory"));
    auto made = build.make_resolver(resolver, build.limiter);
    if (!made) return tl::make_unexpected("resolver: " + made.error());
    if (!*made) return tl::make_unexpected(std::string("resolver: the factory made none"));
    stack = std::move(*made);
  }
  return std::make_shared<Engine>(std::move(stack), std::move(classifier),
                                  ZoneServerOptions{resolver.zone_servers, resolver.zone_server_port});
}

}  // namespace rdns::agent
