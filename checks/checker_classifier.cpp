// Kept apart from checker.cpp so code that passes its own ClassifyFn (tests) does not pull in
// the GenericClassifier implementation.
#include "checks/checker.hpp"

namespace rdns::checks {

Checker::Checker(Resolver& resolver, const GenericClassifier& classifier)
    : m_resolver(resolver), m_classify([&classifier](std::string_view hostname, std::string_view ip) {
        return classifier.classify(hostname, ip);
      }) {}

}  // namespace rdns::checks
