# The core suites, in folders mirroring core/.
routeledger_add_test(tst_policycases SOURCES routing/tst_policycases.cpp LIBS RouteLedger::core)
routeledger_add_test(tst_policyvalidation SOURCES routing/tst_policyvalidation.cpp LIBS RouteLedger::core)
routeledger_add_test(tst_policyroundtrip SOURCES routing/tst_policyroundtrip.cpp LIBS RouteLedger::core)
routeledger_add_test(tst_requestreader SOURCES routing/tst_requestreader.cpp LIBS RouteLedger::core)
routeledger_add_test(tst_complexityscorer SOURCES routing/tst_complexityscorer.cpp LIBS RouteLedger::core)
routeledger_add_test(tst_routerevaluation SOURCES routing/tst_routerevaluation.cpp LIBS RouteLedger::core)
routeledger_add_test(tst_literalprefilter SOURCES routing/tst_literalprefilter.cpp LIBS RouteLedger::core PkgConfig::RE2)
routeledger_add_test(tst_pricing SOURCES pricing/tst_pricing.cpp LIBS RouteLedger::core)
routeledger_add_test(tst_usagestore SOURCES store/tst_usagestore.cpp LIBS RouteLedger::core)
routeledger_add_test(tst_demoworkload SOURCES demo/tst_demoworkload.cpp LIBS RouteLedger::core)
routeledger_add_test(tst_usagequeries SOURCES store/tst_usagequeries.cpp LIBS RouteLedger::core)
routeledger_add_test(tst_httpclient SOURCES net/tst_httpclient.cpp LIBS RouteLedger::core)
routeledger_add_test(tst_sources SOURCES sources/tst_sources.cpp LIBS RouteLedger::core)
routeledger_add_test(tst_litellmconnector SOURCES sources/tst_litellmconnector.cpp
  LIBS RouteLedger::core)
routeledger_add_test(tst_openaiusageconnector SOURCES sources/tst_openaiusageconnector.cpp
  LIBS RouteLedger::core)
routeledger_add_test(tst_sourcescheduler SOURCES sources/tst_sourcescheduler.cpp
  LIBS RouteLedger::core)
routeledger_add_test(tst_connectorfaults SOURCES sources/tst_connectorfaults.cpp
  LIBS RouteLedger::core)
routeledger_add_test(tst_anthropicconnectors SOURCES sources/tst_anthropicconnectors.cpp
  LIBS RouteLedger::core)
routeledger_add_test(tst_openaicostsconnector SOURCES sources/tst_openaicostsconnector.cpp
  LIBS RouteLedger::core)
routeledger_add_test(tst_openrouterconnector SOURCES sources/tst_openrouterconnector.cpp
  LIBS RouteLedger::core)
routeledger_add_test(tst_litellmactivityconnector SOURCES sources/tst_litellmactivityconnector.cpp
  LIBS RouteLedger::core)
# The schemas of tests/sources/schemas themselves, the reference's examples against them, and the fixture hook.
routeledger_add_test(tst_fixtureschemas SOURCES sources/tst_fixtureschemas.cpp
  LIBS RouteLedger::core)
routeledger_add_test(tst_reconciliation SOURCES store/tst_reconciliation.cpp LIBS RouteLedger::core)
routeledger_add_test(tst_boundedjson SOURCES tst_boundedjson.cpp LIBS RouteLedger::core)

