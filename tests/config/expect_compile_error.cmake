# cmake -DCXX=... -DROOT=... -DSRC=... -P expect_compile_error.cmake
# SRC must compile as it is, and fail with -DDROP_THE_ERROR because an error value is dropped
# ([[nodiscard]] under -Werror), not for any other reason.
set(flags -std=c++20 -fsyntax-only -Wall -Wextra -Werror -I${ROOT})
execute_process(COMMAND ${CXX} ${flags} ${SRC} RESULT_VARIABLE used_rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT used_rc EQUAL 0)
  message(FATAL_ERROR "the version that uses the result does not compile:\n${out}${err}")
endif()
execute_process(COMMAND ${CXX} ${flags} -DDROP_THE_ERROR ${SRC} RESULT_VARIABLE dropped_rc OUTPUT_VARIABLE out
                ERROR_VARIABLE err)
if(dropped_rc EQUAL 0)
  message(FATAL_ERROR "a dropped tl::expected compiled: [[nodiscard]] is missing")
endif()
if(NOT err MATCHES "nodiscard|ignoring return value")
  message(FATAL_ERROR "failed for another reason than the dropped result:\n${err}")
endif()
message(STATUS "a dropped error value does not compile")
