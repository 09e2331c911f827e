// Placeholder until the check engine lands (issue 3): says so instead of pretending.
#include <ostream>

#include "agent/cli/commands.hpp"
#include "agent/cli/exit_codes.hpp"

namespace rdns::agent {

int run_check_command(std::span<const std::string>, std::ostream&, std::ostream& err) {
  err << "rdns_exporter check: not available in this build yet (the check engine is not implemented)\n";
  return k_exit_software;
}

}  // namespace rdns::agent
