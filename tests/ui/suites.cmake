# The dashboard's pages under QT_QPA_PLATFORM=offscreen.
routeledger_add_test(tst_tryrequestpage SOURCES tst_tryrequestpage.cpp ${ROUTELEDGER_QRC}
  LIBS routeledger_desktop Qt6::Widgets)
routeledger_add_test(tst_overviewpage SOURCES tst_overviewpage.cpp ${ROUTELEDGER_QRC}
  LIBS routeledger_desktop Qt6::Widgets)
# With a real Secret Service (GNOME Keyring in a private D-Bus session), and once more with none.
routeledger_add_test(tst_sourcespage SOURCES tst_sourcespage.cpp ${ROUTELEDGER_QRC}
  LIBS routeledger_desktop Qt6::Widgets
  WRAPPER ${ROUTELEDGER_TEST_DATA}/support/with-keyring.sh)
add_test(NAME tst_sourcespage_nokeychain COMMAND tst_sourcespage)
set_tests_properties(tst_sourcespage_nokeychain PROPERTIES TIMEOUT 300 LABELS ui
  ENVIRONMENT "QT_QPA_PLATFORM=offscreen;ROUTELEDGER_TEST_NO_KEYCHAIN=1;DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/bus;LSAN_OPTIONS=suppressions=${ROUTELEDGER_TEST_DATA}/lsan.supp")
# Issue 12: a first start that is never empty, on the first day of a month, with the clock injected.
routeledger_add_test(tst_firststart SOURCES tst_firststart.cpp ${ROUTELEDGER_QRC}
  LIBS routeledger_desktop Qt6::Widgets)
routeledger_add_test(tst_chartticks SOURCES tst_chartticks.cpp LIBS routeledger_ui)
# The store's only writer under writes from every thread, and the composition root's one open of the store.
routeledger_add_test(tst_storeservice SOURCES tst_storeservice.cpp ${ROUTELEDGER_QRC}
  LIBS routeledger_desktop Qt6::Widgets)
# The read-only store, as a normal user meets it (root would write to it).
add_test(NAME tst_storeservice_unprivileged COMMAND ${ROUTELEDGER_TEST_DATA}/support/as-unprivileged.sh
  $<TARGET_FILE:tst_storeservice> aReadOnlyStoreIsRefusedWithTheFix)
set_tests_properties(tst_storeservice_unprivileged PROPERTIES TIMEOUT 120 LABELS ui WORKING_DIRECTORY /tmp
  ENVIRONMENT "QT_QPA_PLATFORM=offscreen;LSAN_OPTIONS=suppressions=${ROUTELEDGER_TEST_DATA}/lsan.supp")
# Issue 14: the studio's Simulate tab on the simulation worker's thread.
routeledger_add_test(tst_simulationpanel SOURCES tst_simulationpanel.cpp LIBS routeledger_ui Qt6::Widgets)
# Issue 13: the policy studio through its widgets, against two real routers and a fixture gateway; the audit page.
if(ROUTELEDGER_BUILD_ROUTER)
  routeledger_add_test(tst_policystudio SOURCES tst_policystudio.cpp ${ROUTELEDGER_QRC}
    LIBS routeledger_desktop Qt6::Widgets SQLite::SQLite3)
  add_dependencies(tst_policystudio routeledger-router)
endif()
# Issue 14: the Quality page (feedback and escalation rates) on a hand-made store, and in the window.
routeledger_add_test(tst_qualitypage SOURCES tst_qualitypage.cpp ${ROUTELEDGER_QRC}
  LIBS routeledger_desktop Qt6::Widgets)
