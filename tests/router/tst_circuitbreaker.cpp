// CircuitBreaker: closed, open and half-open with one probe, per model, on an injected time.
#include "circuitbreaker.h"
#include "routerunittext.h"
#include "testsuites.h"

#include <QTest>

#include <chrono>
#include <string>

namespace {

using namespace std::chrono_literals;
using routerunittext::qs;

QString stateName(rl::CircuitBreaker::State state)
{
    switch (state) {
    case rl::CircuitBreaker::State::Closed: return QStringLiteral("closed");
    case rl::CircuitBreaker::State::Open: return QStringLiteral("open");
    case rl::CircuitBreaker::State::HalfOpen: return QStringLiteral("half-open");
    }
    return QStringLiteral("?");
}

} // namespace

class TestCircuitBreaker : public QObject {
    Q_OBJECT
private slots:
    void breakerOpensAfterConsecutiveFailures()
    {
        rl::CircuitBreaker breaker(3, 1000ms);
        const auto t0 = rl::CircuitBreaker::Clock::time_point{} + 10h;
        const std::string model = "openai/gpt-5";
        QVERIFY(breaker.allow(model, t0));
        QCOMPARE(stateName(breaker.state(model, t0)), QStringLiteral("closed"));
        QCOMPARE(breaker.retryAfterMs(model, t0), std::int64_t(0));

        breaker.recordFailure(model, t0);
        breaker.recordFailure(model, t0 + 1ms);
        QCOMPARE(stateName(breaker.state(model, t0 + 2ms)), QStringLiteral("closed"));
        QVERIFY(breaker.allow(model, t0 + 2ms));
        QVERIFY(breaker.allow(model, t0 + 2ms));

        breaker.recordFailure(model, t0 + 10ms);
        QCOMPARE(stateName(breaker.state(model, t0 + 10ms)), QStringLiteral("open"));
        QVERIFY(!breaker.allow(model, t0 + 10ms));
        QVERIFY(!breaker.allow(model, t0 + 500ms));
        QCOMPARE(breaker.retryAfterMs(model, t0 + 10ms), std::int64_t(1000));
        QCOMPARE(breaker.retryAfterMs(model, t0 + 260ms), std::int64_t(750));
        QCOMPARE(breaker.retryAfterMs(model, t0 + 1009ms), std::int64_t(1));
        QCOMPARE(stateName(breaker.state(model, t0 + 1009ms)), QStringLiteral("open"));
        QVERIFY(!breaker.allow(model, t0 + 1009ms));
        QCOMPARE(stateName(breaker.state(model, t0 + 1010ms)), QStringLiteral("half-open"));
        QCOMPARE(breaker.retryAfterMs(model, t0 + 1010ms), std::int64_t(0));
    }

    void breakerSuccessResetsTheCount()
    {
        rl::CircuitBreaker breaker(3, 1000ms);
        const auto t0 = rl::CircuitBreaker::Clock::time_point{} + 10h;
        const std::string model = "openai/gpt-5";
        breaker.recordFailure(model, t0);
        breaker.recordFailure(model, t0);
        breaker.recordSuccess(model);
        breaker.recordFailure(model, t0);
        breaker.recordFailure(model, t0);
        QCOMPARE(stateName(breaker.state(model, t0)), QStringLiteral("closed"));
        QVERIFY(breaker.allow(model, t0));
        breaker.recordFailure(model, t0);
        QCOMPARE(stateName(breaker.state(model, t0)), QStringLiteral("open"));
        QVERIFY(!breaker.allow(model, t0));
    }

    void breakerHalfOpenLetsOneProbeThrough()
    {
        rl::CircuitBreaker breaker(3, 1000ms);
        const auto t0 = rl::CircuitBreaker::Clock::time_point{} + 10h;
        const std::string model = "openai/gpt-5";
        for (int i = 0; i < 3; ++i)
            breaker.recordFailure(model, t0);
        const auto later = t0 + 1000ms;
        QCOMPARE(stateName(breaker.state(model, later)), QStringLiteral("half-open"));
        QVERIFY(breaker.allow(model, later));  // the probe
        QVERIFY(!breaker.allow(model, later)); // everyone else waits for it
        QVERIFY(!breaker.allow(model, later + 5s));
        QCOMPARE(stateName(breaker.state(model, later + 5s)), QStringLiteral("half-open"));

        // The probe fails: open again for a full period from the failure.
        const auto failedAt = later + 500ms;
        breaker.recordFailure(model, failedAt);
        QCOMPARE(stateName(breaker.state(model, failedAt)), QStringLiteral("open"));
        QVERIFY(!breaker.allow(model, failedAt));
        QCOMPARE(breaker.retryAfterMs(model, failedAt), std::int64_t(1000));
        QVERIFY(!breaker.allow(model, failedAt + 999ms));
        QCOMPARE(stateName(breaker.state(model, failedAt + 1000ms)), QStringLiteral("half-open"));
        QVERIFY(breaker.allow(model, failedAt + 1000ms));
        QVERIFY(!breaker.allow(model, failedAt + 1000ms));

        // The next probe succeeds: closed, and the count starts again from zero.
        breaker.recordSuccess(model);
        const auto closedAt = failedAt + 1001ms;
        QCOMPARE(stateName(breaker.state(model, closedAt)), QStringLiteral("closed"));
        QVERIFY(breaker.allow(model, closedAt));
        QVERIFY(breaker.allow(model, closedAt));
        breaker.recordFailure(model, closedAt);
        breaker.recordFailure(model, closedAt);
        QCOMPARE(stateName(breaker.state(model, closedAt)), QStringLiteral("closed"));
        breaker.recordFailure(model, closedAt);
        QCOMPARE(stateName(breaker.state(model, closedAt)), QStringLiteral("open"));
    }

    void breakerModelsAreIndependent()
    {
        rl::CircuitBreaker breaker(3, 1000ms);
        const auto t0 = rl::CircuitBreaker::Clock::time_point{} + 10h;
        for (int i = 0; i < 3; ++i)
            breaker.recordFailure("openai/gpt-5", t0);
        breaker.recordFailure("anthropic/claude-opus-4-1", t0);
        breaker.recordSuccess("deepseek/deepseek-chat"); // a success alone does not make an entry

        QVERIFY(!breaker.allow("openai/gpt-5", t0));
        QVERIFY(breaker.allow("openai/gpt-5-mini", t0));
        QVERIFY(breaker.allow("anthropic/claude-opus-4-1", t0));
        QCOMPARE(breaker.retryAfterMs("anthropic/claude-opus-4-1", t0), std::int64_t(0));

        auto states = breaker.states(t0);
        QCOMPARE(states.size(), std::size_t(2));
        QCOMPARE(qs(states[0].first), QStringLiteral("anthropic/claude-opus-4-1"));
        QCOMPARE(stateName(states[0].second), QStringLiteral("closed"));
        QCOMPARE(qs(states[1].first), QStringLiteral("openai/gpt-5"));
        QCOMPARE(stateName(states[1].second), QStringLiteral("open"));

        states = breaker.states(t0 + 1000ms);
        QCOMPARE(stateName(states[1].second), QStringLiteral("half-open"));

        // Two more failures on the other model open it, without touching the first.
        breaker.recordFailure("anthropic/claude-opus-4-1", t0 + 1000ms);
        breaker.recordFailure("anthropic/claude-opus-4-1", t0 + 1000ms);
        QCOMPARE(stateName(breaker.state("anthropic/claude-opus-4-1", t0 + 1000ms)), QStringLiteral("open"));
        QCOMPARE(breaker.retryAfterMs("anthropic/claude-opus-4-1", t0 + 1000ms), std::int64_t(1000));
        QVERIFY(breaker.allow("openai/gpt-5", t0 + 1000ms));
    }
};

ROUTELEDGER_TEST_SUITE(TestCircuitBreaker)
#include "tst_circuitbreaker.moc"
