#include "checks/checker.hpp"
namespace rdns::checks {
Checker::Checker(Resolver& resolver, const GenericClassifier& classifier) : m_resolver(resolver), m_classifier(classifier) {}
}  // namespace rdns::checks
