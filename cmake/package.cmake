# CPack: `cpack -G DEB` in a build tree makes rdns-exporter_<version>-1_<arch>.deb from the
# install() rules, with library dependencies from dpkg-shlibdeps and Debian maintainer scripts
# (system user, state directory, systemd unit) from deploy/debian/.
set(CPACK_PACKAGE_NAME rdns-exporter)
set(CPACK_PACKAGE_VENDOR "the rdns_exporter authors")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "reverse DNS (PTR, FCrDNS) checks of mail-sending IPs for Prometheus")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR DEB)

# Debian versions may not carry git describe's hyphens in the upstream part.
string(REPLACE "-" "+" _rdns_deb_version "${RDNS_VERSION_EFFECTIVE}")
set(CPACK_DEBIAN_PACKAGE_VERSION ${_rdns_deb_version})
# Per Debian release when the same version is built for several: "1+deb12", "1+deb13" (the
# .debs are not interchangeable: dpkg-shlibdeps names each release's library packages).
set(RDNS_DEB_RELEASE "1" CACHE STRING "Debian revision of the package (e.g. 1+deb13)")
set(CPACK_DEBIAN_PACKAGE_RELEASE ${RDNS_DEB_RELEASE})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "rdns_exporter maintainers <maintainers@rdns-exporter.example>")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# dns-root-data: the root's DNSSEC trust anchor the agent reads (/usr/share/dns/root.key).
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, dns-root-data")
# The extended description; CPack puts the summary above it.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "For every configured IP address, rdns_exporter re-verifies on a schedule,
through libunbound, that a PTR record exists, that the PTR name resolves
back to the address (forward-confirmed reverse DNS) and that it does not
look like an ISP pool name. Results are exported to Prometheus, shown on a
status page, and come with alert rules and a Grafana dashboard.")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${PROJECT_SOURCE_DIR}/deploy/debian/conffiles
  ${PROJECT_SOURCE_DIR}/deploy/debian/postinst
  ${PROJECT_SOURCE_DIR}/deploy/debian/prerm
  ${PROJECT_SOURCE_DIR}/deploy/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)

# Debian policy wants the copyright file and a changelog in the doc directory.
set(_rdns_changelog ${PROJECT_BINARY_DIR}/debian/changelog.Debian)
string(TIMESTAMP _rdns_changelog_date "%a, %d %b %Y %H:%M:%S +0000" UTC)
file(WRITE ${_rdns_changelog}
"rdns-exporter (${_rdns_deb_version}-${RDNS_DEB_RELEASE}) unstable; urgency=medium

  * Package built from revision ${RDNS_REVISION_EFFECTIVE} with CPack.

 -- ${CPACK_DEBIAN_PACKAGE_MAINTAINER}  ${_rdns_changelog_date}
")
execute_process(COMMAND gzip -9nf ${_rdns_changelog})
install(FILES ${_rdns_changelog}.gz deploy/debian/copyright DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/rdns-exporter)

include(CPack)
