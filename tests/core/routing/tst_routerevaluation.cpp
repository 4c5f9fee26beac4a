// RouteLLM's metrics on small, hand-computed label sets.
#include "routing/routerevaluation.h"
#include "testsuites.h"

#include <QTest>

namespace {

rl::LabelledPrompt row(double strong, double weak)
{
    return {"", "p", strong, weak};
}

} // namespace

class TestRouterEvaluation : public QObject {
    Q_OBJECT
private slots:
    // Four prompts: two where only the strong model is right, two where both are. A perfect router sends
    // the two hard ones first, so PGR reaches 1 at 50 % strong calls: APGR = 0.5*0.5 + 0.5*1 = 0.75.
    void perfectRouter()
    {
        std::vector<rl::LabelledPrompt> rows{row(1, 0), row(1, 1), row(1, 0), row(1, 1)};
        auto m = rl::RouterEvaluation::evaluate(rows, {0.9, 0.1, 0.8, 0.2}, 0.1);
        QVERIFY(m.ok());
        QCOMPARE(m->apgr, 0.75);
        QCOMPARE(m->cpt50, 0.25);
        QCOMPARE(m->cpt80, 0.4);
        QCOMPARE(m->strongQuality, 1.0);
        QCOMPARE(m->weakQuality, 0.5);
        // 95 % of strong quality (0.95) is reached at 0.25 + 0.25 * (0.95-0.75)/0.25 = 0.45 strong calls.
        QVERIFY(qAbs(m->strongShareAt95 - 0.45) < 1e-9);
        QVERIFY(qAbs(m->savingAt95 - 0.55 * 0.9) < 1e-9);
        QCOMPARE(m->n, std::size_t(4));
    }

    // The same set routed backwards: PGR stays 0 until the hard prompts come last.
    void worstRouter()
    {
        std::vector<rl::LabelledPrompt> rows{row(1, 0), row(1, 1), row(1, 0), row(1, 1)};
        auto m = rl::RouterEvaluation::evaluate(rows, {0.1, 0.9, 0.2, 0.8}, 0.1);
        QVERIFY(m.ok());
        QCOMPARE(m->apgr, 0.25);
        QCOMPARE(m->cpt50, 0.75);
    }

    void randomBaselineIsLinear()
    {
        std::vector<rl::LabelledPrompt> rows{row(1, 0), row(0, 0), row(1, 1), row(1, 0), row(0, 1)};
        auto m = rl::RouterEvaluation::randomBaseline(rows, 0.2);
        QVERIFY(m.ok());
        QCOMPARE(m->apgr, 0.5);
        QCOMPARE(m->cpt50, 0.5);
        QVERIFY(qAbs(m->cpt80 - 0.8) < 1e-12);
    }

    // Ties are split evenly: two prompts with the same score count as half routed each.
    void tiesAreSplitEvenly()
    {
        std::vector<rl::LabelledPrompt> rows{row(1, 0), row(1, 1)};
        auto m = rl::RouterEvaluation::evaluate(rows, {0.5, 0.5}, 0.1);
        QVERIFY(m.ok());
        QCOMPARE(m->apgr, 0.5);
    }

    void weakAlreadyGoodEnoughSavesEverything()
    {
        std::vector<rl::LabelledPrompt> rows;
        for (int i = 0; i < 19; ++i)
            rows.push_back(row(1, 1));
        rows.push_back(row(1, 0)); // weak reaches 95 % of strong with no strong calls
        auto m = rl::RouterEvaluation::evaluate(rows, std::vector<double>(20, 0.0), 0.1);
        QVERIFY(m.ok());
        QCOMPARE(m->strongShareAt95, 0.0);
        QCOMPARE(m->savingAt95, 0.9);
    }

    // Per source: each source's rows on their own, by name; the counts add up to the whole, and a source
    // where the strong model is no better reports its error without hiding the others.
    void bySource()
    {
        auto from = [](const char *source, double strong, double weak) {
            rl::LabelledPrompt r = row(strong, weak);
            r.source = source;
            return r;
        };
        // Within "math" the scores put the hard prompt first (APGR 0.75, as in perfectRouter's first half);
        // within "trivia" they put it last (APGR 0.25); "chat" has no gap.
        std::vector<rl::LabelledPrompt> rows{from("trivia", 1, 1), from("math", 1, 0), from("chat", 1, 1),
                                             from("math", 1, 1), from("trivia", 1, 0)};
        const std::vector<double> scores{0.9, 0.8, 0.5, 0.2, 0.1};
        const std::vector<rl::SourceQuality> sources = rl::RouterEvaluation::bySource(rows, scores, 0.1);
        QCOMPARE(sources.size(), std::size_t(3));
        QCOMPARE(QString::fromStdString(sources[0].source), QStringLiteral("chat"));
        QCOMPARE(QString::fromStdString(sources[1].source), QStringLiteral("math"));
        QCOMPARE(QString::fromStdString(sources[2].source), QStringLiteral("trivia"));
        std::size_t total = 0;
        for (const rl::SourceQuality &source : sources)
            total += source.n;
        QCOMPARE(total, rows.size());
        QVERIFY(!sources[0].quality.ok());
        QCOMPARE(QString::fromStdString(sources[0].quality.error().code), QStringLiteral("eval.no_gap"));
        QVERIFY(sources[1].quality.ok() && sources[2].quality.ok());
        QCOMPARE(sources[1].quality->apgr, 0.75);
        QCOMPARE(sources[2].quality->apgr, 0.25);
        QCOMPARE(sources[1].quality->n, std::size_t(2));
    }

    void noGapIsAnError()
    {
        std::vector<rl::LabelledPrompt> rows{row(0, 1), row(1, 1)};
        auto m = rl::RouterEvaluation::evaluate(rows, {1, 0}, 0.1);
        QVERIFY(!m.ok());
        QCOMPARE(QString::fromStdString(m.error().code), QStringLiteral("eval.no_gap"));
        QVERIFY(!rl::RouterEvaluation::evaluate(rows, {1}, 0.1).ok());
    }
};

ROUTELEDGER_TEST_SUITE(TestRouterEvaluation)
#include "tst_routerevaluation.moc"
