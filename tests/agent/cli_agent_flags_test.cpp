// The agent's command line: -h as --help (as every Prometheus binary), --probe.timeout-offset.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "agent/cli/commands.hpp"
#include "agent/report/exit_codes.hpp"

namespace rdns::agent {
namespace {

struct CommandRun {
  int status;
  std::string out;
  std::string err;
};

CommandRun agent(std::vector<std::string> args) {
  std::ostringstream out, err;
  const int status = run_agent_command(args, out, err);
  return {status, out.str(), err.str()};
}

TEST(AgentFlags, ShortHelpIsHelp) {
  const CommandRun help = agent({"-h"});
  EXPECT_EQ(help.status, k_exit_ok) << help.err;
  EXPECT_EQ(help.out, agent({"--help"}).out);
  EXPECT_NE(help.out.find("--probe.timeout-offset=VALUE"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("(default: 500ms)"), std::string::npos) << help.out;
}

TEST(AgentFlags, TimeoutOffsetMustBeADurationOrSeconds) {
  for (const char* bad : {"abc", "-1", "-1s", "2h", "1e9", ""}) {
    const CommandRun run = agent({std::string("--probe.timeout-offset=") + bad, "--config.file=/nonexistent"});
    EXPECT_EQ(run.status, k_exit_usage) << bad;
    EXPECT_NE(run.err.find("--probe.timeout-offset"), std::string::npos) << run.err;
  }
  // Valid forms get past the flag and stop at the missing config file.
  for (const char* good : {"0", "0s", "0.5", "250ms", "1s"}) {
    const CommandRun run = agent({std::string("--probe.timeout-offset=") + good, "--config.file=/nonexistent"});
    EXPECT_EQ(run.status, k_exit_config) << good << ": " << run.err;
  }
}

}  // namespace
}  // namespace rdns::agent
