# cmake -DCXX=... -DINCLUDES="a|b|..." -DSRC=... -P undeclared_include.cmake
# SRC must compile with INCLUDES (the include path of one library), and fail with -DREACH_UP
# because the header of a library it does not link is not found, not for any other reason.
string(REPLACE "|" ";" dirs "${INCLUDES}")
set(flags -std=c++20 -fsyntax-only)
foreach(dir IN LISTS dirs)
  if(dir STREQUAL CMAKE_SOURCE_DIR OR dir MATCHES "^${ROOT}/?$")
    message(FATAL_ERROR "the repository root ${dir} is on the include path: every header is reachable")
  endif()
  list(APPEND flags -I${dir})
endforeach()
execute_process(COMMAND ${CXX} ${flags} ${SRC} RESULT_VARIABLE declared_rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT declared_rc EQUAL 0)
  message(FATAL_ERROR "the headers of the library and of what it links are not found:\n${out}${err}")
endif()
execute_process(COMMAND ${CXX} ${flags} -DREACH_UP ${SRC} RESULT_VARIABLE undeclared_rc OUTPUT_VARIABLE out
                ERROR_VARIABLE err)
if(undeclared_rc EQUAL 0)
  message(FATAL_ERROR "a header of a library that is not linked compiled: the include path is too wide")
endif()
if(NOT err MATCHES "agent/service/service.hpp: No such file")
  message(FATAL_ERROR "failed for another reason than the unreachable header:\n${err}")
endif()
message(STATUS "an undeclared dependency does not compile")
