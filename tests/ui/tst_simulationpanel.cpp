// The studio's Simulate tab (issue 14): a replay on the simulation worker's thread fills the figures, the tier
// mix, the "from → to" matrix and the moves by rule and team from a real store; cancel stops a run; the models
// pass QAbstractItemModelTester.
#include "studio/simulationgroupsmodel.h"
#include "studio/simulationmovesmodel.h"
#include "studio/simulationpanel.h"
#include "studio/simulationworker.h"
#include "widgets/stattile.h"
#include "widgets/theme.h"

#include "roundprices.h"
#include "store/usagestore.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QSemaphore>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

namespace {

constexpr std::int64_t kMonday = 1767607200000; // 2026-01-05T10:00:00Z

const char *kPolicy = R"({"schema": "routeledger.policy/v1", "name": "hand", "version": %1,
  "tiers": [{"name": "frontier", "models": ["acme/big"]}, {"name": "mid", "models": ["acme/mid"]},
            {"name": "light", "models": ["acme/small"]}],
  "default_tier": "mid", "rules": [%2]})";

QString policy(int version, const QString &rules)
{
    return QString::fromLatin1(kPolicy).arg(version).arg(rules);
}

// Ten requests served by the mid tier (2,600 µ$ each at the store's prices): four of legal, six of data.
std::string makeStore(const QTemporaryDir &dir)
{
    const std::string path = dir.filePath(QStringLiteral("sim.db")).toStdString();
    auto store = rl::UsageStore::open(path);
    if (!store)
        qFatal("%s", store.error().message.c_str());
    if (!testdata::addRoundPrices(store.value()))
        qFatal("override refused");
    if (!store->publishPolicy(policy(1, QString()).toStdString(), "baseline"))
        qFatal("publish refused");
    rl::IngestBatch batch;
    batch.source = "edge";
    for (int i = 0; i < 10; ++i) {
        rl::UsageEvent e;
        e.requestId = "r" + std::to_string(i);
        e.timeMs = kMonday + i;
        e.team = i < 4 ? "legal" : "data";
        e.user = "u";
        e.app = "chat";
        e.requestedModel = "auto";
        e.model = "acme/mid";
        e.provider = "acme";
        e.tier = "mid";
        e.tierRank = 1;
        e.rule = "default";
        e.policyVersion = 1;
        e.tokens = {1000, 0, 0, 100, 0};
        e.costMicro = 2600;
        e.frontierCostMicro = 13000;
        e.complexity = 0.5;
        e.task = "chat";
        e.features.hasTools = false;
        e.features.hasImages = false;
        e.features.stream = false;
        e.features.inputTokens = 1000;
        e.features.budgetUsed = 0.0;
        e.features.promptChecks = std::vector<rl::PromptCheck>{};
        batch.events.push_back(std::move(e));
    }
    if (!store->ingest(batch))
        qFatal("ingest refused");
    return path;
}

} // namespace

class TestSimulationPanel : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        m_worker = new SimulationWorker;
        m_worker->moveToThread(&m_thread);
        m_thread.start();
    }

    void cleanupTestCase()
    {
        m_thread.quit();
        m_thread.wait();
        delete m_worker;
    }

    void aRunFillsEveryPart()
    {
        QTemporaryDir dir;
        const std::string path = makeStore(dir);
        const Theme theme(Theme::Mode::Light);
        SimulationPanel panel(theme, m_worker);
        new QAbstractItemModelTester(panel.moves(), QAbstractItemModelTester::FailureReportingMode::QtTest, &panel);
        new QAbstractItemModelTester(panel.groups(), QAbstractItemModelTester::FailureReportingMode::QtTest, &panel);
        panel.setStorePath(QString::fromStdString(path));
        panel.setVersions({1});
        panel.setTeams({QStringLiteral("data"), QStringLiteral("legal")});
        panel.setPeriod(QDate(2026, 1, 5), QDate(2026, 1, 5));
        // The draft sends legal to the frontier tier and data to the light tier.
        panel.setDraftProvider([] {
            return policy(2, QStringLiteral(
                                 R"({"id": "legal-up", "when": {"team": {"eq": "legal"}}, "then": {"tier": "frontier"}},
                                               {"id": "data-down", "when": {"team": {"eq": "data"}}, "then": {"tier": "light"}})"));
        });
        QSignalSpy done(&panel, &SimulationPanel::finished);
        panel.run();
        QVERIFY(panel.isRunning());
        QVERIFY(done.wait(10000));
        QVERIFY(!panel.isRunning());
        QVERIFY(panel.result().has_value());
        QCOMPARE(panel.result()->compared, std::int64_t(10));
        // 4 × 13,000 + 6 × 650 = 55,900 µ$ against 10 × 2,600 = 26,000 µ$.
        QCOMPARE(panel.spendTile()->figure(), QStringLiteral("$0.06"));
        QVERIFY(panel.spendTile()->detail().contains(QStringLiteral("+$0.03")));

        // The matrix: rows are the baseline's tiers, columns the draft's; mid → frontier 4, mid → light 6.
        SimulationMovesModel *moves = panel.moves();
        QCOMPARE(moves->rowCount(), 3);
        QCOMPARE(moves->columnCount(), 3);
        QCOMPARE(moves->headerData(1, Qt::Vertical).toString(), QStringLiteral("mid"));
        QCOMPARE(moves->index(1, 0).data(SimulationMovesModel::SortRole).toLongLong(), 4);
        QCOMPARE(moves->index(1, 0).data(SimulationMovesModel::CostDeltaRole).toLongLong(), 4 * (13000 - 2600));
        QCOMPARE(moves->index(1, 2).data(SimulationMovesModel::SortRole).toLongLong(), 6);
        QCOMPARE(moves->index(1, 1).data(SimulationMovesModel::SortRole).toLongLong(), 0);

        SimulationGroupsModel *groups = panel.groups();
        QCOMPARE(groups->rowCount(), 2);
        QStringList rules;
        for (int row = 0; row < groups->rowCount(); ++row)
            rules << groups->index(row, SimulationGroupsModel::Group).data().toString();
        rules.sort();
        QCOMPARE(rules, (QStringList{QStringLiteral("data-down"), QStringLiteral("legal-up")}));
        groups->setGrouping(SimulationGroupsModel::By::Team);
        QCOMPARE(groups->headerData(SimulationGroupsModel::Group, Qt::Horizontal).toString(), QStringLiteral("Team"));
        QCOMPARE(groups->rowCount(), 2);
        QVERIFY(panel.unknownText().contains(QStringLiteral("known")));

        // A team's scope.
        panel.setTeam(QStringLiteral("legal"));
        panel.run();
        QVERIFY(done.wait(10000));
        QCOMPARE(panel.result()->events, std::int64_t(4));
        QCOMPARE(panel.result()->team, std::string("legal"));
    }

    // Cancel answers at once with "Cancelled." and no result replaces the one shown; an invalid draft is refused
    // with what to do; no published version says so.
    void cancelAndRefusals()
    {
        QTemporaryDir dir;
        const std::string path = makeStore(dir);
        const Theme theme(Theme::Mode::Dark);
        SimulationPanel panel(theme, m_worker);
        panel.setStorePath(QString::fromStdString(path));
        panel.setPeriod(QDate(2026, 1, 5), QDate(2026, 1, 5));
        panel.setDraftProvider([] { return policy(2, QString()); });
        panel.run();
        QVERIFY(panel.statusText().contains(QStringLiteral("no published version")));
        QVERIFY(!panel.isRunning());

        panel.setVersions({1});
        QSignalSpy failed(&panel, &SimulationPanel::failed);
        QSignalSpy finished(&panel, &SimulationPanel::finished);
        // The worker is held until Cancel is pressed, so the run cannot finish first.
        QSemaphore hold;
        QMetaObject::invokeMethod(
            m_worker, [&hold] { hold.acquire(); }, Qt::QueuedConnection);
        panel.run();
        panel.cancel();
        hold.release();
        QVERIFY(failed.wait(10000));
        QCOMPARE(failed.takeFirst().at(0).toString(), QStringLiteral("Cancelled."));
        QCOMPARE(finished.count(), 0);
        QVERIFY(!panel.result().has_value());

        panel.setDraftProvider([] { return QStringLiteral("{\"schema\": \"nope\"}"); });
        panel.run();
        QVERIFY2(failed.wait(10000), qPrintable(panel.statusText()));
        QVERIFY(failed.takeFirst().at(0).toString().contains(QStringLiteral("fix them")));
    }

private:
    QThread m_thread;
    SimulationWorker *m_worker = nullptr;
};

QTEST_MAIN(TestSimulationPanel)
#include "tst_simulationpanel.moc"
