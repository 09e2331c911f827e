#include "agent/cli/commands.hpp"

int main(int argc, char** argv) { return rdns::agent::run_main(argc, argv); }
