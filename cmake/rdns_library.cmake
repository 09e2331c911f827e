# rdns_add_library(NAME FOLDERS dir... SOURCES a.cpp... [PUBLIC lib...] [PRIVATE lib...])
#
# One static library per folder of the source tree: rdns_NAME, with the namespaced alias
# rdns::NAME that every other target links to.
#
# Headers are included by their path from the repository root ("agent/store/result_store.hpp"),
# but the repository root is on no library's include path. Each library instead exports its own
# include tree, build/include/NAME/, holding links to the headers of its FOLDERS (not of their
# subfolders, which are other libraries). A file can therefore include only the headers of its
# own library and of the libraries it links: an undeclared dependency fails to compile, naming the
# header it could not find, instead of building by accident.
#
# FOLDERS are relative to the repository root; the first one is the library's home.
function(rdns_add_library name)
  cmake_parse_arguments(ARG "" "" "FOLDERS;SOURCES;PUBLIC;PRIVATE" ${ARGN})
  if(NOT ARG_FOLDERS)
    message(FATAL_ERROR "rdns_add_library(${name}): FOLDERS is required")
  endif()
  set(target rdns_${name})
  add_library(${target} STATIC ${ARG_SOURCES})
  add_library(rdns::${name} ALIAS ${target})

  set(include_root ${PROJECT_BINARY_DIR}/include/${name})
  # Rebuilt at every configure (a header added or removed re-runs it: CONFIGURE_DEPENDS), so a
  # header that moved to another library does not stay reachable through a stale link.
  file(REMOVE_RECURSE ${include_root})
  foreach(folder IN LISTS ARG_FOLDERS)
    file(GLOB headers CONFIGURE_DEPENDS RELATIVE ${PROJECT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/${folder}/*.hpp)
    file(MAKE_DIRECTORY ${include_root}/${folder})
    foreach(header IN LISTS headers)
      file(CREATE_LINK ${PROJECT_SOURCE_DIR}/${header} ${include_root}/${header} SYMBOLIC)
    endforeach()
  endforeach()
  target_include_directories(${target} PUBLIC ${include_root})
  target_link_libraries(${target} PUBLIC ${ARG_PUBLIC} PRIVATE ${ARG_PRIVATE} rdns_standard_settings)
endfunction()
