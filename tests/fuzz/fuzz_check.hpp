// Shared by the libFuzzer targets: an invariant that does not hold aborts the run, so libFuzzer
// saves the input as a crash (an assert would vanish in a release build).
#pragma once

#include <cstdio>
#include <cstdlib>

#define RDNS_FUZZ_CHECK(condition)                                                            \
  do {                                                                                        \
    if (!(condition)) {                                                                       \
      std::fprintf(stderr, "invariant failed: %s (%s:%d)\n", #condition, __FILE__, __LINE__); \
      std::abort();                                                                           \
    }                                                                                         \
  } while (false)
