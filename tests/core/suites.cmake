# The core suites, in folders mirroring core/: a test class (and file) per part, each its own test, built
# as two executables (tests/support/testsuites.h) rather than one each, which was most of their CI time.

# routing/, pricing/, store/, demo/, net/ and the bounded JSON reader.
set(ROUTELEDGER_CORE_UNITS
  routing/tst_policycases=TestPolicyCases routing/tst_policyvalidation=TestPolicyValidation
  routing/tst_policyroundtrip=TestPolicyRoundTrip routing/tst_requestreader=TestRequestReader
  routing/tst_complexityscorer=TestComplexityScorer routing/tst_routerevaluation=TestRouterEvaluation
  routing/tst_literalprefilter=TestLiteralPrefilter pricing/tst_pricing=TestPricing
  routing/tst_policywording=TestPolicyWording deploy/tst_policydiff=TestPolicyDiff
  deploy/tst_policyexport=TestPolicyExport deploy/tst_portkeygateway=TestPortkeyGateway
  store/tst_usagestore=TestUsageStore store/tst_usagequeries=TestUsageQueries
  store/tst_reconciliation=TestReconciliation store/tst_qualityqueries=TestQualityQueries
  demo/tst_demoworkload=TestDemoWorkload
  store/tst_storepolicies=TestStorePolicies store/tst_auditlog=TestAuditLog
  net/tst_httpclient=TestHttpClient tst_boundedjson=TestBoundedJson simulate/tst_simulation=TestSimulation
  simulate/tst_calibration=TestCalibration)
# sources/: the connectors against tests/sources/fixture-server.js, the scheduler, and the fixtures' schemas
# themselves (tst_fixtureschemas: tests/sources/schemas, the reference's examples against them, the hook).
set(ROUTELEDGER_SOURCES_UNITS
  sources/tst_sources=TestSources sources/tst_litellmconnector=TestLiteLlmConnector
  sources/tst_openaiusageconnector=TestOpenAiUsageConnector sources/tst_sourcescheduler=TestSourceScheduler
  sources/tst_connectorfaults=TestConnectorFaults sources/tst_anthropicconnectors=TestAnthropicConnectors
  sources/tst_openaicostsconnector=TestOpenAiCostsConnector sources/tst_openrouterconnector=TestOpenRouterConnector
  sources/tst_litellmactivityconnector=TestLiteLlmActivityConnector sources/tst_fixtureschemas=TestFixtureSchemas)

routeledger_add_suites(coreunits UNITS ${ROUTELEDGER_CORE_UNITS} LIBS RouteLedger::core PkgConfig::RE2)
routeledger_add_suites(sourceunits UNITS ${ROUTELEDGER_SOURCES_UNITS} LIBS RouteLedger::core)
