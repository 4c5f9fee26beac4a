// The studio's Simulate tab (issue 14): a replay on the simulation worker's thread fills the figures, the tier
// mix, the "from → to" matrix and the moves by rule and team from a real store; cancel stops a run; the models
// pass QAbstractItemModelTester.
#include "studio/calibrationcurve.h"
#include "studio/calibrationpanel.h"
#include "studio/policydraft.h"
#include "studio/simulationgroupsmodel.h"
#include "studio/simulationmovesmodel.h"
#include "studio/simulationpanel.h"
#include "studio/simulationworker.h"
#include "widgets/stattile.h"
#include "widgets/theme.h"

#include "roundprices.h"
#include "routedevent.h"
#include "store/usagestore.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QSemaphore>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QUndoStack>

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
        rl::UsageEvent e = testdata::routedEvent("r" + std::to_string(i), kMonday + i, i < 4 ? "legal" : "data", "mid",
                                                 1, "acme/mid", 2600, 0.5);
        e.user = "u";
        batch.events.push_back(std::move(e));
    }
    if (!store->ingest(batch))
        qFatal("ingest refused");
    return path;
}

// 200 requests of complexity 0.0025 to 0.9975, every other one served by light (under 0.5) or frontier.
std::string makeCalibrationStore(const QTemporaryDir &dir)
{
    const std::string path = dir.filePath(QStringLiteral("calibrate.db")).toStdString();
    auto store = rl::UsageStore::open(path);
    if (!store)
        qFatal("%s", store.error().message.c_str());
    if (!testdata::addRoundPrices(store.value()))
        qFatal("override refused");
    rl::IngestBatch batch;
    batch.source = "edge";
    for (int i = 0; i < 200; ++i) {
        const bool light = i < 100;
        rl::UsageEvent e = testdata::routedEvent(
            "c" + std::to_string(i), kMonday + i, "data", light ? "light" : "frontier", light ? 1 : 0,
            light ? "acme/small" : "acme/big", light ? 650 : 13000, (i + 0.5) / 200.0);
        e.rule = light ? "easy" : "default";
        batch.events.push_back(std::move(e));
    }
    if (!store->ingest(batch))
        qFatal("ingest refused");
    return path;
}

const char *kTwoTiers = R"({"schema": "routeledger.policy/v1", "name": "two", "version": 1,
  "tiers": [{"name": "frontier", "models": ["acme/big"]}, {"name": "light", "models": ["acme/small"]}],
  "default_tier": "frontier",
  "rules": [{"id": "easy", "when": {"complexity": {"lt": 0.5}}, "then": {"tier": "light"}}]})";

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

    // Calibrate: a run proposes thresholds for the target; another target or a point on the curve is chosen at
    // once without reading the store again; "Apply to draft" is one undoable edit of the draft.
    void calibrateProposesAndAppliesAsOneUndoableEdit()
    {
        QTemporaryDir dir;
        const std::string path = makeCalibrationStore(dir);
        const Theme theme(Theme::Mode::Light);
        PolicyDraft draft;
        draft.load(PolicyDraft::Json::parse(kTwoTiers), QStringLiteral("two"), std::nullopt);
        CalibrationPanel panel(theme, m_worker, &draft);
        panel.setStorePath(QString::fromStdString(path));
        panel.setPeriod(QDate(2026, 1, 5), QDate(2026, 1, 5));
        panel.setTarget({rl::CalibrationTarget::Kind::Quality, 0.95});
        QSignalSpy done(&panel, &CalibrationPanel::finished);
        panel.run();
        QVERIFY(panel.isRunning());
        QVERIFY2(done.wait(10000), qPrintable(panel.statusText()));
        QVERIFY(panel.result().has_value());
        QCOMPARE(panel.result()->scored, std::int64_t(200));
        // Without feedback or labels, light falls short as often as the complexity says: 0.5 costs 12.5 % of
        // quality, so 95 % needs a lower threshold.
        QVERIFY(panel.result()->current.quality < 0.9);
        const double proposed = panel.chosen().thresholds.at(0);
        QVERIFY2(proposed > 0.2 && proposed < 0.5, std::to_string(proposed).c_str());
        QVERIFY(panel.chosen().quality >= 0.95);
        QVERIFY(panel.statusText().contains(QStringLiteral("meets the target")));

        // Another target: chosen from the run's table, no new run.
        panel.setTarget({rl::CalibrationTarget::Kind::FrontierShare, 0.2});
        QCOMPARE(done.count(), 1);
        // 20 % on frontier: the 40 requests above 0.7975 (the next lies at 0.8025).
        QCOMPARE(panel.chosen().tierRequests.at(0), std::int64_t(40));
        QVERIFY(panel.chosen().thresholds.at(0) > 0.7975 && panel.chosen().thresholds.at(0) <= 0.8025);

        // A click on the curve chooses its nearest point.
        CalibrationCurve *curve = panel.curve();
        curve->resize(480, 240);
        QVERIFY(curve->points().size() >= 3);
        const rl::CalibrationPoint target = curve->points()[1];
        QTest::mouseClick(curve, Qt::LeftButton, {}, curve->position(target).toPoint());
        QCOMPARE(panel.chosen().thresholds, target.thresholds);
        QVERIFY(panel.statusText().contains(QStringLiteral("chose")));

        // Applied: the rule's threshold changes, in one edit that Undo takes back.
        const int edits = draft.undoStack()->count();
        QVERIFY(panel.applyToDraft());
        QCOMPARE(draft.undoStack()->count(), edits + 1);
        const double written = draft.document()["rules"][0]["when"]["complexity"]["lt"].get<double>();
        QCOMPARE(written, std::round(target.thresholds[0] * 1000.0) / 1000.0);
        QVERIFY(draft.isValid());
        draft.undoStack()->undo();
        QCOMPARE(draft.document()["rules"][0]["when"]["complexity"]["lt"].get<double>(), 0.5);

        // A draft whose thresholds are gone since the run: refused, saying to calibrate again.
        PolicyDraft::Json changed = PolicyDraft::Json::parse(kTwoTiers);
        changed["rules"][0]["when"] = PolicyDraft::Json::parse(R"({"team": {"eq": "data"}})");
        draft.edit(QStringLiteral("no threshold"), changed);
        QVERIFY(!panel.applyToDraft());
        QVERIFY(panel.statusText().contains(QStringLiteral("run Calibrate again")));
    }

private:
    QThread m_thread;
    SimulationWorker *m_worker = nullptr;
};

QTEST_MAIN(TestSimulationPanel)
#include "tst_simulationpanel.moc"
