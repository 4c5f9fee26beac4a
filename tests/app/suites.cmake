# The `routeledger` executable's headless commands, run as a process.
routeledger_add_test(tst_cli SOURCES tst_cli.cpp LIBS Qt6::Core)
target_compile_definitions(tst_cli PRIVATE
  ROUTELEDGER_EXE="$<TARGET_FILE:routeledger>"
  ROUTELEDGER_LABELS="${ROUTELEDGER_SHARED_DATA}/routing-labels/train.jsonl")
add_dependencies(tst_cli routeledger)

# The source commands against a real routeledger-router: once without a keychain service, and once (the
# keychain test only) with GNOME Keyring in a private D-Bus session.
if(ROUTELEDGER_BUILD_ROUTER)
  routeledger_add_test(tst_clisources SOURCES tst_clisources.cpp LIBS routeledger_ui RouteLedger::router Qt6::Core)
  target_compile_definitions(tst_clisources PRIVATE
    ROUTELEDGER_EXE="$<TARGET_FILE:routeledger>" ROUTER_EXE="$<TARGET_FILE:routeledger-router>")
  add_dependencies(tst_clisources routeledger routeledger-router)
  add_test(NAME tst_clisources_keychain
    COMMAND ${ROUTELEDGER_TEST_DATA}/support/with-keyring.sh $<TARGET_FILE:tst_clisources> keyFromTheKeychain)
  set_tests_properties(tst_clisources_keychain PROPERTIES TIMEOUT 300 LABELS app
    ENVIRONMENT "QT_QPA_PLATFORM=offscreen;ROUTELEDGER_TEST_KEYRING=1;LSAN_OPTIONS=suppressions=${ROUTELEDGER_TEST_DATA}/lsan.supp")
endif()
