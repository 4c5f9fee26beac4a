# The router: unit tests of its parts, and end-to-end tests of the real routeledger-router process with
# a fake upstream (tests/router/fake-upstream.js, Node) and the official `openai` npm client.
# The router's parts one by one, a test class (and file) per component, each its own test; built as one
# executable (tests/support/testsuites.h), since linking one per component was most of their CI time. Besides
# the parts: the chat endpoint and the admin API accept and refuse the same Authorization headers
# (tst_bearerauth), and the router's parts read "now" from the clock RouterApp is given (tst_routerclock, a
# real router in-process on loopback).
set(ROUTELEDGER_ROUTER_UNITS tst_routerconfig=TestRouterConfig tst_completionusage=TestCompletionUsage
  tst_completionscan=TestCompletionScan
  tst_sseforwarder=TestSseForwarder tst_circuitbreaker=TestCircuitBreaker tst_policyholder=TestPolicyHolder
  tst_usageledger=TestUsageLedger tst_routermetrics=TestRouterMetrics tst_digest=TestDigest
  tst_usagepagewriter=TestUsagePageWriter tst_chatrequest=TestChatRequest tst_clientidentifier=TestClientIdentifier
  tst_bearerauth=TestBearerAuth tst_routerclock=TestRouterClock tst_escalationdetector=TestEscalationDetector)
routeledger_add_suites(routerunits UNITS ${ROUTELEDGER_ROUTER_UNITS} LIBS RouteLedger::router)
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
# Against real routeledger-router processes, one executable of three classes (a link each was most of their CI
# time): pushing policies (core/deploy/policypusher, live and shadow) to two routers and to the fixture server as
# a gateway; shadow mode (issue 14): the ?shadow endpoints, live decisions unchanged, the ledger's shadow fields
# equal to the shadow policy's decision, the replay features, swaps atomic under load; quality feedback and
# escalations (issue 14): POST /v1/feedback under the client's key, refusals, repeats, feedback polled into a
# real store once, an escalation recorded and polled.
routeledger_add_suites(routerprocesses
  UNITS tst_policypush=TestPolicyPush tst_routershadow=TestRouterShadow tst_routerfeedback=TestRouterFeedback
  LIBS RouteLedger::router Qt6::Core)
add_dependencies(routerprocesses routeledger-router)
