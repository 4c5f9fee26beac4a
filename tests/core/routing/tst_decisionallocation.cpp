// The decision path allocates nothing per request beyond the decision itself (its trail, reserved once).
// Checked by counting calls to the global operator new while the engine decides.
#include "routing/policyparser.h"
#include "routing/routingengine.h"

#include <QFile>
#include <QTest>

#include <atomic>
#include <cstdlib>
#include <new>

#include "allocationcounter.h"

class TestDecisionAllocation : public QObject {
    Q_OBJECT
private slots:
    void onlyTheTrailIsAllocated()
    {
        // The same policy and prompt as bench/decision_latency.cpp: twenty rules, none matching, so all are tried.
        rl::PolicyLoad load = rl::PolicyParser::parseFile(ROUTELEDGER_SOURCE_DIR "/bench/data/twenty-rule-policy.json");
        QVERIFY(load.ok());
        rl::RouteRequest request;
        request.team = "support";
        request.app = "helpdesk";
        request.tags = {"eu", "tier2"};
        QFile prompt(QStringLiteral(ROUTELEDGER_SOURCE_DIR "/bench/data/prompt-2000.txt"));
        QVERIFY(prompt.open(QIODevice::ReadOnly));
        request.prompt = prompt.readAll().toStdString();
        request.scoredLength = request.prompt.size();
        request.messageCount = 1;
        request.budgetUsed = 0.95;
        const rl::RoutingEngine engine;
        (void)engine.decide(load.policy, request); // warm up function-local statics (built-in weights)

        const long before = allocationcounter::count.load();
        const rl::Decision decision = engine.decide(load.policy, request);
        const long allocations = allocationcounter::count.load() - before;
        QCOMPARE(allocations, 1L);
        QCOMPARE(decision.trail.size(), std::size_t(20));
        QCOMPARE(std::string(decision.tierName()), std::string("light")); // mid, downgraded by the guard
    }
};

QTEST_APPLESS_MAIN(TestDecisionAllocation)
#include "tst_decisionallocation.moc"
