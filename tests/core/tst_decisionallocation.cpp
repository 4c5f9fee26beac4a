// The decision path allocates nothing per request beyond the decision itself (its trail, reserved once).
// Checked by counting calls to the global operator new while the engine decides.
#include "routing/policyparser.h"
#include "routing/routingengine.h"

#include <QTest>

#include <atomic>
#include <cstdlib>
#include <new>

namespace {
std::atomic<long> g_allocations{0};
}

void *operator new(std::size_t size)
{
    g_allocations.fetch_add(1, std::memory_order_relaxed);
    if (void *p = std::malloc(size ? size : 1))
        return p;
    throw std::bad_alloc();
}
void operator delete(void *p) noexcept { std::free(p); }
void operator delete(void *p, std::size_t) noexcept { std::free(p); }

namespace {

// Twenty rules touching every kind of field, a regex among them, most failing so every rule is tried.
std::string twentyRulePolicy()
{
    std::string rules;
    const char *conditions[] = {
        R"({"team":{"in":["legal","finance","hr"]}})", R"({"user":{"eq":"ceo"}})", R"({"app":{"in":["chat","ide"]}})",
        R"({"tag":{"contains":"vip"}})", R"({"task":{"eq":"creative"}})", R"({"requested_model":{"matches":"^o[13]"}})",
        R"({"input_tokens":{"gt":100000}})", R"({"complexity":{"gte":0.99}})", R"({"has_tools":{"eq":true}})",
        R"({"has_images":{"eq":true}})", R"({"stream":{"eq":true}})", R"({"prompt":{"matches":"(?i)BEGIN (RSA )?PRIVATE KEY"}})",
        R"({"prompt":{"contains":"CONFIDENTIAL"}})", R"({"hour_utc":{"between":[1,3]}})", R"({"weekday":{"in":["sat","sun"]}})",
        R"({"all":[{"team":{"eq":"eng"}},{"complexity":{"gt":0.9}}]})", R"({"any":[{"user":{"eq":"x"}},{"app":{"eq":"y"}}]})",
        R"({"not":{"input_tokens":{"gte":0}}})", R"({"tag":{"in":["batch","nightly"]}})", R"({"all":[{"complexity":{"lt":0.01}},{"input_tokens":{"lte":4000}}]})"};
    for (int i = 0; i < 20; ++i)
        rules += std::string(i ? "," : "") + R"({"id":"r)" + std::to_string(i) + R"(","when":)" + conditions[i]
                 + R"(,"then":{"tier":"light"}})";
    return R"({"schema":"routeledger.policy/v1","name":"bench","version":1,"tiers":[
        {"name":"frontier","models":["openai/gpt-5"]},{"name":"mid","models":["openai/gpt-5-mini"]},
        {"name":"light","models":["openai/gpt-5-nano"]}],"default_tier":"mid","rules":[)" + rules
           + R"(],"budget_guard":[{"used_at_least":0.9,"then":{"downgrade":1}}]})";
}

} // namespace

class TestDecisionAllocation : public QObject {
    Q_OBJECT
private slots:
    void onlyTheTrailIsAllocated()
    {
        rl::PolicyLoad load = rl::PolicyParser::parse(twentyRulePolicy());
        QVERIFY(load.ok());
        rl::RouteRequest request;
        request.team = "support";
        request.app = "helpdesk";
        request.tags = {"eu", "tier2"};
        for (int i = 0; i < 40; ++i)
            request.prompt += "Explain how our refund policy applies to a customer who bought in March. ";
        request.scoredLength = request.prompt.size();
        request.messageCount = 1;
        request.budgetUsed = 0.95;
        const rl::RoutingEngine engine;
        (void)engine.decide(load.policy, request); // warm up function-local statics (built-in weights)

        const long before = g_allocations.load();
        const rl::Decision decision = engine.decide(load.policy, request);
        const long allocations = g_allocations.load() - before;
        QCOMPARE(allocations, 1L);
        QCOMPARE(decision.trail.size(), std::size_t(20));
        QCOMPARE(std::string(decision.tierName()), std::string("light")); // mid, downgraded by the guard
    }
};

QTEST_APPLESS_MAIN(TestDecisionAllocation)
#include "tst_decisionallocation.moc"
