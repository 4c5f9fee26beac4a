# Install rules and the Debian package (`cpack -G DEB` in the build folder). The .deb installs under /usr
# (CPack's packaging prefix), `cmake --install` under CMAKE_INSTALL_PREFIX; the router's config lives in
# /etc/routeledger either way, where the README and the systemd unit look for it.
include(GNUInstallDirs)

set(ROUTELEDGER_CONFDIR /etc/routeledger)

if(ROUTELEDGER_BUILD_UI)
  install(TARGETS routeledger RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(FILES resources/desktop/routeledger.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
  install(FILES resources/desktop/routeledger.svg DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
endif()

if(ROUTELEDGER_BUILD_ROUTER)
  install(TARGETS routeledger-router RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(FILES resources/policies/default-policy.json DESTINATION ${CMAKE_INSTALL_DATADIR}/routeledger/policies)
  install(FILES resources/router/router.env.example
    DESTINATION ${CMAKE_INSTALL_DATADIR}/routeledger)
  # The unit and router.json name installed paths, which are known only when installing: CPack installs with
  # CMAKE_INSTALL_PREFIX=/usr, `cmake --install --prefix DIR` with DIR. So they are filled in then.
  set(_generated ${PROJECT_BINARY_DIR}/install-generated)
  install(CODE "
    set(ROUTELEDGER_BINDIR \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}\")
    set(ROUTELEDGER_DATADIR \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_DATADIR}/routeledger\")
    set(ROUTELEDGER_DOCDIR \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_DATADIR}/doc/routeledger\")
    set(ROUTELEDGER_CONFDIR \"${ROUTELEDGER_CONFDIR}\")
    configure_file(\"${PROJECT_SOURCE_DIR}/resources/router/routeledger-router.service.in\"
                   \"${_generated}/routeledger-router.service\" @ONLY)
    configure_file(\"${PROJECT_SOURCE_DIR}/resources/router/router.json.in\" \"${_generated}/router.json\" @ONLY)
  ")
  # lib/, not CMAKE_INSTALL_LIBDIR: systemd reads units from /usr/lib/systemd/system on every architecture.
  install(FILES ${_generated}/routeledger-router.service DESTINATION lib/systemd/system)
  install(FILES ${_generated}/router.json DESTINATION ${ROUTELEDGER_CONFDIR})
endif()

install(FILES README.md docs/ROUTER.md DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/routeledger)

# CPack ---------------------------------------------------------------------------------------------------
set(ROUTELEDGER_PACKAGE_MAINTAINER "RouteLedger maintainers <maintainers@users.noreply.r-seed-b988b2d7.example>"
  CACHE STRING "Maintainer field of the Debian package")
set(CPACK_PACKAGE_NAME routeledger)
set(CPACK_PACKAGE_VENDOR RouteLedger)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT ${ROUTELEDGER_PACKAGE_MAINTAINER})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "cost and routing governance for AI model traffic")
# Debian's extended description: lines of at most 80 characters.
string(CONCAT CPACK_PACKAGE_DESCRIPTION
  "RouteLedger is a desktop dashboard for finance and IT admins: spend per team\n"
  "and model, how traffic is routed between frontier, mid and light model tiers\n"
  "and what that saved, budgets, alerts and tier policies.\n"
  "It ships routeledger-router, the OpenAI-compatible router that serves traffic\n"
  "under the same policies, with a systemd unit.")
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # routeledger_VERSION_ARCH.deb
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Debian keeps a locally edited /etc file across upgrades only when the package lists it as a conffile.
file(WRITE ${PROJECT_BINARY_DIR}/debian/conffiles "${ROUTELEDGER_CONFDIR}/router.json\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${PROJECT_BINARY_DIR}/debian/conffiles)

# Libraries are found by dpkg-shlibdeps (dpkg-dev) from the executables; without it, Debian 12's names.
# Either way: the zone database (org calendars), CA certificates (HTTPS to providers and sources) and the
# Qt platform plugins that the window needs, none of which a library link reveals.
set(_runtime_depends "tzdata, ca-certificates")
if(ROUTELEDGER_BUILD_UI)
  string(APPEND _runtime_depends ", qt6-qpa-plugins")
  set(CPACK_DEBIAN_PACKAGE_RECOMMENDS gnome-keyring) # a Secret Service for source keys
endif()
find_program(ROUTELEDGER_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(ROUTELEDGER_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "${_runtime_depends}")
else()
  message(STATUS "dpkg-shlibdeps not found (Debian: dpkg-dev): the .deb's Depends is Debian 12's list")
  set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libc6 (>= 2.36), libstdc++6 (>= 12), libgcc-s1, libsqlite3-0 (>= 3.40), libcurl4 (>= 7.88), libre2-9, "
    "libssl3 (>= 3.0), libdate-tz3")
  if(ROUTELEDGER_BUILD_UI)
    string(APPEND CPACK_DEBIAN_PACKAGE_DEPENDS ", libqt6core6 (>= 6.4), libqt6gui6 (>= 6.4), "
      "libqt6widgets6 (>= 6.4), libqt6charts6 (>= 6.4), libqt6keychain1")
  endif()
  string(APPEND CPACK_DEBIAN_PACKAGE_DEPENDS ", ${_runtime_depends}")
endif()

include(CPack)
