#include "agent/app.hpp"
namespace rdns::agent {
int run_agent(const AgentOptions&, config::Config) { return 70; }
}  // namespace rdns::agent
