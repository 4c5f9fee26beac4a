// The Quality view's query on a small store whose feedback and escalation rates are worked out by hand, and the
// Wilson interval against values computed independently.
#include "store/qualityqueries.h"
#include "store/usagestore.h"
#include "testsuites.h"

#include <QTemporaryDir>
#include <QTest>

namespace {

constexpr std::int64_t kDay = 86'400'000;
constexpr std::int64_t kNov1 = 1793491200000; // 2026-11-01T00:00:00Z (day 20758)
constexpr std::int64_t kNov1Day = 20758;

rl::UsageEvent makeEvent(const std::string &id, std::int64_t timeMs, const std::string &team, const std::string &tier,
                         const std::string &rule, std::optional<double> complexity)
{
    rl::UsageEvent e;
    e.requestId = id;
    e.timeMs = timeMs;
    e.team = team;
    e.user = team + ".user1";
    e.app = team + "-app";
    e.tier = tier;
    e.tierRank = tier == "frontier" ? 0 : tier == "mid" ? 1 : 2;
    e.model = tier == "frontier" ? "anthropic/claude-opus-4-1" : "openai/gpt-5-nano";
    e.rule = rule;
    e.complexity = complexity;
    e.tokens = {100, 0, 0, 10, 0};
    e.costMicro = 1000;
    e.frontierCostMicro = 5000;
    return e;
}

rl::FeedbackRecord makeFeedback(const std::string &id, double score)
{
    rl::FeedbackRecord f;
    f.requestId = id;
    f.timeMs = kNov1 + 3 * kDay;
    f.score = score;
    return f;
}

const rl::QualityRow *find(const std::vector<rl::QualityRow> &rows, const std::string &name)
{
    for (const rl::QualityRow &row : rows)
        if (row.name == name)
            return &row;
    return nullptr;
}

// requests, rated, score sum, negative, escalated
void compareRow(const rl::QualityRow *row, std::int64_t requests, std::int64_t rated, double scoreSum,
                std::int64_t negative, std::int64_t escalated)
{
    QVERIFY(row);
    QCOMPARE(row->requests, requests);
    QCOMPARE(row->rated, rated);
    QVERIFY2(qAbs(row->scoreSum - scoreSum) < 1e-9, qPrintable(QString::number(row->scoreSum)));
    QCOMPARE(row->negative, negative);
    QCOMPARE(row->escalated, escalated);
}

} // namespace

class TestQualityQueries : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_path = m_dir.filePath(QStringLiteral("quality.db")).toStdString();
        auto store = rl::UsageStore::open(m_path);
        QVERIFY(store.ok());
        const std::int64_t t = kNov1 + 9 * 3'600'000;
        rl::IngestBatch batch;
        batch.source = "router";
        batch.sourceKind = "router";
        batch.events = {
            makeEvent("1", t, "legal", "light", "easy", 0.10),
            makeEvent("2", t + 60'000, "legal", "light", "easy", 0.30),
            makeEvent("3", t + 120'000, "legal", "frontier", "hard", 0.30), // asks 2 again
            makeEvent("4", t + 180'000, "support", "light", "easy", 0.5),
            makeEvent("5", t + 240'000, "support", "mid", "code", 0.5),      // asks 4 again…
            makeEvent("6", t + 300'000, "support", "frontier", "hard", 0.5), // …and again: 4 counts once
            makeEvent("7", t + 360'000, "support", "mid", "code", std::nullopt),
            makeEvent("8", t + 420'000, "support", "light", "easy", 0.95), // blocked: no answer to judge
            // The period's last minutes, escalated just after midnight, outside the period.
            makeEvent("9", kNov1 + 2 * kDay - 120'000, "support", "light", "easy", 1.0),
            makeEvent("10", kNov1 + 2 * kDay + 180'000, "support", "frontier", "hard", 1.0),
        };
        batch.events[2].escalationOf = "2";
        batch.events[4].escalationOf = "4";
        batch.events[5].escalationOf = "4";
        batch.events[7].status = rl::UsageStatus::Blocked;
        batch.events[9].escalationOf = "9";
        batch.feedback = {makeFeedback("1", 1.0), makeFeedback("2", 0.0), makeFeedback("3", 0.9),
                          makeFeedback("6", 0.4), makeFeedback("7", 0.6), makeFeedback("8", 0.0),
                          makeFeedback("9", 0.2), makeFeedback("10", 1.0)};
        batch.feedback[0].thumbsUp = true;
        batch.feedback[1].thumbsUp = false;
        QVERIFY(store->ingest(batch).ok());

        // A source kept out of spend (it mirrors traffic another source reports): left out unless named.
        rl::SourceSettings mirror;
        mirror.name = "mirror";
        mirror.kind = "router";
        mirror.baseUrl = "http://127.0.0.1:9";
        mirror.inSpend = false;
        QVERIFY(store->saveSourceSettings(mirror).ok());
        rl::IngestBatch mirrored;
        mirrored.source = "mirror";
        mirrored.sourceKind = "router";
        mirrored.events = {makeEvent("1", t, "legal", "light", "easy", 0.10)};
        mirrored.feedback = {makeFeedback("1", 0.0)};
        QVERIFY(store->ingest(mirrored).ok());
    }

    void wilsonInterval()
    {
        struct Case {
            std::int64_t hits, n;
            double low, high;
        };
        // From (k + z²/2)/(n + z²) ± z·√n/(n + z²)·√(p(1−p) + z²/4n), z = 1.96.
        const Case cases[] = {{3, 8, 0.136842, 0.694262}, {3, 6, 0.187613, 0.812387}, {0, 10, 0.0, 0.277540},
                              {1, 1, 0.206543, 1.0},      {3, 4, 0.300636, 0.954414}, {2, 2, 0.342372, 1.0}};
        for (const Case &c : cases) {
            const rl::RateInterval r = rl::wilsonInterval(c.hits, c.n);
            QCOMPARE(r.rate, static_cast<double>(c.hits) / static_cast<double>(c.n));
            QVERIFY2(qAbs(r.low - c.low) < 1e-6,
                     qPrintable(QStringLiteral("%1 of %2: %3").arg(c.hits).arg(c.n).arg(r.low)));
            QVERIFY2(qAbs(r.high - c.high) < 1e-6,
                     qPrintable(QStringLiteral("%1 of %2: %3").arg(c.hits).arg(c.n).arg(r.high)));
        }
        const rl::RateInterval none = rl::wilsonInterval(0, 0);
        QCOMPARE(none.low, 0.0);
        QCOMPARE(none.high, 1.0);
        // A larger sample narrows the interval around the same rate.
        const rl::RateInterval many = rl::wilsonInterval(300, 800);
        QVERIFY(many.high - many.low < 0.07);
        QVERIFY(many.low < 0.375 && many.high > 0.375);
    }

    void ratesByEveryGrouping()
    {
        auto db = rl::SqliteDatabase::open(m_path, rl::SqliteDatabase::Mode::ReadOnly);
        QVERIFY(db.ok());
        rl::QualityQueries queries(db.value());
        auto report = queries.report(rl::UsageFilter{kNov1Day, kNov1Day + 2, {}, {}, {}, {}, {}});
        QVERIFY2(report.ok(), report.ok() ? "" : report.error().message.c_str());

        // 1–7 and 9: 8 is blocked, 10 after the period, the mirror kept out of spend. Rated: 1, 2, 3, 6, 7, 9;
        // below 0.5: 2, 6, 9; escalated: 2, 4 (twice, counted once) and 9 (by 10, the next day).
        compareRow(&report->total, 8, 6, 3.1, 3, 3);
        QVERIFY(qAbs(report->total.meanScore() - 3.1 / 6) < 1e-9);
        const rl::RateInterval escalation = report->total.escalationRate();
        QCOMPARE(escalation.rate, 0.375);
        QVERIFY(qAbs(escalation.low - 0.136842) < 1e-6 && qAbs(escalation.high - 0.694262) < 1e-6);
        const rl::RateInterval negative = report->total.negativeRate(); // 3 of 6 rated
        QVERIFY(qAbs(negative.low - 0.187613) < 1e-6 && qAbs(negative.high - 0.812387) < 1e-6);
        QCOMPARE(report->total.feedbackRate().rate, 0.75);

        // Tiers by rank, most capable first.
        QCOMPARE(report->byTier.size(), std::size_t(3));
        QCOMPARE(report->byTier[0].name, std::string("frontier"));
        QCOMPARE(report->byTier[0].order, 0);
        QCOMPARE(report->byTier[2].name, std::string("light"));
        compareRow(&report->byTier[0], 2, 2, 1.3, 1, 0);
        compareRow(&report->byTier[1], 2, 1, 0.6, 0, 0);
        compareRow(&report->byTier[2], 4, 3, 1.2, 2, 3);
        const rl::RateInterval light = report->byTier[2].escalationRate(); // 3 of 4
        QVERIFY(qAbs(light.low - 0.300636) < 1e-6 && qAbs(light.high - 0.954414) < 1e-6);

        // Rules and teams by requests, then name.
        QCOMPARE(report->byRule.size(), std::size_t(3));
        QCOMPARE(report->byRule[0].name, std::string("easy"));
        QCOMPARE(report->byRule[1].name, std::string("code"));
        QCOMPARE(report->byRule[2].name, std::string("hard"));
        compareRow(find(report->byRule, "easy"), 4, 3, 1.2, 2, 3);
        compareRow(find(report->byRule, "code"), 2, 1, 0.6, 0, 0);
        compareRow(find(report->byRule, "hard"), 2, 2, 1.3, 1, 0);
        QCOMPARE(report->byTeam.size(), std::size_t(2));
        QCOMPARE(report->byTeam[0].name, std::string("support"));
        compareRow(find(report->byTeam, "support"), 5, 3, 1.2, 2, 2);
        compareRow(find(report->byTeam, "legal"), 3, 3, 1.9, 1, 1);

        // Complexity bands in order, empty ones absent, no score last.
        const auto &bands = report->rows(rl::QualityGrouping::ComplexityBand);
        QCOMPARE(bands.size(), std::size_t(5));
        QCOMPARE(bands[0].name, std::string("0.0\u20130.2"));
        QCOMPARE(bands[4].name, std::string());
        QCOMPARE(bands[4].order, rl::QualityQueries::kBands);
        compareRow(find(bands, "0.0\u20130.2"), 1, 1, 1.0, 0, 0);
        compareRow(find(bands, "0.2\u20130.4"), 2, 2, 0.9, 1, 1);
        compareRow(find(bands, "0.4\u20130.6"), 3, 1, 0.4, 1, 1);
        QVERIFY(!find(bands, "0.6\u20130.8"));
        compareRow(find(bands, "0.8\u20131.0"), 1, 1, 0.2, 1, 1); // 1.0 in the last band
        compareRow(&bands[4], 1, 1, 0.6, 0, 0);
    }

    void filters()
    {
        auto db = rl::SqliteDatabase::open(m_path, rl::SqliteDatabase::Mode::ReadOnly);
        QVERIFY(db.ok());
        rl::QualityQueries queries(db.value());
        rl::UsageFilter legal{kNov1Day, kNov1Day + 2, "legal", {}, {}, {}, {}};
        compareRow(&queries.report(legal)->total, 3, 3, 1.9, 1, 1);
        // The mirror named: its own events, although kept out of spend.
        rl::UsageFilter mirror{kNov1Day, kNov1Day + 2, {}, {}, "mirror", {}, {}};
        compareRow(&queries.report(mirror)->total, 1, 1, 0.0, 1, 0);
        rl::UsageFilter light{kNov1Day, kNov1Day + 2, {}, {}, {}, "light", {}};
        compareRow(&queries.report(light)->total, 4, 3, 1.2, 2, 3);
        // The first day alone: 9 is on the second; 10's day starts the period, so its feedback counts.
        rl::UsageFilter first{kNov1Day, kNov1Day + 1, {}, {}, {}, {}, {}};
        compareRow(&queries.report(first)->total, 7, 5, 2.9, 2, 2);
        rl::UsageFilter later{kNov1Day + 2, kNov1Day + 3, {}, {}, {}, {}, {}};
        compareRow(&queries.report(later)->total, 1, 1, 1.0, 0, 0);
        rl::UsageFilter nobody{kNov1Day, kNov1Day + 2, "nobody", {}, {}, {}, {}};
        auto empty = queries.report(nobody);
        QVERIFY(empty.ok());
        QCOMPARE(empty->total.requests, std::int64_t(0));
        QVERIFY(empty->byTier.empty() && empty->byBand.empty());
    }

    // The period's events are read by the day index and each feedback and escalated request by its key; the
    // (source, request id) index must never drive the scan of a period (it would read every event of a source).
    void readsByTheDayIndex()
    {
        auto db = rl::SqliteDatabase::open(m_path, rl::SqliteDatabase::Mode::ReadOnly);
        QVERIFY(db.ok());
        rl::QualityQueries queries(db.value());
        for (const std::string &source : {std::string(), std::string("router")}) {
            auto plan = queries.queryPlan(rl::UsageFilter{kNov1Day, kNov1Day + 2, "legal", {}, source, {}, {}});
            QVERIFY(plan.ok());
            QString text;
            for (const std::string &line : plan.value())
                text += QString::fromStdString(line) + QLatin1Char('\n');
            const QStringList statements = text.split(QStringLiteral("\n\n"));
            QCOMPARE(statements.size(), 3);
            QVERIFY2(statements[0].contains(QLatin1String("SEARCH e USING INDEX usage_events_day")), qPrintable(text));
            QVERIFY2(statements[0].contains(QLatin1String("SEARCH f USING PRIMARY KEY")), qPrintable(text));
            QVERIFY2(!statements[0].contains(QLatin1String("usage_events_dedupe")), qPrintable(text));
            QVERIFY2(statements[1].contains(QLatin1String("SEARCH x USING INDEX usage_events_day")), qPrintable(text));
            QVERIFY2(statements[1].contains(QLatin1String("SEARCH e USING INDEX usage_events_dedupe")),
                     qPrintable(text));
        }
    }

private:
    QTemporaryDir m_dir;
    std::string m_path;
};

ROUTELEDGER_TEST_SUITE(TestQualityQueries)
#include "tst_qualityqueries.moc"
