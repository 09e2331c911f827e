// Entry points of the command-line modes. Each parses its own flags from `args` (the words
// after the subcommand name) and returns an exit status from exit_codes.hpp.
#pragma once

#include <iosfwd>
#include <span>
#include <string>

namespace rdns::agent {

// `rdns_exporter [flags]`: the long-running agent.
int run_agent_command(std::span<const std::string> args, std::ostream& out, std::ostream& err);
// `rdns_exporter check [--config.file=F] [--format=text|json] IP|CIDR ...`
int run_check_command(std::span<const std::string> args, std::ostream& out, std::ostream& err);
// `rdns_exporter classify [--format=tsv|json] [HOSTNAME [IP]]`
int run_classify_command(std::span<const std::string> args, std::istream& in, std::ostream& out, std::ostream& err);

// `rdns_exporter --config.check`: loads the config and (when given) the web config as the agent
// would and configures a resolver from [resolver] without sending a query. Prints "OK" to
// `out` (exit 0), or the error as FILE:LINE:COL: KEY: MESSAGE to `err` (exit 78); warnings go
// to `err` too.
int run_config_check(const std::string& config_file, const std::string& web_config_file, std::ostream& out,
                     std::ostream& err);

// Dispatches argv to one of the above; what main() calls.
int run_main(int argc, char** argv);

}  // namespace rdns::agent
