// The Overview page on a real demo store: the window loads it off the GUI thread, shows the demo banner,
// and the figures on the tiles are the store's own numbers; the team filter narrows them.
#include "dashboardapp.h"
#include "mainwindow.h"
#include "overview/overviewpage.h"
#include "routing/routingpage.h"
#include "teams/teamsmodel.h"
#include "teams/teamspage.h"
#include "widgets/filterbar.h"
#include "widgets/money.h"
#include "widgets/teambudgetbars.h"
#include "widgets/theme.h"

#include "demo/demoworkload.h"
#include "store/usagequeries.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QComboBox>
#include <QDateTime>
#include <QSet>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTemporaryDir>
#include <QTest>

class TestOverviewPage : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_path = m_dir.filePath(QStringLiteral("demo.db"));
        auto store = rl::UsageStore::open(m_path.toStdString());
        QVERIFY(store.ok());
        rl::Pricing pricing(rl::PriceCatalog::builtIn());
        rl::DemoWorkload::Options options;
        options.events = 20'000;
        options.endMs = (QDateTime::currentMSecsSinceEpoch() / 86'400'000 + 1) * 86'400'000; // through today
        rl::DemoWorkload workload(options, pricing);
        QVERIFY(workload.generate(store.value()).ok());
    }

    void showsTheStoresNumbers()
    {
        DashboardApp dashboard(m_path);
        MainWindow &window = dashboard.window();
        QSignalSpy shown(&window, &MainWindow::snapshotShown);
        QVERIFY(shown.wait(20000));
        QVERIFY(window.demoBannerVisible());
        QCOMPARE(window.pageNames(), (QStringList{QStringLiteral("Overview"), QStringLiteral("Teams"),
                                                  QStringLiteral("Routing"), QStringLiteral("Quality"),
                                                  QStringLiteral("Reconciliation"), QStringLiteral("Policy studio"),
                                                  QStringLiteral("Sources"), QStringLiteral("Audit log")}));

        // The same figures straight from the store: this month, all teams.
        auto queries = rl::UsageQueries::open(m_path.toStdString());
        QVERIFY(queries.ok());
        const std::int64_t today = queries->calendar().dayOf(QDateTime::currentMSecsSinceEpoch());
        std::int64_t first = 0, end = 0;
        queries->calendar().periodContaining(today, rl::BudgetPeriod::Month, first, end);
        rl::UsageFilter month{first, today + 1, {}, {}, {}, {}, {}};
        const rl::UsageTotals totals = queries->totals(month).value();
        QVERIFY(totals.requests > 0);
        QCOMPARE(window.overviewPage()->tileFigure(0), money::compact(totals.costMicro));
        QCOMPARE(window.overviewPage()->tileFigure(3), money::compact(totals.savedMicro()));
        QCOMPARE(window.overviewPage()->tileFigure(4), QLocale(QLocale::English).toString(qlonglong(totals.requests)));
        QVERIFY(!window.overviewPage()->teamBars()->bars().empty());
        QVERIFY(window.overviewPage()->alertCount() >= 1);

        // Narrow to one team.
        auto *team = window.filterBar()->findChildren<QComboBox *>().at(1);
        const int legal = team->findText(QStringLiteral("legal"));
        QVERIFY(legal > 0);
        team->setCurrentIndex(legal);
        QVERIFY(shown.wait(20000));
        rl::UsageFilter legalOnly = month;
        legalOnly.team = "legal";
        QCOMPARE(window.overviewPage()->tileFigure(0), money::compact(queries->totals(legalOnly)->costMicro));
        QCOMPARE(window.overviewPage()->teamBars()->bars().size(), std::size_t(1));
    }

    // The Teams table: a well-behaved model with raw values for sorting, and budgets saved off the GUI
    // thread, after which the page shows the new budget.
    void teamsTableAndBudgets()
    {
        DashboardApp dashboard(m_path);
        MainWindow &window = dashboard.window();
        QSignalSpy shown(&window, &MainWindow::snapshotShown);
        QVERIFY(shown.wait(20000));
        TeamsModel *model = window.teamsPage()->model();
        QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model->rowCount(), 12);
        int hr = -1;
        for (int row = 0; row < model->rowCount(); ++row)
            if (model->teamAt(row) == QLatin1String("hr"))
                hr = row;
        QVERIFY(hr >= 0);
        QVERIFY(model->index(hr, TeamsModel::SpendColumn).data(TeamsModel::SortRole).toLongLong() > 0);
        QVERIFY(model->index(hr, TeamsModel::SpendColumn).data().toString().startsWith(QLatin1Char('$')));

        // Drill-down: the selected team's spend by model, app and user adds up to its spend.
        window.teamsPage()->selectTeam(QStringLiteral("support"));
        for (int dimension = 0; dimension < 3; ++dimension) {
            QStandardItemModel *breakdown = window.teamsPage()->breakdownModel(dimension);
            QAbstractItemModelTester drillTester(breakdown, QAbstractItemModelTester::FailureReportingMode::QtTest);
            QVERIFY2(breakdown->rowCount() >= 1, qPrintable(QStringLiteral("dimension %1").arg(dimension)));
            double share = 0;
            for (int row = 0; row < breakdown->rowCount(); ++row)
                share += breakdown->item(row, 3)->data(TeamsModel::SortRole).toDouble();
            QVERIFY2(qAbs(share - 1.0) < 1e-6, qPrintable(QString::number(share)));
        }
        QVERIFY(window.teamsPage()->breakdownModel(2)->rowCount() > 5); // support has many users

        // As the Teams page's budget dialog asks it: the store service saves it and the window reloads.
        emit window.teamsPage()->budgetRequested(QStringLiteral("hr"), QStringLiteral("quarter"), 123'000'000);
        QVERIFY(shown.wait(20000));
        for (int row = 0; row < model->rowCount(); ++row)
            if (model->teamAt(row) == QLatin1String("hr")) {
                QCOMPARE(model->index(row, TeamsModel::BudgetColumn).data(TeamsModel::SortRole).toLongLong(),
                         123'000'000LL);
                QCOMPARE(model->index(row, TeamsModel::BudgetColumn).data().toString(),
                         QStringLiteral("$123 / quarter"));
            }
    }

    // Routing: over the last 90 days the policy change shows as a marker; rules and latency tables fill.
    void routingPage()
    {
        DashboardApp dashboard(m_path);
        MainWindow &window = dashboard.window();
        QSignalSpy shown(&window, &MainWindow::snapshotShown);
        QVERIFY(shown.wait(20000));
        QAbstractItemModelTester rulesTester(window.routingPage()->rulesModel(),
                                             QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester latencyTester(window.routingPage()->latencyModel(),
                                               QAbstractItemModelTester::FailureReportingMode::QtTest);
        window.filterBar()->setPreset(FilterBar::Last90Days);
        QVERIFY(shown.wait(20000));
        QCOMPARE(window.routingPage()->policyMarkers(), 1);
        QStandardItemModel *rules = window.routingPage()->rulesModel();
        QSet<QString> names;
        for (int row = 0; row < rules->rowCount(); ++row)
            names.insert(rules->item(row, 0)->text());
        for (const char *rule :
             {"no-secrets", "legal-frontier", "hard-to-frontier", "easy-to-light", "routine-to-light", "default"})
            QVERIFY2(names.contains(QLatin1String(rule)), rule);
        QStandardItemModel *latency = window.routingPage()->latencyModel();
        QVERIFY(latency->rowCount() >= 4);
        for (int row = 0; row < latency->rowCount(); ++row) {
            const double p50 = latency->item(row, 3)->data(Qt::UserRole + 1).toDouble();
            const double p95 = latency->item(row, 4)->data(Qt::UserRole + 1).toDouble();
            QVERIFY(p50 > 0 && p95 >= p50);
        }
    }

    void reportsAStoreItCannotRead()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("notes.db"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("not a database at all, just some notes that happen to end in .db\n");
        file.close();
        DashboardApp dashboard(path);
        MainWindow &window = dashboard.window();
        QSignalSpy failed(&window, &MainWindow::loadFailed);
        QVERIFY(failed.wait(20000));
        QVERIFY(failed.first().first().toString().contains(QStringLiteral("not a RouteLedger store")));
    }

private:
    QTemporaryDir m_dir;
    QString m_path;
};

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    Theme().applyTo(app);
    TestOverviewPage test;
    return QTest::qExec(&test, argc, argv);
}
#include "tst_overviewpage.moc"
