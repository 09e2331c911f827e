# What rdns_build_info and --version report: RDNS_VERSION, RDNS_GIT_REVISION, RDNS_BUILD_DATE,
# RDNS_COMPILER. Values given on the command line (-DRDNS_VERSION=, -DRDNS_GIT_REVISION=) always
# win: a container or package build has no .git and passes them in. Otherwise git answers when
# the source is a clone; without either, the project version and "unknown".
# Computed at configure time: reconfigure after committing to refresh the revision.
set(RDNS_VERSION "" CACHE STRING "Version reported by the binary (default: git describe, else the project version)")
set(RDNS_GIT_REVISION "" CACHE STRING "Source revision reported by the binary (default: git, else unknown)")

find_package(Git QUIET)
set(_rdns_git_ok FALSE)
if(GIT_FOUND)
  execute_process(COMMAND ${GIT_EXECUTABLE} rev-parse --is-inside-work-tree
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR} RESULT_VARIABLE _rdns_git_rc OUTPUT_QUIET ERROR_QUIET)
  if(_rdns_git_rc EQUAL 0)
    set(_rdns_git_ok TRUE)
  endif()
endif()

set(RDNS_VERSION_EFFECTIVE "${RDNS_VERSION}")
if(NOT RDNS_VERSION_EFFECTIVE AND _rdns_git_ok)
  # A release is tagged vX.Y.Z; between releases this reads X.Y.Z-N-gHASH.
  execute_process(COMMAND ${GIT_EXECUTABLE} describe --tags --match "v[0-9]*" --dirty
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR} OUTPUT_VARIABLE _rdns_describe
    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(_rdns_describe)
    string(REGEX REPLACE "^v" "" RDNS_VERSION_EFFECTIVE "${_rdns_describe}")
    if(NOT RDNS_VERSION_EFFECTIVE MATCHES "^${PROJECT_VERSION}([-+].*)?$")
      message(WARNING "git tag ${_rdns_describe} does not match project(VERSION ${PROJECT_VERSION})")
    endif()
  endif()
endif()
if(NOT RDNS_VERSION_EFFECTIVE)
  set(RDNS_VERSION_EFFECTIVE "${PROJECT_VERSION}")
endif()

set(RDNS_REVISION_EFFECTIVE "${RDNS_GIT_REVISION}")
if(NOT RDNS_REVISION_EFFECTIVE AND _rdns_git_ok)
  execute_process(COMMAND ${GIT_EXECUTABLE} rev-parse --short=12 HEAD
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR} OUTPUT_VARIABLE RDNS_REVISION_EFFECTIVE
    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  execute_process(COMMAND ${GIT_EXECUTABLE} diff-index --quiet HEAD --
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR} RESULT_VARIABLE _rdns_dirty OUTPUT_QUIET ERROR_QUIET)
  if(RDNS_REVISION_EFFECTIVE AND NOT _rdns_dirty EQUAL 0)
    string(APPEND RDNS_REVISION_EFFECTIVE "-dirty")
  endif()
endif()
if(NOT RDNS_REVISION_EFFECTIVE)
  set(RDNS_REVISION_EFFECTIVE "unknown")
endif()

# string(TIMESTAMP) honours SOURCE_DATE_EPOCH, so a reproducible build can pin it.
string(TIMESTAMP RDNS_BUILD_DATE "%Y-%m-%dT%H:%M:%SZ" UTC)
set(RDNS_COMPILER "${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION}")
message(STATUS "rdns_exporter ${RDNS_VERSION_EFFECTIVE} (revision ${RDNS_REVISION_EFFECTIVE}, ${RDNS_COMPILER})")
