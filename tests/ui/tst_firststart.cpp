// A first start that is never empty (issue 12): the demo store a first start creates, with "now" injected, on
// the first day of a month at 00:30 and at 23:30 in the organisation's time zone. Every period preset shows
// requests and spend through the real query path (QueryWorker on the real SQLite store) on the Overview and
// Teams pages; the day-1 forecast comes from the last 7 days' rate and says so; a day is drawn by hour; and a
// page with no data keeps its layout, its title at the top and one call to action.
#include "dashboardapp.h"
#include "mainwindow.h"
#include "overview/overviewpage.h"
#include "queryworker.h"
#include "routing/routingpage.h"
#include "teams/teamsmodel.h"
#include "teams/teamspage.h"
#include "widgets/filterbar.h"
#include "widgets/stattile.h"
#include "widgets/teambudgetbars.h"
#include "widgets/theme.h"

#include "demo/demoworkload.h"
#include "store/usagequeries.h"
#include "store/usagestore.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QAreaSeries>
#include <QChart>
#include <QChartView>
#include <QLabel>
#include <QLineSeries>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

namespace {

enum Tile { Spend, BudgetUsed, Forecast, Saved, Requests, FrontierShare };

const FilterBar::Preset kPresets[] = {FilterBar::ThisMonth,  FilterBar::Last7Days,   FilterBar::Last30Days,
                                      FilterBar::Last90Days, FilterBar::ThisQuarter, FilterBar::ThisYear};

// One load through the worker the window uses, answered synchronously (the worker lives on this thread here).
DashboardSnapshot load(const QString &path, const rl::UsageFilter &filter, qint64 nowMs)
{
    QueryWorker worker(path);
    QSignalSpy loaded(&worker, &QueryWorker::loaded);
    QSignalSpy failed(&worker, &QueryWorker::failed);
    worker.load(1, filter, nowMs);
    if (!failed.isEmpty())
        qFatal("load failed: %s", qPrintable(failed.first().at(1).toString()));
    if (loaded.isEmpty())
        qFatal("load answered nothing");
    return loaded.first().at(1).value<DashboardSnapshot>();
}

rl::OrgCalendar calendarOf(const QString &path)
{
    return rl::UsageQueries::open(path.toStdString()).value().calendar();
}

} // namespace

class TestFirstStart : public QObject {
    Q_OBJECT
private slots:
    void everyPresetHasData_data()
    {
        QTest::addColumn<QString>("zone");
        QTest::addColumn<qint64>("now");
        QTest::newRow("Dec 1 00:30 Berlin") << QStringLiteral("Europe/Berlin") << qint64(1796081400000);
        QTest::newRow("Dec 1 23:30 Berlin") << QStringLiteral("Europe/Berlin") << qint64(1796164200000);
        QTest::newRow("Dec 1 00:30 UTC") << QStringLiteral("UTC") << qint64(1796085000000);
        QTest::newRow("Dec 1 23:30 UTC") << QStringLiteral("UTC") << qint64(1796167800000);
    }

    void everyPresetHasData()
    {
        QFETCH(QString, zone);
        QFETCH(qint64, now);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("first-start.db"));
        {
            auto store = rl::UsageStore::open(path.toStdString());
            QVERIFY(store.ok());
            QVERIFY(store->setTimeZone(zone.toStdString()).ok());
            rl::Pricing pricing(rl::PriceCatalog::builtIn());
            rl::DemoWorkload::Options options; // as a first start makes it, with the clock injected
            options.events = 20'000;
            options.clock = rl::fixedClock(now);
            rl::DemoWorkload workload(options, pricing);
            QVERIFY(workload.generate(store.value()).ok());
        }
        const rl::OrgCalendar calendar = calendarOf(path);
        QCOMPARE(QString::fromStdString(calendar.zoneName()), zone);
        const Theme theme;
        OverviewPage overview(theme);
        TeamsPage teams(theme);
        QAbstractItemModelTester tester(teams.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        for (const FilterBar::Preset preset : kPresets) {
            const rl::UsageFilter filter = FilterBar::range(preset, calendar, now);
            const QString what = QStringLiteral("preset %1").arg(int(preset));
            QCOMPARE(filter.toDay, calendar.dayOf(now) + 1); // every preset runs to the end of today
            const DashboardSnapshot snapshot = load(path, filter, now);
            QVERIFY2(snapshot.totals.requests > 0, qPrintable(what));
            QVERIFY2(snapshot.totals.costMicro > 0, qPrintable(what));

            overview.setSnapshot(snapshot);
            QVERIFY2(overview.tileFigure(Requests) != QLatin1String("0"), qPrintable(what));
            QVERIFY2(overview.tileFigure(Spend) != QLatin1String("$0.00"), qPrintable(what));
            // Budget use and forecast are never 0 % / $0.00 for the whole organisation, on any period.
            QVERIFY2(!overview.tileFigure(BudgetUsed).startsWith(QLatin1String("0 %"))
                         && !overview.tileFigure(BudgetUsed).startsWith(QLatin1String("0.0 %")),
                     qPrintable(what + QStringLiteral(": ") + overview.tileFigure(BudgetUsed)));
            QVERIFY2(overview.tileFigure(Forecast) != QLatin1String("$0.00"), qPrintable(what));
            QVERIFY(overview.action() == OverviewPage::Action::None);
            QVERIFY(!overview.spendChartEmpty());
            QVERIFY(!overview.teamBars()->bars().empty());
            // Each card says which period it judges.
            QVERIFY(overview.alertsTitle().contains(QLatin1String("this month")));
            QVERIFY(overview.teamsTitle().contains(QLatin1String("budget")));
            if (preset == FilterBar::ThisMonth) {
                // On day 1 the forecast is from the recent rate, and the tile says so.
                QVERIFY2(overview.tileDetail(Forecast).contains(QLatin1String("weekday-aware 7-day run rate")),
                         qPrintable(overview.tileDetail(Forecast)));
                QVERIFY(overview.tileDetail(BudgetUsed).contains(QLatin1String("budget for this month")));
                // A single day is drawn by hour when the snapshot has its hours.
                DashboardSnapshot hourly = snapshot;
                auto queries = rl::UsageQueries::open(path.toStdString());
                hourly.spendByHourAndTier = queries->spendByHourAndTier(filter).value();
                QVERIFY(!hourly.spendByHourAndTier.empty());
                overview.setSnapshot(hourly);
                QVERIFY(overview.spendChartByHour());
                // Every hour so far is a bucket: at 00:30 one, at 23:30 twenty-four.
                auto *area = qobject_cast<QAreaSeries *>(overview.spendView()->chart()->series().value(0));
                QVERIFY(area);
                const qint64 hoursSoFar = (now - calendar.dayStartMs(filter.fromDay)) / 3'600'000 + 1;
                QCOMPARE(qint64(area->upperSeries()->count()), 2 * hoursSoFar); // a flat step per hour
                if (const QString shots = qEnvironmentVariable("ROUTELEDGER_TEST_SHOTS"); !shots.isEmpty()) {
                    overview.resize(1064, 700);
                    overview.show();
                    QVERIFY(QTest::qWaitForWindowExposed(&overview));
                    overview.grab().save(
                        QStringLiteral("%1/hourly-%2.png")
                            .arg(shots, QString(QTest::currentDataTag()).replace(QLatin1Char(' '), QLatin1Char('-'))));
                    overview.hide();
                }
            }
            if (preset == FilterBar::Last30Days)
                QVERIFY2(overview.tileDetail(BudgetUsed).contains(QLatin1String("pro-rated to 30 days")),
                         qPrintable(overview.tileDetail(BudgetUsed)));

            teams.setSnapshot(snapshot);
            TeamsModel *model = teams.model();
            QVERIFY(model->rowCount() >= 12);
            int used = 0, forecast = 0;
            for (int row = 0; row < model->rowCount(); ++row) {
                if (model->index(row, TeamsModel::UsedColumn).data(TeamsModel::SortRole).toDouble() > 0)
                    ++used;
                if (model->index(row, TeamsModel::ForecastColumn).data(TeamsModel::SortRole).toDouble() > 0)
                    ++forecast;
            }
            QVERIFY2(used >= 6, qPrintable(what + QStringLiteral(": %1 teams with use").arg(used)));
            QCOMPARE(forecast, 12); // every budgeted team has a forecast from its recent rate
        }
    }

    // The same first start through the whole app, as the composition root assembles it with the clock
    // injected: the window asks every preset with the injected "now", and each shows requests and spend.
    void theWindowAsksWithTheInjectedClock()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("first-start.db"));
        const qint64 now = 1796081400000; // Dec 1, 00:30 in Berlin
        {
            auto store = rl::UsageStore::open(path.toStdString());
            QVERIFY(store.ok());
            QVERIFY(store->setTimeZone("Europe/Berlin").ok());
            rl::Pricing pricing(rl::PriceCatalog::builtIn());
            rl::DemoWorkload::Options options;
            options.events = 5'000;
            options.clock = rl::fixedClock(now);
            QVERIFY(rl::DemoWorkload(options, pricing).generate(store.value()).ok());
        }
        DashboardApp dashboard(path, Theme::Mode::Light, rl::fixedClock(now));
        MainWindow &window = dashboard.window();
        QSignalSpy shown(&window, &MainWindow::snapshotShown);
        QVERIFY(shown.wait(20000));
        for (const FilterBar::Preset preset : kPresets) {
            const QString what = QStringLiteral("preset %1").arg(int(preset));
            shown.clear();
            window.filterBar()->setPreset(preset);
            if (preset != FilterBar::ThisMonth) // the first load was this month's already
                QVERIFY2(shown.wait(20000), qPrintable(what));
            QVERIFY2(window.overviewPage()->tileFigure(Requests) != QLatin1String("0"), qPrintable(what));
            QVERIFY2(window.overviewPage()->tileFigure(Spend) != QLatin1String("$0.00"), qPrintable(what));
        }
    }

    // A new store before its first poll: the Overview keeps its layout (title at the top, the tiles and cards in
    // place with their own empty text) and offers one call to action: add a source. A quiet period on a store
    // with sources offers a longer period instead.
    void emptyStoreKeepsTheLayout()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("new.db"));
        QVERIFY(rl::UsageStore::open(path.toStdString()).ok());
        const qint64 now = 1796085000000; // Dec 1, 00:30 UTC
        const DashboardSnapshot snapshot =
            load(path, FilterBar::range(FilterBar::ThisMonth, calendarOf(path), now), now);
        QCOMPARE(snapshot.totals.requests, std::int64_t(0));

        const Theme theme;
        OverviewPage page(theme);
        page.resize(1064, 700);
        page.setSnapshot(snapshot);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QCOMPARE(page.action(), OverviewPage::Action::AddSource);
        QVERIFY(page.actionButton()->isVisible());
        QCOMPARE(page.actionButton()->text(), QStringLiteral("Add a source…"));
        QSignalSpy addSource(&page, &OverviewPage::addSourceRequested);
        QTest::mouseClick(page.actionButton(), Qt::LeftButton);
        QCOMPARE(addSource.count(), 1);
        // The title is at the top, not floating mid-page; the tiles and the cards stay where they are.
        QVERIFY2(page.titleLabel()->geometry().top() < 40,
                 qPrintable(QString::number(page.titleLabel()->geometry().top())));
        const QList<StatTile *> tiles = page.findChildren<StatTile *>();
        QCOMPARE(tiles.size(), 6);
        for (StatTile *tile : tiles) {
            QVERIFY(tile->isVisible());
            QVERIFY(tile->geometry().top() < page.height() / 3);
        }
        QVERIFY(page.spendChartEmpty());
        QVERIFY(page.teamBars()->isVisible());
        QVERIFY(page.teamBars()->bars().empty());
        QVERIFY(!page.teamBars()->emptyText().isEmpty());
        QCOMPARE(page.tileFigure(Requests), QStringLiteral("0"));
        QVERIFY(page.alertCount() == 1); // "No budgets yet…"

        // A demo store, but a quiet period long ago: pick a longer period.
        const QString demo = dir.filePath(QStringLiteral("demo.db"));
        {
            auto store = rl::UsageStore::open(demo.toStdString());
            rl::Pricing pricing(rl::PriceCatalog::builtIn());
            rl::DemoWorkload::Options options;
            options.events = 2'000;
            options.clock = rl::fixedClock(now);
            QVERIFY(rl::DemoWorkload(options, pricing).generate(store.value()).ok());
        }
        const rl::UsageFilter quiet =
            FilterBar::range(FilterBar::Custom, calendarOf(demo), now, QDate(2020, 1, 1), QDate(2020, 1, 31));
        page.setSnapshot(load(demo, quiet, now));
        QCOMPARE(page.action(), OverviewPage::Action::LongerPeriod);
        QVERIFY(page.actionButton()->isVisible());
        QSignalSpy longer(&page, &OverviewPage::longerPeriodRequested);
        QTest::mouseClick(page.actionButton(), Qt::LeftButton);
        QCOMPARE(longer.count(), 1);
        QVERIFY(page.titleLabel()->geometry().top() < 40);
    }
};

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    Theme().applyTo(app);
    TestFirstStart test;
    return QTest::qExec(&test, argc, argv);
}
#include "tst_firststart.moc"
