// Placeholder until the classifier lands (issue 4): says so instead of pretending.
#include <ostream>

#include "agent/cli/commands.hpp"
#include "agent/cli/exit_codes.hpp"

namespace rdns::agent {

int run_classify_command(std::span<const std::string>, std::istream&, std::ostream&, std::ostream& err) {
  err << "rdns_exporter classify: not available in this build yet (the classifier is not implemented)\n";
  return k_exit_software;
}

}  // namespace rdns::agent
