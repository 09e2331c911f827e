# install() rules: `cmake --install` and the .deb (cmake/package.cmake) lay out the same tree.
# The system-integration files go to absolute paths (/etc, /lib/systemd/system) as a Debian
# package needs them; for a staged install use DESTDIR, or point the two cache variables
# below somewhere else.
include(GNUInstallDirs)
set(RDNS_INSTALL_SYSCONFDIR "/etc" CACHE PATH "Where rdns_exporter/ (config) and default/ go")
# Debian 13 links /lib to /usr/lib, and dpkg must not ship files under the alias (lintian:
# aliased-location); Debian 12's packages still use /lib/systemd/system.
set(_rdns_unitdir "/lib/systemd/system")
if(EXISTS /etc/debian_version)
  file(READ /etc/debian_version _rdns_debian_version)
  if(_rdns_debian_version MATCHES "^([0-9]+)" AND CMAKE_MATCH_1 GREATER_EQUAL 13)
    set(_rdns_unitdir "/usr/lib/systemd/system")
  endif()
endif()
# Empty (the default), or either release's own directory, means the build machine's release
# decides at every configure: a path cached by an older configure would outlive an upgrade to
# Debian 13 (or a build tree reused there) and put the unit under the /lib alias.
set(RDNS_SYSTEMD_UNITDIR "" CACHE PATH "Where the systemd unit goes (empty: the release's own)")
if(RDNS_SYSTEMD_UNITDIR MATCHES "^(|/lib/systemd/system|/usr/lib/systemd/system)/?$")
  set(_rdns_unitdir_used "${_rdns_unitdir}")
else()
  set(_rdns_unitdir_used "${RDNS_SYSTEMD_UNITDIR}")
endif()
option(RDNS_MANPAGE "Generate and install the man page (needs help2man)" ON)

set(_rdns_share "${CMAKE_INSTALL_DATADIR}/rdns_exporter")
set(_rdns_doc "${CMAKE_INSTALL_DATADIR}/doc/rdns-exporter")

install(TARGETS rdns_exporter RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# Not in sanitizer or fuzzing builds: nobody packages those, and a leak report at exit would
# fail help2man.
if(RDNS_MANPAGE AND NOT CMAKE_CROSSCOMPILING AND NOT RDNS_SANITIZE AND NOT RDNS_FUZZ)
  find_program(RDNS_HELP2MAN help2man)
  if(RDNS_HELP2MAN)
    set(_page ${PROJECT_BINARY_DIR}/man/man1/rdns_exporter.1.gz)
    add_custom_command(OUTPUT ${_page}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man/man1
      COMMAND ${CMAKE_COMMAND} -DEXE=$<TARGET_FILE:rdns_exporter> -DOUT=${_page}
              -DVERSION=${RDNS_VERSION_EFFECTIVE} -P ${PROJECT_SOURCE_DIR}/cmake/manpage.cmake
      DEPENDS rdns_exporter ${PROJECT_SOURCE_DIR}/cmake/manpage.cmake
      COMMENT "Generating the man page from rdns_exporter --help")
    add_custom_target(rdns_manpage ALL DEPENDS ${_page})
    install(FILES ${_page} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
  else()
    message(WARNING "help2man not found: no man page (Debian package help2man)")
  endif()
endif()

install(FILES deploy/container/rdns_exporter.toml
        DESTINATION ${RDNS_INSTALL_SYSCONFDIR}/rdns_exporter)
install(FILES deploy/debian/default RENAME rdns_exporter
        DESTINATION ${RDNS_INSTALL_SYSCONFDIR}/default)
install(FILES deploy/systemd/rdns_exporter.service DESTINATION ${_rdns_unitdir_used})
install(FILES deploy/prometheus/rdns_alerts.yml DESTINATION ${_rdns_share}/prometheus)
install(FILES grafana/dashboards/rdns_exporter.json DESTINATION ${_rdns_share}/grafana/dashboards)
install(DIRECTORY grafana/provisioning/ DESTINATION ${_rdns_share}/grafana/provisioning)
install(FILES README.md DESTINATION ${_rdns_doc})
install(FILES deploy/README.md DESTINATION ${_rdns_doc} RENAME README.deploy.md)
install(FILES config/examples/rdns_exporter.toml config/examples/web_config.toml
        DESTINATION ${_rdns_doc}/examples)
