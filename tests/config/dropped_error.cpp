// Compiled by expect_compile_error.cmake, never linked: with DROP_THE_ERROR the result of a
// loader is dropped, which [[nodiscard]] turns into an error under -Werror; without it the same
// call with its result used compiles.
#include "config/load.hpp"

int main() {
#ifdef DROP_THE_ERROR
  rdns::config::load_config_string("[schedule]\n", "dropped.toml");
  return 0;
#else
  return rdns::config::load_config_string("[schedule]\n", "used.toml") ? 0 : 1;
#endif
}
