// Compiled by undeclared_include.cmake with the include path of rdns::store: a header of the
// library itself and of one it links must be found; with -DREACH_UP, a header of a library that
// rdns::store does not link (agent/service/) must not be, so the build would fail there.
#include "agent/store/result_store.hpp"  // its own
#include "config/model.hpp"              // linked: rdns::config

#ifdef REACH_UP
#include "agent/service/service.hpp"  // not linked: must not be found
#endif

int main() { return 0; }
