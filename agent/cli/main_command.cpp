#include <iostream>
#include <string>
#include <vector>

#include "agent/cli/commands.hpp"

namespace rdns::agent {

int run_main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args.front() == "check") {
    return run_check_command(std::span(args).subspan(1), std::cout, std::cerr);
  }
  if (!args.empty() && args.front() == "classify") {
    return run_classify_command(std::span(args).subspan(1), std::cin, std::cout, std::cerr);
  }
  return run_agent_command(args, std::cout, std::cerr);
}

}  // namespace rdns::agent
