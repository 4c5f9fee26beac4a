# The router: unit tests of its parts, and end-to-end tests of the real routeledger-router process with
# a fake upstream (tests/router/fake-upstream.js, Node) and the official `openai` npm client.
# The router's parts one by one, without a server: a suite per component.
foreach(suite IN ITEMS tst_routerconfig tst_completionusage tst_sseforwarder tst_circuitbreaker tst_policyholder
                       tst_usageledger tst_routermetrics tst_digest tst_usagepagewriter)
  routeledger_add_test(${suite} SOURCES ${suite}.cpp LIBS RouteLedger::router)
endforeach()
# The chat endpoint and the admin API accept and refuse the same Authorization headers.
routeledger_add_test(tst_bearerauth SOURCES tst_bearerauth.cpp LIBS RouteLedger::router)
# The router's parts read "now" from the clock RouterApp is given (a real router in-process, on loopback).
routeledger_add_test(tst_routerclock SOURCES tst_routerclock.cpp LIBS RouteLedger::router)
routeledger_add_test(tst_chatrequest SOURCES tst_chatrequest.cpp LIBS RouteLedger::router)
routeledger_add_test(tst_clientidentifier SOURCES tst_clientidentifier.cpp LIBS RouteLedger::router)
routeledger_add_test(tst_routere2e SOURCES tst_routere2e.cpp LIBS RouteLedger::router Qt6::Core)
file(READ ${ROUTELEDGER_TEST_DATA}/e2e/openai-version.txt ROUTELEDGER_OPENAI_VERSION)
string(STRIP "${ROUTELEDGER_OPENAI_VERSION}" ROUTELEDGER_OPENAI_VERSION)
target_compile_definitions(tst_routere2e PRIVATE
  ROUTER_EXE="$<TARGET_FILE:routeledger-router>"
  OPENAI_VERSION="${ROUTELEDGER_OPENAI_VERSION}")
add_dependencies(tst_routere2e routeledger-router)
routeledger_add_test(tst_routerhardening SOURCES tst_routerhardening.cpp LIBS RouteLedger::router Qt6::Core)
target_compile_definitions(tst_routerhardening PRIVATE ROUTER_EXE="$<TARGET_FILE:routeledger-router>")
add_dependencies(tst_routerhardening routeledger-router)
