// EscalationDetector: scripted sequences of requests on an injected time (issue 14): the same prompt asked again at
// a more capable tier, or with a pinned frontier model, by the same user and app within the window.
#include "escalationdetector.h"
#include "routerunittext.h"
#include "routing/policyparser.h"
#include "routing/routerequest.h"
#include "routing/routingengine.h"
#include "testsuites.h"

#include <QTest>

#include <optional>
#include <string>

namespace {

using routerunittext::qs;

constexpr std::int64_t kT0 = 1767607200000; // 2026-01-05T10:00:00Z
constexpr int kFrontier = 0, kMid = 1, kLight = 2;

struct Ask {
    std::string user = "ana";
    std::string app = "desk";
    std::string prompt = "What is the notice period in this contract?";
    int tier = kLight;
    std::string id;
    std::int64_t timeMs = kT0;
};

QString observe(rl::EscalationDetector &detector, const Ask &ask)
{
    auto earlier = detector.observe({ask.user, ask.app, ask.prompt, ask.tier, ask.id, ask.timeMs});
    return earlier ? qs(*earlier) : QString();
}

// A policy whose rule sends everything to the light tier, whatever the client asks for (rules come first).
std::shared_ptr<const rl::Policy> policy()
{
    auto load = rl::PolicyParser::parse(R"({
      "schema": "routeledger.policy/v1", "name": "p", "version": 1,
      "tiers": [
        {"name": "frontier", "models": ["openai/gpt-5"]},
        {"name": "mid", "models": ["openai/gpt-5-mini"]},
        {"name": "light", "models": ["openai/gpt-5-nano"]}
      ],
      "default_tier": "mid",
      "rules": [{"id": "desk-light", "when": {"app": {"in": ["desk"]}}, "then": {"tier": "light"}}]
    })");
    return load.policy;
}

} // namespace

class TestEscalationDetector : public QObject {
    Q_OBJECT
private slots:
    void samePromptAtAHigherTierIsAnEscalation()
    {
        rl::EscalationDetector detector({});
        QCOMPARE(observe(detector, {.tier = kLight, .id = "r1"}), QString());
        QCOMPARE(observe(detector, {.tier = kFrontier, .id = "r2", .timeMs = kT0 + 40'000}), QStringLiteral("r1"));
        // Asked a third time higher still, the latest one is escalated; mid after frontier is not higher.
        QCOMPARE(observe(detector, {.tier = kMid, .id = "r3", .timeMs = kT0 + 50'000}), QString());
        QCOMPARE(observe(detector, {.tier = kFrontier, .id = "r4", .timeMs = kT0 + 60'000}), QStringLiteral("r3"));
    }

    void theSameOrALowerTierIsNone()
    {
        rl::EscalationDetector detector({});
        QCOMPARE(observe(detector, {.tier = kMid, .id = "r1"}), QString());
        QCOMPARE(observe(detector, {.tier = kMid, .id = "r2", .timeMs = kT0 + 1000}), QString());
        QCOMPARE(observe(detector, {.tier = kLight, .id = "r3", .timeMs = kT0 + 2000}), QString());
    }

    void anotherUserAppOrPromptIsNone()
    {
        rl::EscalationDetector detector({});
        QCOMPARE(observe(detector, {.tier = kLight, .id = "r1"}), QString());
        QCOMPARE(observe(detector, {.user = "bob", .tier = kFrontier, .id = "r2", .timeMs = kT0 + 1000}), QString());
        QCOMPARE(observe(detector, {.app = "mail", .tier = kFrontier, .id = "r3", .timeMs = kT0 + 2000}), QString());
        QCOMPARE(observe(detector, {.prompt = "What is the notice period in this lease?",
                                    .tier = kFrontier,
                                    .id = "r4",
                                    .timeMs = kT0 + 3000}),
                 QString());
        // User and app are kept apart: ("ab", "c") is not ("a", "bc").
        QCOMPARE(observe(detector, {.user = "ab", .app = "c", .tier = kLight, .id = "r5"}), QString());
        QCOMPARE(observe(detector, {.user = "a", .app = "bc", .tier = kFrontier, .id = "r6"}), QString());
    }

    void outsideTheWindowIsNone()
    {
        rl::EscalationDetector detector({.windowMs = 300'000, .maxEntries = 100});
        QCOMPARE(observe(detector, {.tier = kLight, .id = "r1"}), QString());
        QCOMPARE(observe(detector, {.tier = kFrontier, .id = "r2", .timeMs = kT0 + 300'001}), QString());
        // At the edge of the window it still counts.
        QCOMPARE(observe(detector, {.prompt = "other", .tier = kLight, .id = "r3", .timeMs = kT0 + 400'000}),
                 QString());
        QCOMPARE(observe(detector, {.prompt = "other", .tier = kMid, .id = "r4", .timeMs = kT0 + 700'000}),
                 QStringLiteral("r3"));
        // What is past the window is forgotten, not only ignored.
        QCOMPARE(observe(detector, {.prompt = "late", .tier = kMid, .id = "r5", .timeMs = kT0 + 2'000'000}), QString());
        QCOMPARE(detector.size(), std::size_t(1));
    }

    void caseWhitespaceAndPunctuationDoNotMatter()
    {
        rl::EscalationDetector detector({});
        QCOMPARE(observe(detector, {.prompt = "What is the notice period in this contract?", .id = "r1"}), QString());
        QCOMPARE(observe(detector, {.prompt = "  what IS the notice\n\tperiod, in this contract ",
                                    .tier = kFrontier,
                                    .id = "r2",
                                    .timeMs = kT0 + 1000}),
                 QStringLiteral("r1"));
        QCOMPARE(rl::EscalationDetector::promptHash("Hello,   World!"),
                 rl::EscalationDetector::promptHash("hello world"));
        QVERIFY(rl::EscalationDetector::promptHash("hello world") != rl::EscalationDetector::promptHash("helloworld"));
        QVERIFY(rl::EscalationDetector::promptHash("élan") != rl::EscalationDetector::promptHash("elan"));
    }

    void withoutIdentityTierOrPromptNothingIsKept()
    {
        rl::EscalationDetector detector({});
        QCOMPARE(observe(detector, {.user = "", .app = "", .tier = kLight, .id = "r1"}), QString());
        QCOMPARE(observe(detector, {.tier = -1, .id = "r2"}), QString()); // blocked
        QCOMPARE(observe(detector, {.prompt = " ?! ", .id = "r3"}), QString());
        QCOMPARE(observe(detector, {.prompt = "", .id = "r4"}), QString());
        QCOMPARE(detector.size(), std::size_t(1)); // " ?! " normalizes to nothing but is a prompt
    }

    void memoryIsBounded()
    {
        rl::EscalationDetector detector({.windowMs = 300'000, .maxEntries = 3});
        for (int i = 0; i < 10; ++i)
            observe(detector,
                    {.prompt = "prompt " + std::to_string(i), .id = "r" + std::to_string(i), .timeMs = kT0 + i});
        QCOMPARE(detector.size(), std::size_t(3));
        // The oldest went first: prompt 0 is forgotten, prompt 9 is not.
        QCOMPARE(observe(detector, {.prompt = "prompt 0", .tier = kFrontier, .id = "x", .timeMs = kT0 + 20}),
                 QString());
        QCOMPARE(observe(detector, {.prompt = "prompt 9", .tier = kFrontier, .id = "y", .timeMs = kT0 + 21}),
                 QStringLiteral("r9"));
    }

    // The tier a request asked for, through the routing engine: a rule sends the app to light, but a client that
    // pins the frontier tier or one of its models asked for the frontier.
    void aPinnedFrontierModelIsAnEscalation()
    {
        const auto p = policy();
        QVERIFY(p);
        rl::RoutingEngine engine;
        auto asked = [&](const std::string &model) {
            rl::RouteRequest request;
            request.user = "ana";
            request.app = "desk";
            request.requestedModel = model;
            request.prompt = "What is the notice period in this contract?";
            request.scoredLength = request.prompt.size();
            request.timeMs = kT0;
            const rl::Decision decision = engine.decide(p, request);
            return rl::EscalationDetector::askedTier(decision, model);
        };
        QCOMPARE(asked("auto"), kLight);
        QCOMPARE(asked("frontier"), kFrontier);
        QCOMPARE(asked("openai/gpt-5"), kFrontier);
        QCOMPARE(asked("mid"), kMid);

        rl::EscalationDetector detector({});
        QCOMPARE(observe(detector, {.tier = asked("auto"), .id = "r1"}), QString());
        QCOMPARE(observe(detector, {.tier = asked("openai/gpt-5"), .id = "r2", .timeMs = kT0 + 5000}),
                 QStringLiteral("r1"));
    }
};

ROUTELEDGER_TEST_SUITE(TestEscalationDetector)
#include "tst_escalationdetector.moc"
