// The first window: navigation lists only built pages; "Try a request" shows the decision and its
// explanation, keeps the old policy when a new one is invalid, and its trail model is well-behaved.
#include "testdata.h"

#include "dashboardapp.h"
#include "mainwindow.h"
#include "studio/decisiontrailmodel.h"
#include "studio/tryrequestpage.h"
#include "widgets/theme.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

class TestTryRequestPage : public QObject {
    Q_OBJECT
private slots:
    void navigationListsBuiltPagesOnly()
    {
        DashboardApp dashboard{QString()}; // no store
        MainWindow &window = dashboard.window();
        QCOMPARE(window.pageNames(), (QStringList{QStringLiteral("Overview"), QStringLiteral("Teams"),
                                                  QStringLiteral("Routing"), QStringLiteral("Quality"),
                                                  QStringLiteral("Reconciliation"), QStringLiteral("Policy studio"),
                                                  QStringLiteral("Sources"), QStringLiteral("Audit log")}));
    }

    void decidesWithTheBuiltInPolicy()
    {
        TryRequestPage page{Theme()};
        QCOMPARE(page.policyLabel(), QStringLiteral("starter v1 · built-in"));
        page.setTeam(QStringLiteral("legal"));
        QVERIFY(page.decision().has_value());
        QCOMPARE(std::string(page.decision()->tierName()), std::string("frontier"));
        QCOMPARE(std::string(page.decision()->ruleId()), std::string("legal-frontier"));
    }

    void budgetGuardShows()
    {
        TryRequestPage page{Theme()};
        page.setTeam(QStringLiteral("support"));
        page.setPrompt(
            QStringLiteral("Write a detailed migration plan for moving our billing system to a new database, "
                           "with rollback steps and risks."));
        page.setHasTools(true); // keeps easy-to-light from matching
        page.setBudgetUsedPercent(0);
        const int before = page.decision()->tier;
        page.setBudgetUsedPercent(120);
        QCOMPARE(page.decision()->budgetAction, rl::BudgetAction::CapTier);
        QCOMPARE(std::string(page.decision()->tierName()), std::string("light"));
        QCOMPARE(page.decision()->tierBeforeBudget, before);
    }

    void trailModelExplainsEachRule()
    {
        TryRequestPage page{Theme()};
        page.setTeam(QStringLiteral("support"));
        page.setRequestedModel(QStringLiteral("gpt-4o"));
        DecisionTrailModel *model = page.trailModel();
        QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model->rowCount(), 3); // no-secrets, legal-frontier, pin-4o (matched)
        QCOMPARE(model->index(1, DecisionTrailModel::ConditionColumn).data().toString(),
                 QStringLiteral("/rules/1/when/team/in"));
        QCOMPARE(model->index(1, DecisionTrailModel::WhyColumn).data().toString(),
                 QStringLiteral("team \"support\" is not in [\"legal\"]"));
        QCOMPARE(model->index(2, DecisionTrailModel::OutcomeColumn).data().toString(), QStringLiteral("matched"));
        QCOMPARE(model->index(2, DecisionTrailModel::RuleColumn).data(DecisionTrailModel::SortRole).toInt(), 2);
        QCOMPARE(std::string(page.decision()->model), std::string("openai/gpt-4o"));
        page.setTeam(QStringLiteral("legal")); // the model resets and the tester checks it
        QCOMPARE(model->rowCount(), 2);
    }

    void invalidPolicyKeepsThePreviousOne()
    {
        TryRequestPage page{Theme()};
        QTemporaryDir dir;
        QFile bad(dir.filePath(QStringLiteral("bad.json")));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write(R"({"schema":"routeledger.policy/v1","name":"x","version":1,"tiers":[],"default_tier":"mid"})");
        bad.close();
        QVERIFY(!page.loadPolicyFile(bad.fileName()));
        QCOMPARE(
            page.policyProblems(),
            (QStringList{QStringLiteral("/tiers: expected a non-empty array of tiers, most capable first"),
                         QStringLiteral("/default_tier: unknown tier \"mid\"; expected one of: (no tiers defined)")}));
        QVERIFY(page.policyLabel().startsWith(QStringLiteral("starter")));
        QVERIFY(!page.loadPolicyFile(dir.filePath(QStringLiteral("missing.json"))));
        QVERIFY(page.policyProblems().first().endsWith(QStringLiteral("no such file; check the path")));
    }

    void opensAnotherPolicy()
    {
        TryRequestPage page{Theme()};
        QSignalSpy decided(&page, &TryRequestPage::decided);
        QVERIFY(page.loadPolicyFile(testdata::path(QStringLiteral("core/routing/cases/default-tier/policy.json"))));
        QVERIFY(decided.count() >= 1);
        QVERIFY(page.policyLabel().startsWith(QStringLiteral("case v3 · policy.json")));
        page.setTeam(QStringLiteral("eng"));
        QCOMPARE(std::string(page.decision()->tierName()), std::string("light"));
    }

    void typingDecidesAfterAPause()
    {
        TryRequestPage page{Theme()};
        QSignalSpy decided(&page, &TryRequestPage::decided);
        auto *editor = page.findChild<QPlainTextEdit *>();
        QVERIFY(editor);
        editor->setPlainText(QStringLiteral("-----BEGIN PRIVATE KEY-----"));
        QTRY_VERIFY(decided.count() >= 1);
        QVERIFY(page.decision()->blocked);
    }
};

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    Theme().applyTo(app);
    TestTryRequestPage test;
    return QTest::qExec(&test, argc, argv);
}
#include "tst_tryrequestpage.moc"
