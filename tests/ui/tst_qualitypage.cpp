// The Quality page: feedback and escalation rates from a hand-made store through the real query path (the
// QueryWorker the window uses), every grouping in a well-behaved model with raw values for sorting, rates with
// their counts and intervals, small samples greyed, tier names in tier colours, the empty states, and the page
// in the window after Routing with the shared filter applied.
#include "dashboardapp.h"
#include "mainwindow.h"
#include "quality/qualitymodel.h"
#include "quality/qualitypage.h"
#include "queryworker.h"
#include "widgets/filterbar.h"
#include "widgets/theme.h"

#include "clock.h"
#include "store/usagestore.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QComboBox>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

namespace {

constexpr std::int64_t kDay = 86'400'000;
constexpr std::int64_t kNov1 = 1793491200000; // 2026-11-01T00:00:00Z (day 20758)
constexpr std::int64_t kNov1Day = 20758;
constexpr std::int64_t kNow = kNov1 + 20 * kDay + 12 * 3'600'000; // Nov 21, noon

rl::UsageEvent makeEvent(const std::string &id, std::int64_t timeMs, const std::string &team, int rank,
                         std::optional<double> complexity)
{
    static const char *tiers[] = {"frontier", "mid", "light"};
    rl::UsageEvent e;
    e.requestId = id;
    e.timeMs = timeMs;
    e.team = team;
    e.user = team + ".user1";
    e.app = team + "-app";
    e.tier = tiers[rank];
    e.tierRank = rank;
    e.model = rank == 0 ? "anthropic/claude-opus-4-1" : "openai/gpt-5-nano";
    e.rule = rank == 0 ? "hard" : "easy";
    e.complexity = complexity;
    e.tokens = {100, 0, 0, 10, 0};
    e.costMicro = 1000;
    e.frontierCostMicro = 5000;
    return e;
}

DashboardSnapshot load(const QString &path, const rl::UsageFilter &filter)
{
    QueryWorker worker(path);
    worker.setQualityReportWanted(true); // as while the Quality page is shown
    QSignalSpy loaded(&worker, &QueryWorker::loaded);
    QSignalSpy failed(&worker, &QueryWorker::failed);
    worker.load(1, filter, kNow);
    if (!failed.isEmpty())
        qFatal("load failed: %s", qPrintable(failed.first().at(1).toString()));
    if (loaded.isEmpty())
        qFatal("load answered nothing");
    return loaded.first().at(1).value<DashboardSnapshot>();
}

QString cell(QualityModel *model, int row, int column, int role = Qt::DisplayRole)
{
    return model->index(row, column).data(role).toString();
}

int rowNamed(QualityModel *model, const QString &name)
{
    for (int row = 0; row < model->rowCount(); ++row)
        if (cell(model, row, QualityModel::NameColumn) == name)
            return row;
    return -1;
}

} // namespace

class TestQualityPage : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        // Support: 40 light requests on Nov 10, 10 of them rated (4 low), 5 escalated to frontier; legal: 3
        // frontier requests with a thumbs up each. Nothing on Nov 1–2 (the empty period).
        m_path = m_dir.filePath(QStringLiteral("quality.db"));
        auto store = rl::UsageStore::open(m_path.toStdString());
        QVERIFY(store.ok());
        rl::IngestBatch batch;
        batch.source = "router";
        batch.sourceKind = "router";
        const std::int64_t t = kNov1 + 9 * kDay + 9 * 3'600'000;
        for (int i = 0; i < 40; ++i) {
            const std::string id = "s" + std::to_string(i);
            batch.events.push_back(makeEvent(id, t + i * 60'000, "support", 2, 0.1 + 0.02 * i));
            if (i < 10) {
                rl::FeedbackRecord f;
                f.requestId = id;
                f.timeMs = t + i * 60'000 + 30'000;
                f.score = i < 4 ? 0.0 : 1.0;
                f.thumbsUp = i >= 4;
                batch.feedback.push_back(f);
            }
            if (i >= 30 && i < 35) {
                batch.events.push_back(
                    makeEvent("e" + std::to_string(i), t + i * 60'000 + 20'000, "support", 0, 0.1 + 0.02 * i));
                batch.events.back().escalationOf = id;
            }
        }
        for (int i = 0; i < 3; ++i) {
            batch.events.push_back(makeEvent("l" + std::to_string(i), t + i * 60'000, "legal", 0, std::nullopt));
            rl::FeedbackRecord f;
            f.requestId = "l" + std::to_string(i);
            f.timeMs = t + i * 60'000 + 30'000;
            f.score = 1.0;
            f.thumbsUp = true;
            batch.feedback.push_back(f);
        }
        QVERIFY(store->ingest(batch).ok());

        // A store with requests and neither feedback nor escalations (a gateway's usage, say).
        m_plainPath = m_dir.filePath(QStringLiteral("plain.db"));
        auto plain = rl::UsageStore::open(m_plainPath.toStdString());
        QVERIFY(plain.ok());
        rl::IngestBatch gateway;
        gateway.source = "gateway";
        gateway.events = {makeEvent("g1", t, "support", 2, 0.3)};
        QVERIFY(plain->ingest(gateway).ok());
    }

    void everyGroupingWithCountsAndIntervals()
    {
        const Theme theme;
        QualityPage page(theme);
        page.resize(1064, 720);
        page.setSnapshot(load(m_path, rl::UsageFilter{kNov1Day, kNov1Day + 30, {}, {}, {}, {}, {}}));
        QVERIFY(page.emptyText().isEmpty());
        QualityModel *model = page.model();
        QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);

        // 48 requests (40 light, 5 escalations, 3 legal); 13 rated, 4 low; 5 escalated.
        QCOMPARE(page.tileFigure(0), QStringLiteral("48"));
        QCOMPARE(page.tileFigure(1), QStringLiteral("13"));
        QCOMPARE(page.tileFigure(2), QStringLiteral("0.69"));
        QCOMPARE(page.tileFigure(3), QStringLiteral("30.8 %"));
        QCOMPARE(page.tileFigure(4), QStringLiteral("10.4 %"));

        // Tiers, most capable first, in their colours.
        QCOMPARE(model->headerData(QualityModel::NameColumn, Qt::Horizontal, Qt::DisplayRole).toString(),
                 QStringLiteral("Tier"));
        QCOMPARE(model->rowCount(), 2);
        const int frontier = rowNamed(model, QStringLiteral("frontier"));
        const int light = rowNamed(model, QStringLiteral("light"));
        QVERIFY(frontier >= 0 && light >= 0);
        QCOMPARE(model->index(frontier, QualityModel::NameColumn).data(Qt::ForegroundRole).value<QBrush>().color(),
                 theme.tierColor(0));
        QCOMPARE(model->index(light, QualityModel::NameColumn).data(Qt::ForegroundRole).value<QBrush>().color(),
                 theme.tierColor(2));
        QCOMPARE(model->index(light, QualityModel::NameColumn).data(QualityModel::SortRole).toInt(), 2);
        // Light: 40 requests, 10 rated, 4 low (40 % of 10), 5 escalated (12.5 % of 40).
        QCOMPARE(cell(model, light, QualityModel::RequestsColumn), QStringLiteral("40"));
        QCOMPARE(model->index(light, QualityModel::RequestsColumn).data(QualityModel::SortRole).toLongLong(), 40);
        QCOMPARE(cell(model, light, QualityModel::RatedColumn), QStringLiteral("10 (25.0 %)"));
        QCOMPARE(cell(model, light, QualityModel::ScoreColumn), QStringLiteral("0.60"));
        QCOMPARE(cell(model, light, QualityModel::NegativeColumn), QStringLiteral("40.0 % of 10"));
        QCOMPARE(model->index(light, QualityModel::NegativeColumn).data(QualityModel::SortRole).toDouble(), 0.4);
        const rl::RateInterval low = rl::wilsonInterval(4, 10);
        QCOMPARE(cell(model, light, QualityModel::NegativeRangeColumn),
                 QStringLiteral("%1–%2 %").arg(low.low * 100, 0, 'f', 1).arg(low.high * 100, 0, 'f', 1));
        QCOMPARE(cell(model, light, QualityModel::EscalatedColumn), QStringLiteral("12.5 % of 40"));
        QCOMPARE(model->index(light, QualityModel::EscalatedColumn).data(QualityModel::SortRole).toDouble(), 0.125);
        QVERIFY(cell(model, light, QualityModel::EscalatedColumn, Qt::ToolTipRole).contains(QStringLiteral("5 of 40")));
        // Greyed under 30: the 10 ratings are, the 40 requests behind the escalation rate are not.
        QCOMPARE(model->index(light, QualityModel::NegativeColumn).data(Qt::ForegroundRole).value<QBrush>().color(),
                 theme.mutedText());
        QVERIFY(!model->index(light, QualityModel::EscalatedColumn).data(Qt::ForegroundRole).isValid());
        // Frontier: 8 requests, the legal thumbs up; none escalated.
        QCOMPARE(cell(model, frontier, QualityModel::EscalatedColumn), QStringLiteral("0 % of 8"));
        QCOMPARE(cell(model, frontier, QualityModel::NegativeColumn), QStringLiteral("0 % of 3"));

        // Rules, teams and complexity bands from the same snapshot.
        page.setGrouping(rl::QualityGrouping::Rule);
        QCOMPARE(model->headerData(QualityModel::NameColumn, Qt::Horizontal, Qt::DisplayRole).toString(),
                 QStringLiteral("Rule"));
        QCOMPARE(model->rowCount(), 2);
        QCOMPARE(cell(model, rowNamed(model, QStringLiteral("easy")), QualityModel::RequestsColumn),
                 QStringLiteral("40"));
        page.setGrouping(rl::QualityGrouping::Team);
        QCOMPARE(model->rowCount(), 2);
        const int support = rowNamed(model, QStringLiteral("support"));
        QCOMPARE(cell(model, support, QualityModel::RequestsColumn), QStringLiteral("45"));
        QCOMPARE(cell(model, support, QualityModel::EscalatedColumn), QStringLiteral("11.1 % of 45"));
        QCOMPARE(cell(model, rowNamed(model, QStringLiteral("legal")), QualityModel::ScoreColumn),
                 QStringLiteral("1.00"));
        page.setGrouping(rl::QualityGrouping::ComplexityBand);
        QCOMPARE(model->headerData(QualityModel::NameColumn, Qt::Horizontal, Qt::DisplayRole).toString(),
                 QStringLiteral("Complexity"));
        // 0.1 + 0.02·i for i < 40 spans 0.1–0.88: all five bands, plus legal's requests without a score.
        QCOMPARE(model->rowCount(), 6);
        const int none = rowNamed(model, QStringLiteral("no score"));
        QVERIFY(none >= 0);
        QCOMPARE(cell(model, none, QualityModel::RequestsColumn), QStringLiteral("3"));
        QCOMPARE(model->index(none, QualityModel::NameColumn).data(QualityModel::SortRole).toInt(),
                 rl::QualityQueries::kBands);
    }

    void emptyStatesSayWhyAndWhatToDo()
    {
        QualityPage page{Theme()};
        QSignalSpy sources(&page, &QualityPage::sourcesRequested);
        page.setSnapshot(load(m_plainPath, rl::UsageFilter{kNov1Day, kNov1Day + 30, {}, {}, {}, {}, {}}));
        QVERIFY2(page.emptyText().startsWith(QStringLiteral("No feedback or escalations yet")),
                 qPrintable(page.emptyText()));
        QVERIFY(page.emptyText().contains(QStringLiteral("POST /v1/feedback")));
        QVERIFY(page.emptyText().contains(QStringLiteral("docs/ROUTER.md")));
        QVERIFY(page.emptyText().contains(QStringLiteral("Poll a router source")));
        QCOMPARE(page.tileFigure(0), QStringLiteral("1"));
        auto *action = page.findChild<QPushButton *>();
        QVERIFY(action);
        action->click();
        QCOMPARE(sources.size(), 1);

        // No requests at all in the period: a different reason and fix.
        page.setSnapshot(load(m_path, rl::UsageFilter{kNov1Day, kNov1Day + 2, {}, {}, {}, {}, {}}));
        QVERIFY2(page.emptyText().startsWith(QStringLiteral("No requests")), qPrintable(page.emptyText()));
        QCOMPARE(page.model()->rowCount(), 0);
        // Data again: the table is back.
        page.setSnapshot(load(m_path, rl::UsageFilter{kNov1Day, kNov1Day + 30, {}, {}, {}, {}, {}}));
        QVERIFY(page.emptyText().isEmpty());
    }

    // In the window after Routing, loaded off the GUI thread; the shared filter's team narrows it.
    void inTheWindowWithTheSharedFilter()
    {
        DashboardApp dashboard(m_path, Theme::Mode::Light, rl::fixedClock(kNow));
        MainWindow &window = dashboard.window();
        QSignalSpy shown(&window, &MainWindow::snapshotShown);
        QVERIFY(shown.wait(20000));
        const QStringList names = window.pageNames();
        QCOMPARE(names.indexOf(QStringLiteral("Quality")), names.indexOf(QStringLiteral("Routing")) + 1);
        // The report is read only once its page is shown: arriving there loads it.
        QCOMPARE(window.qualityPage()->tileFigure(0), QStringLiteral("\u2013"));
        window.showPage(int(names.indexOf(QStringLiteral("Quality"))));
        QVERIFY(shown.wait(20000));
        QVERIFY(window.filterBar()->isVisibleTo(&window));
        QCOMPARE(window.qualityPage()->tileFigure(0), QStringLiteral("48")); // this month: Nov 1–21
        auto *team = window.filterBar()->findChildren<QComboBox *>().at(1);
        const int legal = team->findText(QStringLiteral("legal"));
        QVERIFY(legal > 0);
        team->setCurrentIndex(legal);
        QVERIFY(shown.wait(20000));
        QCOMPARE(window.qualityPage()->tileFigure(0), QStringLiteral("3"));
        QCOMPARE(window.qualityPage()->tileFigure(4), QStringLiteral("0 %"));
    }

private:
    QTemporaryDir m_dir;
    QString m_path, m_plainPath;
};

QTEST_MAIN(TestQualityPage)
#include "tst_qualitypage.moc"
