// The policy studio driven through its widgets (offscreen), on a real store, against two real routeledger-router
// processes and a fixture gateway: the default policy's rules built from an empty draft, reordered by a drop,
// one disabled, undo and redo back and forth (the canonical JSON equal at every step to what was recorded on
// the way), a bad regex shown at its path and refusing the publish, fixed, published, pushed (one router holding
// a newer version behind the app's back: stale with a 412 and the diff), overwritten knowingly, rolled back; a
// gateway that serves something else after a 200 is "readback differs"; the audit log records it all and its
// page finds a tampered entry.
#include "audit/auditlogmodel.h"
#include "audit/auditlogpage.h"
#include "dashboardapp.h"
#include "mainwindow.h"
#include "studio/decisioncomparisonmodel.h"
#include "studio/modelcatalogmodel.h"
#include "studio/policydraft.h"
#include "studio/policyhistorypanel.h"
#include "studio/policyproblemsmodel.h"
#include "studio/policystudiopage.h"
#include "studio/policyversionsmodel.h"
#include "studio/pushresultsmodel.h"
#include "studio/ruleinspector.h"
#include "studio/rulelistmodel.h"
#include "studio/simulationpanel.h"
#include "studio/tierlanesview.h"
#include "studio/tryrequestpage.h"

#include "fixtureclient.h"
#include "httptestclient.h"
#include "nodeserver.h"
#include "routerprocess.h"

#include "osuser.h"
#include "routing/policyparser.h"
#include "routing/policywriter.h"
#include "store/usagestore.h"
#include "textfile.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMimeData>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>
#include <QUndoStack>

#include <sqlite3.h>

#include <map>
#include <memory>

using json = nlohmann::json;

namespace {

constexpr const char *kToken = "studio-admin-token-0123456789";
constexpr std::int64_t kNowMs = 1'796'083'200'000; // 2026-12-01 00:00 UTC

std::string canonical(const std::string &text)
{
    rl::PolicyLoad load = rl::PolicyParser::parse(text);
    return load.ok() ? rl::PolicyWriter::toText(*load.policy) : std::string("invalid: ") + load.errors.front().line();
}

json defaultPolicy()
{
    return json::parse(
        rl::readTextFile(ROUTELEDGER_SOURCE_DIR "/resources/policies/default-policy.json", 1 << 20).value());
}

template <typename Widget>
Widget *child(QWidget *parent, const char *name)
{
    auto *widget = parent->findChild<Widget *>(QString::fromLatin1(name));
    if (!widget)
        qFatal("no widget named %s", name);
    return widget;
}

void choose(QComboBox *combo, const QString &data)
{
    const int index = combo->findData(data);
    QVERIFY2(index >= 0, qPrintable(data));
    combo->setCurrentIndex(index);
    emit combo->activated(index);
}

void retype(QLineEdit *edit, const QString &text)
{
    edit->setFocus();
    edit->selectAll();
    QTest::keyClick(edit, Qt::Key_Backspace);
    QTest::keyClicks(edit, text);
}

void retypeCombo(QComboBox *combo, const QString &text)
{
    QVERIFY(combo->lineEdit());
    retype(combo->lineEdit(), text);
}

void selectNode(QTreeWidget *tree, const QString &pointer)
{
    QTreeWidgetItemIterator it(tree);
    for (; *it != nullptr; ++it) {
        if ((*it)->data(0, Qt::UserRole).toString() == pointer) {
            tree->setCurrentItem(*it);
            return;
        }
    }
    QFAIL(qPrintable("no condition node " + pointer));
}

} // namespace

class TestPolicyStudio : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<RouterProcess> m_routers[2];
    NodeServer m_fixture;

    QString storePath(const QString &name) const { return m_dir.path() + "/" + name + ".db"; }
    std::string url(int i) const { return "http://127.0.0.1:" + std::to_string(m_routers[i]->port()); }
    json served(int i, std::string *etag = nullptr) const
    {
        HttpTestClient client(m_routers[i]->port());
        HttpReply reply = client.get("/admin/policy", {{"Authorization", std::string("Bearer ") + kToken}});
        if (etag)
            *etag = reply.header("etag");
        return json::parse(reply.body, nullptr, false);
    }

    // A store with the routers (or the gateway) as sources, their key from an environment variable, version 1
    // published and installed on them as the app would have left it.
    void seedStore(const QString &path, const std::vector<std::pair<std::string, std::string>> &routers,
                   bool recordInstall)
    {
        auto store = rl::UsageStore::open(path.toStdString(), rl::fixedClock(kNowMs - 3'600'000));
        QVERIFY2(store.ok(), store.ok() ? "" : store.error().message.c_str());
        store->setActor("tester");
        for (const auto &[name, baseUrl] : routers) {
            rl::SourceSettings settings;
            settings.name = name;
            settings.kind = "router";
            settings.baseUrl = baseUrl;
            settings.paused = true; // the studio pushes; polling their usage is not under test here
            settings.options = R"({"key_env": "RL_STUDIO_TOKEN"})";
            QVERIFY(store->saveSourceSettings(settings).ok());
        }
        auto published = store->publishPolicy(defaultPolicy().dump(), "what the routers started with");
        QVERIFY2(published.ok(), published.ok() ? "" : published.error().message.c_str());
        QCOMPARE(published->version, std::int64_t(1));
        if (recordInstall) {
            for (int i = 0; i < 2; ++i) {
                std::string etag;
                QCOMPARE(served(i, &etag)["version"].get<int>(), 1);
                rl::RouterDeploymentRecord record{
                    "router-" + std::string(1, char('a' + i)), url(i), 1, etag, kNowMs - 3'600'000, "applied"};
                QVERIFY(store->recordPolicyPush(record, "seeded").ok());
            }
        }
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        qputenv("RL_STUDIO_TOKEN", kToken);
        json start = defaultPolicy();
        for (int i = 0; i < 2; ++i) {
            const QString folder = m_dir.path() + "/router" + QString::number(i);
            QVERIFY(QDir().mkpath(folder));
            m_routers[i] = std::make_unique<RouterProcess>(folder);
            QVERIFY(m_routers[i]->writeFile("policy.json", QByteArray::fromStdString(start.dump(2))));
            const json config = {
                {"listen", "127.0.0.1:0"},
                {"admin_token_env", "RL_STUDIO_TOKEN"},
                {"policy_file", "policy.json"},
                {"ledger", "ledger.db"},
                {"threads", 1},
                {"providers",
                 {{{"name", "openai"},
                   {"base_url", "http://127.0.0.1:9/v1"},
                   {"models", {"openai/gpt-5", "openai/gpt-5-mini", "openai/gpt-5-nano", "openai/gpt-4o"}}},
                  {{"name", "anthropic"},
                   {"base_url", "http://127.0.0.1:9/v1"},
                   {"models", {"anthropic/claude-opus-4-1", "anthropic/claude-sonnet-4-5"}}},
                  {{"name", "deepseek"},
                   {"base_url", "http://127.0.0.1:9/v1"},
                   {"models", {"deepseek/deepseek-chat"}}}}}};
            QString error;
            QVERIFY2(m_routers[i]->start(config, &error, {QStringLiteral("RL_STUDIO_TOKEN=") + kToken}),
                     qPrintable(error));
        }
        QString error;
        QVERIFY2(m_fixture.start(ROUTELEDGER_TEST_DATA "/sources/fixture-server.js", &error), qPrintable(error));
    }

    void cleanupTestCase()
    {
        for (auto &router : m_routers)
            if (router)
                router->kill();
        m_fixture.stop();
    }

    void buildPublishPushOverwriteRollBack()
    {
        const QString path = storePath("studio");
        seedStore(path, {{"router-a", url(0)}, {"router-b", url(1)}}, true);
        std::vector<std::string> auditBefore;
        {
            DashboardApp app(path, Theme::Mode::Light, rl::fixedClock(kNowMs));
            QVERIFY2(app.storeFailure().isEmpty(), qPrintable(app.storeFailure()));
            PolicyStudioPage *studio = app.window().studioPage();
            QVERIFY(studio);
            // On screen and active, as a user has it: clicks, keys and focus behave as they do for them.
            app.window().showPage(int(app.window().pageNames().indexOf(QStringLiteral("Policy studio"))));
            app.window().show();
            app.window().activateWindow();
            QVERIFY(QTest::qWaitForWindowActive(&app.window()));
            QTRY_VERIFY_WITH_TIMEOUT(studio->versions()->rowCount() == 1, 10000);
            QTRY_VERIFY_WITH_TIMEOUT(studio->routerNames().size() == 2, 10000);
            QAbstractItemModelTester rulesTester(studio->rules(),
                                                 QAbstractItemModelTester::FailureReportingMode::QtTest);
            QAbstractItemModelTester problemsTester(studio->problems(),
                                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
            QAbstractItemModelTester versionsTester(studio->versions(),
                                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
            QAbstractItemModelTester pushTester(studio->pushResults(),
                                                QAbstractItemModelTester::FailureReportingMode::QtTest);
            QAbstractItemModelTester comparisonTester(studio->comparison(),
                                                      QAbstractItemModelTester::FailureReportingMode::QtTest);
            // It opens on what is deployed: version 1.
            QCOMPARE(studio->draft()->baseVersion().value_or(0), 1);
            QCOMPARE(studio->draft()->ruleCount(), 5);

            // From an empty draft, the default policy's five rules, through the widgets.
            studio->newEmptyDraft();
            QCOMPARE(studio->draft()->ruleCount(), 0);
            PolicyDraft &draft = *studio->draft();
            QUndoStack &undo = *draft.undoStack();
            std::map<int, QString> recorded{{0, draft.canonicalText()}};
            QObject recorder; // goes before `recorded`, and the connection with it, however the test ends
            connect(&undo, &QUndoStack::indexChanged, &recorder,
                    [&](int index) { recorded[index] = draft.canonicalText(); });
            RuleInspector *inspector = studio->inspector();
            auto *tree = child<QTreeWidget>(inspector, "conditionTree");
            auto *field = child<QComboBox>(inspector, "conditionField");
            auto *op = child<QComboBox>(inspector, "conditionOp");
            auto *thenKind = child<QComboBox>(inspector, "thenKind");
            auto *thenValue = child<QComboBox>(inspector, "thenValue");
            auto *number = child<QDoubleSpinBox>(inspector, "conditionNumber");
            auto *list = child<QLineEdit>(inspector, "conditionList");
            auto *pattern = child<QLineEdit>(inspector, "conditionPattern");
            auto *id = child<QLineEdit>(inspector, "ruleId");
            auto *addRule = child<QPushButton>(studio, "addRule");
            auto *addCondition = child<QPushButton>(inspector, "addCondition");

            // 1. no-secrets: prompt matches … → block
            QTest::mouseClick(addRule, Qt::LeftButton);
            QCOMPARE(draft.ruleCount(), 1);
            retype(id, "no-secrets");
            retype(child<QLineEdit>(inspector, "ruleDescription"), "Never send private keys to any provider.");
            selectNode(tree, "");
            choose(field, "prompt");
            choose(op, "matches");
            retype(pattern, "(?i)BEGIN (RSA |EC |OPENSSH )?PRIVATE KEY");
            choose(thenKind, "block");
            retypeCombo(thenValue, "credentials in prompt");
            // 2. legal-frontier: team in [legal] → frontier
            QTest::mouseClick(addRule, Qt::LeftButton);
            QCOMPARE(studio->selectedRule(), 1);
            retype(id, "legal-frontier");
            selectNode(tree, "");
            choose(field, "team");
            choose(op, "in");
            retype(list, "legal");
            choose(thenKind, "tier");
            retypeCombo(thenValue, "frontier");
            // 3. pin-4o: requested_model eq gpt-4o → model openai/gpt-4o
            QTest::mouseClick(addRule, Qt::LeftButton);
            retype(id, "pin-4o");
            selectNode(tree, "");
            choose(field, "requested_model");
            choose(op, "eq");
            retypeCombo(child<QComboBox>(inspector, "conditionText"), "gpt-4o");
            choose(thenKind, "model");
            retypeCombo(thenValue, "openai/gpt-4o");
            // 4. hard-to-frontier: any[complexity ≥ 0.7, all[task in [reasoning, math], input > 6000]] → frontier
            QTest::mouseClick(addRule, Qt::LeftButton);
            retype(id, "hard-to-frontier");
            selectNode(tree, "");
            choose(op, "gte");
            number->setValue(0.7);
            QTest::mouseClick(child<QPushButton>(inspector, "addGroup"), Qt::LeftButton); // all[c, any[leaf]]
            selectNode(tree, "");
            choose(child<QComboBox>(inspector, "groupKind"), "any"); // any[c, any[leaf]]
            selectNode(tree, "/any/1");
            choose(child<QComboBox>(inspector, "groupKind"), "all"); // any[c, all[leaf]]
            selectNode(tree, "/any/1/all/0");
            choose(field, "task");
            choose(op, "in");
            retype(list, "reasoning, math");
            QTest::mouseClick(addCondition, Qt::LeftButton); // a sibling in the all-of group
            QCOMPARE(inspector->selectedNode(), QStringLiteral("/any/1/all/1"));
            choose(field, "input_tokens");
            choose(op, "gt");
            number->setValue(6000);
            choose(thenKind, "tier");
            retypeCombo(thenValue, "frontier");
            // 5. easy-to-light: all[complexity < 0.35, input ≤ 4000, has_tools = false] → light
            QTest::mouseClick(addRule, Qt::LeftButton);
            retype(id, "easy-to-light");
            selectNode(tree, "");
            QTest::mouseClick(addCondition, Qt::LeftButton); // all[c < 0.35, new]
            choose(field, "input_tokens");
            choose(op, "lte");
            number->setValue(4000);
            QTest::mouseClick(addCondition, Qt::LeftButton);
            choose(field, "has_tools");
            choose(op, "eq");
            child<QCheckBox>(inspector, "conditionBool")->setChecked(false);
            QCOMPARE(thenValue->currentText(), QStringLiteral("light"));

            QVERIFY2(draft.isValid(), qPrintable(draft.canonicalText()));
            QCOMPARE(draft.canonicalText().toStdString(), canonical(defaultPolicy().dump()));
            QCOMPARE(studio->rules()->index(1).data(RuleListModel::ConditionTextRole).toString(),
                     QStringLiteral("team is legal"));
            const int built = undo.index();
            QVERIFY(built > 20);
            QVERIFY(!undo.text(built - 1).isEmpty());

            // Reorder by a drop: easy-to-light before no-secrets.
            QListView *cards = studio->rulesView();
            std::unique_ptr<QMimeData> mime(studio->rules()->mimeData({studio->rules()->index(4)}));
            const QRect first = cards->visualRect(studio->rules()->index(0));
            const QPointF at(first.left() + 20, first.top() + 2);
            // As a drag over the list delivers it: enter, move, then the drop.
            QDragEnterEvent enter(at.toPoint(), Qt::MoveAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
            QApplication::sendEvent(cards->viewport(), &enter);
            QDragMoveEvent move(at.toPoint(), Qt::MoveAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
            QApplication::sendEvent(cards->viewport(), &move);
            QDropEvent drop(at, Qt::MoveAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
            drop.setDropAction(Qt::MoveAction);
            drop.ignore();
            QApplication::sendEvent(cards->viewport(), &drop);
            QVERIFY(drop.isAccepted());
            QCOMPARE(draft.ruleId(0), QStringLiteral("easy-to-light"));
            QCOMPARE(draft.ruleId(1), QStringLiteral("no-secrets"));
            QCOMPARE(undo.text(undo.index() - 1), QStringLiteral("Move rule easy-to-light to position 1"));

            // Disable pin-4o from the keyboard.
            studio->selectRule(3);
            QCOMPARE(draft.ruleId(3), QStringLiteral("pin-4o"));
            cards->setFocus();
            QTest::keyClick(cards, Qt::Key_Space);
            QVERIFY(draft.rule(3).contains("enabled") && draft.rule(3)["enabled"] == false);
            QCOMPARE(undo.text(undo.index() - 1), QStringLiteral("Disable rule pin-4o"));
            const QString disabled = draft.canonicalText();

            // Undo all the way, redo all the way, and back again: every step as recorded.
            const int last = undo.index();
            for (int pass = 0; pass < 2; ++pass) {
                for (int i = last; i >= 0; --i) {
                    undo.setIndex(i);
                    QCOMPARE(draft.canonicalText(), recorded.at(i));
                }
                QCOMPARE(draft.ruleCount(), 0);
                for (int i = 0; i <= last; ++i) {
                    undo.setIndex(i);
                    QCOMPARE(draft.canonicalText(), recorded.at(i));
                }
            }
            QCOMPARE(draft.canonicalText(), disabled);

            // A bad regex: shown as you type with RE2's words, listed at its path, and publishing refused.
            studio->selectRule(1);
            selectNode(tree, "");
            retype(pattern, "(?i)BEGIN (RSA |EC |OPENSSH ?PRIVATE KEY");
            QVERIFY2(child<QLabel>(inspector, "regexStatus")->text().contains("missing )"),
                     qPrintable(child<QLabel>(inspector, "regexStatus")->text()));
            QVERIFY(!draft.isValid());
            PolicyProblemsModel *problems = studio->problems();
            QCOMPARE(problems->errorCount(), 1);
            QCOMPARE(problems->index(0, 0).data(PolicyProblemsModel::PathRole).toString(),
                     QStringLiteral("/rules/1/when/prompt/matches"));
            QVERIFY2(problems->index(0, PolicyProblemsModel::Where).data().toString().contains("no-secrets"),
                     qPrintable(problems->index(0, PolicyProblemsModel::Where).data().toString()));
            QString why;
            QVERIFY(!studio->publish("try anyway", &why));
            QVERIFY2(why.contains("error"), qPrintable(why));
            // Clicking the problem selects the card and the field.
            studio->selectRule(4);
            QTableView *problemsView = studio->problemsView();
            QTest::mouseClick(problemsView->viewport(), Qt::LeftButton, {},
                              problemsView->visualRect(problems->index(0, 1)).center());
            QCOMPARE(studio->selectedRule(), 1);
            QCOMPARE(inspector->rule(), 1);
            QVERIFY(pattern->isVisible());
            QCOMPARE(QApplication::focusWidget(), pattern);
            // Fixed.
            retype(pattern, "(?i)BEGIN (RSA |EC |OPENSSH )?PRIVATE KEY");
            QVERIFY(draft.isValid());
            QCOMPARE(draft.canonicalText(), disabled);

            // Published as version 2.
            QSignalSpy published(studio, &PolicyStudioPage::published);
            QVERIFY(!studio->publish("   ", &why));
            QVERIFY(why.contains("note"));
            QVERIFY(studio->publish("Rules rebuilt in the studio; pin-4o off", &why));
            QVERIFY(published.wait(10000));
            QCOMPARE(published.takeFirst().at(0).toLongLong(), 2);
            const rl::PolicyVersionRecord *two = studio->versions()->find(2);
            QVERIFY(two);
            QCOMPARE(two->publishedBy, rl::currentOsUser());

            // Router b gets version 3 behind the app's back.
            {
                std::string etag;
                served(1, &etag);
                json other = defaultPolicy();
                other["version"] = 3;
                other["default_tier"] = "light";
                HttpTestClient direct(m_routers[1]->port());
                HttpReply reply =
                    direct.request("PUT", "/admin/policy", other.dump(),
                                   {{"Authorization", std::string("Bearer ") + kToken}, {"If-Match", etag}});
                QCOMPARE(reply.status, 200);
            }

            // Push: a applied, b stale (412: it changed since the app installed v1 there), with the diff.
            QSignalSpy pushed(studio, &PolicyStudioPage::pushFinished);
            studio->push();
            QVERIFY(pushed.wait(15000));
            const rl::PushResult *a = studio->pushResults()->result("router-a");
            const rl::PushResult *b = studio->pushResults()->result("router-b");
            QVERIFY(a && b);
            QVERIFY2(a->outcome == rl::PushOutcome::Applied, a->summary.c_str());
            QVERIFY2(b->outcome == rl::PushOutcome::Stale, b->summary.c_str());
            QVERIFY2(b->summary.find("since it was installed from here") != std::string::npos, b->summary.c_str());
            QCOMPARE(b->routerVersion.value_or(0), 3);
            bool defaultTierLine = false;
            for (const std::string &line : b->details)
                defaultTierLine = defaultTierLine || line.find("default tier") != std::string::npos;
            QVERIFY2(defaultTierLine, "the diff names the default tier that differs");
            QCOMPARE(served(0)["version"].get<int>(), 2);
            QCOMPARE(served(1)["version"].get<int>(), 3);
            QCOMPARE(studio->pushResults()->failedRouters(), QStringList{"router-b"});

            // Overwrite knowingly: published again above the router's version, and pushed over it.
            studio->overwrite("router-b");
            QVERIFY(pushed.wait(15000));
            QCOMPARE(studio->versions()->find(4) != nullptr, true);
            b = studio->pushResults()->result("router-b");
            QVERIFY2(b->outcome == rl::PushOutcome::Applied, b->summary.c_str());
            QCOMPARE(served(1)["version"].get<int>(), 4);

            // Roll back to version 1: a new version 5 with v1's rules, pushed to both.
            studio->rollbackTo(1, "pin-4o is needed after all");
            auto latestVersion = [studio] {
                const rl::PolicyVersionRecord *latest = studio->versions()->latest();
                return latest ? latest->version : std::int64_t(0);
            };
            QTRY_COMPARE_WITH_TIMEOUT(latestVersion(), std::int64_t(5), 10000);
            const rl::PolicyVersionRecord *rolledBack = studio->versions()->find(5);
            QVERIFY(rolledBack);
            QCOMPARE(rolledBack->rollbackOf.value_or(0), std::int64_t(1));
            studio->push();
            QVERIFY(pushed.wait(15000));
            for (int i = 0; i < 2; ++i) {
                json now = served(i);
                QCOMPARE(now["version"].get<int>(), 5);
                now["version"] = 1;
                QCOMPARE(canonical(now.dump()), canonical(defaultPolicy().dump()));
            }
            // The routers' state reached the Push tab: both run the published version.
            QTRY_VERIFY_WITH_TIMEOUT(studio->routerStates().value("router-a").contains("v5, the published"), 10000);

            // The draft run in shadow on both routers from the Simulate tab (issue 14): installed as their shadow
            // policy, the live one untouched; then ended.
            SimulationPanel *simulation = studio->simulationPanel();
            studio->draft()->setDefaultTier(QStringLiteral("light"));
            emit simulation->runInShadowRequested();
            QTRY_VERIFY_WITH_TIMEOUT(simulation->findChild<QLabel *>(QStringLiteral("shadowStatus"))
                                             ->text()
                                             .count(QStringLiteral("read back identical"))
                                         == 2,
                                     15000);
            for (int i = 0; i < 2; ++i) {
                HttpTestClient client(m_routers[i]->port());
                const HttpReply shadow =
                    client.get("/admin/policy?shadow", {{"Authorization", std::string("Bearer ") + kToken}});
                QCOMPARE(shadow.status, 200);
                QCOMPARE(json::parse(shadow.body)["default_tier"].get<std::string>(), std::string("light"));
                QCOMPARE(served(i)["version"].get<int>(), 5);
            }
            emit simulation->endShadowRequested();
            QTRY_VERIFY_WITH_TIMEOUT(simulation->findChild<QLabel *>(QStringLiteral("shadowStatus"))
                                             ->text()
                                             .count(QStringLiteral("shadow mode ended"))
                                         == 2,
                                     15000);

            // The history's diff reads as a person would write it.
            studio->history()->compare("v2", "v5");
            const QStringList lines = studio->history()->diffLines();
            QVERIFY2(lines.join('\n').contains("pin-4o"), qPrintable(lines.join('\n')));
        }

        // The audit log: the publishes, the pushes per router with their results, the rollback; the chain holds.
        auto store = rl::UsageStore::open(path.toStdString());
        QVERIFY(store.ok());
        auto entries = store->auditEntries(rl::AuditFilter{"policy.", "", "", {}, {}});
        QVERIFY(entries.ok());
        std::map<std::string, int> actions;
        for (const rl::AuditEntry &entry : entries.value())
            ++actions[entry.action];
        QCOMPARE(actions["policy.publish"], 3);  // v1 (seeded), v2, v4 (the overwrite); the rollback (v5) …
        QCOMPARE(actions["policy.rollback"], 1); // … which is its own action
        QVERIFY(actions["policy.push"] >= 2 + 2 + 1 + 2);
        QCOMPARE(actions["policy.shadow"], 2);
        QCOMPARE(actions["policy.shadow_end"], 2);
        auto verified = store->verifyAudit();
        QVERIFY(verified.ok());
        QVERIFY2(verified->ok, verified->problem.c_str());
    }

    void aGatewayServingSomethingElseReadsBackDifferent()
    {
        QVERIFY(fixture::control(m_fixture, "/control/reset", json::object()));
        json v1 = defaultPolicy();
        json v2 = defaultPolicy();
        v2["version"] = 2;
        json dropped = v2;
        dropped.erase("fallback");
        const json scripts = {
            {"/admin/policy",
             {{{"status", 200}, {"headers", {{"etag", "\"fx-1\""}}}, {"body", v1}},
              {{"status", 200}, {"headers", {{"etag", "\"fx-2\""}}}, {"body", {{"installed", true}, {"version", 2}}}},
              {{"status", 200}, {"headers", {{"etag", "\"fx-2\""}}}, {"body", dropped}}}}};
        QVERIFY(fixture::control(m_fixture, "/control/script", scripts));
        const QString path = storePath("gateway");
        seedStore(path, {{"gateway", m_fixture.url().toStdString()}}, false);
        DashboardApp app(path, Theme::Mode::Dark, rl::fixedClock(kNowMs));
        PolicyStudioPage *studio = app.window().studioPage();
        QTRY_VERIFY_WITH_TIMEOUT(studio->versions()->rowCount() == 1 && studio->routerNames().size() == 1, 10000);
        // Publish v2 (the same rules; the note says why) and push it.
        QSignalSpy published(studio, &PolicyStudioPage::published);
        QVERIFY(studio->publish("republish for the gateway"));
        QVERIFY(published.wait(10000));
        QSignalSpy pushed(studio, &PolicyStudioPage::pushFinished);
        studio->push({"gateway"});
        QVERIFY(pushed.wait(15000));
        const rl::PushResult *r = studio->pushResults()->result("gateway");
        QVERIFY(r);
        QVERIFY2(r->outcome == rl::PushOutcome::ReadbackDiffers, r->summary.c_str());
        QCOMPARE(studio->pushResults()->index(0, PushResultsModel::Outcome).data().toString(),
                 QStringLiteral("Readback differs"));
        bool fallback = false;
        for (const std::string &line : r->details)
            fallback = fallback || line.find("fallback") != std::string::npos;
        QVERIFY2(fallback, "the readback's missing fallback settings are named");
    }

    void tryItLightsThePathAndComparesWithARouter()
    {
        const QString path = storePath("try");
        seedStore(path, {{"router-a", url(0)}}, false);
        DashboardApp app(path, Theme::Mode::Light, rl::fixedClock(kNowMs));
        PolicyStudioPage *studio = app.window().studioPage();
        QTRY_VERIFY_WITH_TIMEOUT(studio->versions()->rowCount() == 1 && studio->draft()->ruleCount() > 0, 10000);
        TryRequestPage *panel = studio->tryPanel();
        panel->setTeam("legal");
        panel->setPrompt("Summarise this contract clause for me.");
        panel->decideNow();
        QVERIFY(panel->decision());
        QCOMPARE(std::string(panel->decision()->ruleId()), std::string("legal-frontier"));
        const int legal = 1;
        QVERIFY(studio->rules()->index(legal).data(RuleListModel::HighlightRole).toBool());
        QVERIFY(!studio->rules()->index(0).data(RuleListModel::HighlightRole).toBool());

        // Router a runs v2 of the first test (or v5): ask it the same and show both decisions.
        QSignalSpy compared(studio, &PolicyStudioPage::compared);
        studio->compareWithRouter("router-a");
        QVERIFY(compared.wait(10000));
        DecisionComparisonModel *comparison = studio->comparison();
        QVERIFY2(comparison->routerError().isEmpty(), qPrintable(comparison->routerError()));
        QCOMPARE(comparison->index(0, DecisionComparisonModel::Router).data().toString(), QStringLiteral("frontier"));
        QCOMPARE(comparison->differenceCount(), 0);
        // The draft changes (legal-frontier off): the draft now says mid, the router still frontier.
        studio->draft()->setRuleEnabled(legal, false);
        panel->decideNow();
        studio->compareWithRouter("router-a");
        QVERIFY(compared.wait(10000));
        QVERIFY(comparison->differenceCount() >= 2); // tier, model, rule
        QVERIFY(comparison->index(0, 0).data(DecisionComparisonModel::DifferentRole).toBool());
    }

    void draftsAreSavedReopenedAndDeletedAndVersionsExport()
    {
        const QString path = storePath("drafts");
        seedStore(path, {}, false);
        DashboardApp app(path, Theme::Mode::Light, rl::fixedClock(kNowMs));
        PolicyStudioPage *studio = app.window().studioPage();
        QTRY_VERIFY_WITH_TIMEOUT(studio->versions()->rowCount() == 1 && studio->draft()->ruleCount() == 5, 10000);
        // Two drafts at once, one of them invalid (saved as typed).
        QSignalSpy saved(studio, &PolicyStudioPage::draftSaved);
        studio->draft()->removeRule(2);
        studio->saveDraft("fewer-rules");
        QVERIFY(saved.wait(10000));
        const QString fewer = studio->draft()->canonicalText();
        studio->draft()->setRuleField(0, "when", nlohmann::ordered_json{{"prompt", {{"matches", "(unclosed"}}}}, "bad");
        QVERIFY(!studio->draft()->isValid());
        studio->saveDraft("broken");
        QVERIFY(saved.wait(10000));
        studio->newEmptyDraft();
        studio->openDraft("fewer-rules");
        QCOMPARE(studio->draft()->draftName(), QStringLiteral("fewer-rules"));
        QCOMPARE(studio->draft()->canonicalText(), fewer);
        QCOMPARE(studio->draft()->baseVersion().value_or(0), 1);
        studio->openDraft("broken");
        QVERIFY(!studio->draft()->isValid());
        QVERIFY(studio->problems()->errorCount() >= 1);
        studio->deleteDraft("broken");
        QTRY_VERIFY_WITH_TIMEOUT(studio->draft()->draftName().isEmpty(), 10000);
        {
            // The app holds the writer; a read-only connection sees what it committed.
            sqlite3 *db = nullptr;
            QCOMPARE(sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
            sqlite3_stmt *names = nullptr;
            QCOMPARE(sqlite3_prepare_v2(db, "SELECT name FROM policy_drafts ORDER BY name", -1, &names, nullptr),
                     SQLITE_OK);
            std::vector<std::string> stored;
            while (sqlite3_step(names) == SQLITE_ROW)
                stored.emplace_back(reinterpret_cast<const char *>(sqlite3_column_text(names, 0)));
            sqlite3_finalize(names);
            sqlite3_close(db);
            QCOMPARE(stored, std::vector<std::string>{"fewer-rules"});
        }

        // Export the published version: the files are written, what the format cannot express is listed.
        QString message;
        const QString portkey = m_dir.path() + "/portkey.json";
        QVERIFY2(studio->exportVersion(0, "portkey", portkey, &message), qPrintable(message));
        QVERIFY2(message.contains("complexity"), qPrintable(message)); // easy-to-light cannot be a Portkey condition
        const json exported = json::parse(rl::readTextFile(portkey.toStdString(), 1 << 20).value());
        QCOMPARE(exported["strategy"]["mode"], json("conditional"));
        const QString litellm = m_dir.path() + "/litellm.yaml";
        QVERIFY2(studio->exportVersion(1, "litellm", litellm, &message), qPrintable(message));
        QVERIFY(rl::readTextFile(litellm.toStdString(), 1 << 20).value().find("model_list") != std::string::npos);
        QVERIFY(!studio->exportVersion(1, "portkey", m_dir.path() + "/no/such/folder/x.json", &message));
        QVERIFY2(message.contains("Not exported"), qPrintable(message));
        QVERIFY(!QFileInfo::exists(m_dir.path() + "/no/such/folder/x.json"));
    }

    void theAuditPageFindsATamperedEntry()
    {
        const QString path = storePath("studio"); // the log the first test wrote
        {
            sqlite3 *db = nullptr;
            QCOMPARE(sqlite3_open(path.toUtf8().constData(), &db), SQLITE_OK);
            // As an attacker with the file would: drop the guard, rewrite an old entry's note.
            char *error = nullptr;
            sqlite3_exec(db, "SELECT name FROM sqlite_master WHERE type = 'trigger'", nullptr, nullptr, nullptr);
            sqlite3_stmt *triggers = nullptr;
            sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'",
                               -1, &triggers, nullptr);
            std::vector<std::string> names;
            while (sqlite3_step(triggers) == SQLITE_ROW)
                names.emplace_back(reinterpret_cast<const char *>(sqlite3_column_text(triggers, 0)));
            sqlite3_finalize(triggers);
            for (const std::string &name : names)
                QCOMPARE(sqlite3_exec(db, ("DROP TRIGGER " + name).c_str(), nullptr, nullptr, &error), SQLITE_OK);
            QCOMPARE(
                sqlite3_exec(db, "UPDATE audit_log SET actor = 'someone-else' WHERE seq = 3", nullptr, nullptr, &error),
                SQLITE_OK);
            sqlite3_close(db);
        }
        DashboardApp app(path, Theme::Mode::Light, rl::fixedClock(kNowMs));
        AuditLogPage *page = app.window().auditPage();
        app.window().showPage(int(app.window().pageNames().indexOf(QStringLiteral("Audit log"))));
        app.window().show();
        QAbstractItemModelTester tester(page->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy loaded(page, &AuditLogPage::loaded);
        page->reload();
        QVERIFY(loaded.wait(10000));
        QVERIFY(page->model()->rowCount() > 10);
        QSignalSpy verified(page, &AuditLogPage::verified);
        page->verify();
        QVERIFY(verified.wait(10000));
        QCOMPARE(verified.takeFirst().at(0).toBool(), false);
        QVERIFY2(page->verdict().contains("entry 3"), qPrintable(page->verdict()));
        const QModelIndex current = page->table()->currentIndex();
        QVERIFY(current.isValid());
        QCOMPARE(current.data(AuditLogModel::SeqRole).toLongLong(), 3);
        QVERIFY(current.data(AuditLogModel::BrokenRole).toBool());
    }

    void theCatalogPickerFiltersByNameAndPrice()
    {
        rl::Pricing pricing(rl::PriceCatalog::builtIn());
        ModelCatalogModel catalog;
        QAbstractItemModelTester tester(&catalog, QAbstractItemModelTester::FailureReportingMode::QtTest);
        catalog.setPricing(pricing, kNowMs);
        QVERIFY(catalog.rowCount() > 50);
        ModelCatalogFilter filter;
        QAbstractItemModelTester filterTester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
        filter.setSourceModel(&catalog);
        filter.setSearch("openai nano");
        QVERIFY(filter.rowCount() >= 1);
        for (int row = 0; row < filter.rowCount(); ++row)
            QVERIFY(filter.index(row, 0).data().toString().contains("nano"));
        filter.setSearch("openai");
        const int openai = filter.rowCount();
        filter.setMaxInputMicro(200'000); // $0.20 per million input tokens
        QVERIFY(filter.rowCount() > 0 && filter.rowCount() < openai);
        for (int row = 0; row < filter.rowCount(); ++row)
            QVERIFY(filter.index(row, ModelCatalogModel::InputPrice).data(ModelCatalogModel::SortRole).toLongLong()
                    <= 200'000);
    }
};

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    TestPolicyStudio test;
    return QTest::qExec(&test, argc, argv);
}
#include "tst_policystudio.moc"
