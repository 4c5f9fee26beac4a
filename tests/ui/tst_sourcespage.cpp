// The Sources page in the real window, against a local fixture server in OpenAI's documented formats and a
// real keychain (GNOME Keyring in its own D-Bus session, tests/support/with-keyring.sh): add a source,
// test its connection, save it (the secret goes to the keychain and nowhere else), watch it poll and the
// dashboard refresh, pause it, edit the identity mapping, restart the window and resume from the keychain;
// and, without a keychain service, the page refuses to save a secret.
#include "credentialstore.h"
#include "dashboardapp.h"
#include "fixtureclient.h"
#include "mainwindow.h"
#include "nodeserver.h"
#include "servicepages.h"
#include "sources/sourcedialog.h"
#include "sources/sourcesmodel.h"
#include "sources/sourcespage.h"
#include "sources/sourcesworker.h"

#include "net/httpclient.h"
#include "store/usagestore.h"

#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

using nlohmann::json;

namespace {

constexpr const char *kSecret = "sk-admin-UNIQUE-7f3a9c-secret";

// One hour of usage and one day of costs of the org, as the reference's examples have them
// (tests/support/servicepages.h).
json usagePage(std::int64_t startS)
{
    json result = fixture::openAiUsageResult("gpt-4o-mini", "proj_search", 5000, 0, 700, 12);
    result["api_key_id"] = "key_1";
    return fixture::openAiPage({fixture::openAiBucket(startS, 3600, {result})}, false, nullptr);
}

json costsPage(std::int64_t startS)
{
    return fixture::openAiPage(
        {fixture::openAiBucket(startS, 86400, {fixture::openAiCostResult(0.42, "gpt-4o-mini, input", "proj_search")})},
        false, nullptr);
}

std::int64_t scalar(const QString &path, const std::string &sql)
{
    auto db = rl::SqliteDatabase::open(path.toStdString());
    if (!db)
        return -1;
    auto query = db->prepare(sql);
    return query && query->step().valueOr(false) ? query->int64(0) : -1;
}

} // namespace

class TestSourcesPage : public QObject {
    Q_OBJECT

private:
    NodeServer m_server;
    bool m_noKeychain = qEnvironmentVariableIsSet("ROUTELEDGER_TEST_NO_KEYCHAIN");

    // Checked against the documented page shapes (fixtureclient.h).
    void script(const json &scripts) { QVERIFY(fixture::script(m_server, scripts)); }
    json requests() { return fixture::requests(m_server); }
    void scriptHealthyOrg()
    {
        const std::int64_t hour = QDateTime::currentSecsSinceEpoch() / 3600 * 3600 - 3 * 3600;
        const std::int64_t day = QDateTime::currentSecsSinceEpoch() / 86400 * 86400 - 86400;
        script({{"/v1/organization/usage/completions", {{{"body", usagePage(hour)}}}},
                {"/v1/organization/costs", {{{"body", costsPage(day)}}}}});
    }
    static SourcesModel *model(MainWindow &window) { return window.sourcesPage()->model(); }
    static const SourceView *row(MainWindow &window, const char *name)
    {
        return model(window)->sourceAt(model(window)->rowOf(QString::fromLatin1(name)));
    }
    void fillDialog(SourceDialog *dialog, const QString &name, const QString &secret)
    {
        dialog->typeBox()->setCurrentIndex(dialog->typeBox()->findData(QStringLiteral("openai")));
        dialog->nameEdit()->setText(name);
        dialog->urlEdit()->setText(m_server.url(QStringLiteral("/v1")));
        dialog->secretEdit()->setText(secret);
        dialog->intervalBox()->setValue(3600);
    }

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_server.start(QString(ROUTELEDGER_TEST_DATA) + "/sources/fixture-server.js", &error),
                 qPrintable(error));
    }
    void init() { QVERIFY(fixture::reset(m_server)); }

    void credentialsLiveInTheKeychain()
    {
        if (m_noKeychain)
            QSKIP("run without a keychain service");
        CredentialStore credentials(QStringLiteral("RouteLedger-test"));
        QVERIFY(credentials.writeAndWait(QStringLiteral("org"), QString::fromLatin1(kSecret)).ok);
        const CredentialStore::Outcome read = credentials.readAndWait(QStringLiteral("org"));
        QVERIFY2(read.ok, qPrintable(read.error));
        QCOMPARE(read.secret, QString::fromLatin1(kSecret));
        QVERIFY(credentials.removeAndWait(QStringLiteral("org")).ok);
        const CredentialStore::Outcome gone = credentials.readAndWait(QStringLiteral("org"));
        QVERIFY(!gone.ok);
        QVERIFY(gone.missing);
        QVERIFY2(gone.error.contains(QStringLiteral("enter it again")), qPrintable(gone.error));
    }

    void addTestSavePollPauseAndRestart()
    {
        if (m_noKeychain)
            QSKIP("run without a keychain service");
        scriptHealthyOrg();
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s.db"));
        QVERIFY(rl::UsageStore::open(path.toStdString()).ok());
        {
            DashboardApp dashboard(path);
            MainWindow &window = dashboard.window();
            SourcesPage *page = window.sourcesPage();
            QSignalSpy shown(&window, &MainWindow::snapshotShown);
            QVERIFY(shown.wait(20000));

            // Test connection reads one page of each API and stores nothing.
            SourceDialog *dialog = page->openDialog();
            fillDialog(dialog, QStringLiteral("OpenAI prod"), QStringLiteral("sk-admin-wrong"));
            script({{"/v1/organization/usage/completions",
                     {{{"status", 401},
                       {"body", {{"error", {{"message", "Incorrect API key provided: sk-admin-wrong"}}}}}}}}});
            QTest::mouseClick(dialog->testButton(), Qt::LeftButton);
            QTRY_VERIFY_WITH_TIMEOUT(dialog->testButton()->isEnabled(), 20000);
            QVERIFY2(dialog->testLabel()->text().contains(QStringLiteral("Incorrect API key provided")),
                     qPrintable(dialog->testLabel()->text()));
            QVERIFY2(dialog->testLabel()->text().contains(QStringLiteral("admin key")),
                     qPrintable(dialog->testLabel()->text())); // says what to fix
            scriptHealthyOrg();
            dialog->secretEdit()->setText(QString::fromLatin1(kSecret));
            QTest::mouseClick(dialog->testButton(), Qt::LeftButton);
            QTRY_VERIFY_WITH_TIMEOUT(dialog->testButton()->isEnabled(), 20000);
            QVERIFY2(dialog->testLabel()->text().contains(QStringLiteral("✓ OpenAI prod: connected")),
                     qPrintable(dialog->testLabel()->text()));
            QVERIFY2(dialog->testLabel()->text().contains(QStringLiteral("✓ OpenAI prod (costs): connected")),
                     qPrintable(dialog->testLabel()->text()));
            QCOMPARE(scalar(path, "SELECT count(*) FROM usage_buckets"), std::int64_t(0));

            // Saved: the secret goes to the keychain, the settings to the store, and polling starts.
            const qsizetype refreshes = shown.count();
            page->saveDialog(dialog, QString());
            QTRY_VERIFY_WITH_TIMEOUT(row(window, "OpenAI prod") && row(window, "OpenAI prod")->status.lastSuccessMs > 0,
                                     20000);
            const SourceView *source = row(window, "OpenAI prod");
            QCOMPARE(source->status.recordsIngested, std::int64_t(2)); // one usage bucket, one cost line
            QVERIFY(source->notPolled.isEmpty());
            QCOMPARE(model(window)
                         ->data(model(window)->index(model(window)->rowOf(QStringLiteral("OpenAI prod")),
                                                     SourcesModel::StateColumn),
                                Qt::DisplayRole)
                         .toString(),
                     QStringLiteral("OK"));
            QCOMPARE(scalar(path, "SELECT sum(requests) FROM usage_buckets"), std::int64_t(12));
            QCOMPARE(scalar(path, "SELECT sum(amount_micro) FROM cost_lines"), std::int64_t(420'000));
            QTRY_VERIFY_WITH_TIMEOUT(shown.count() > refreshes, 5000); // the dashboard refreshed on its own
            CredentialStore credentials;
            QCOMPARE(credentials.readAndWait(QStringLiteral("OpenAI prod")).secret, QString::fromLatin1(kSecret));

            // To look at the page as a user sees it: ROUTELEDGER_SCREENSHOT_DIR=/tmp/shots.
            if (const QString shots = qEnvironmentVariable("ROUTELEDGER_SCREENSHOT_DIR"); !shots.isEmpty()) {
                window.resize(1440, 900);
                window.showPage(static_cast<int>(window.pageNames().indexOf(QStringLiteral("Sources"))));
                window.show();
                page->addMappingRow({rl::IdentityField::Tag, "project:search", "Search", "search-api"});
                QVERIFY(QTest::qWaitForWindowExposed(&window));
                QCoreApplication::processEvents(); // the new row laid out
                window.grab().save(shots + QStringLiteral("/sources-polled.png"));
                page->mappingsTable()->setRowCount(0);
            }

            // Pause, then the identity mapping.
            page->selectSource(QStringLiteral("OpenAI prod"));
            page->setPausedSelected(true);
            QTRY_COMPARE(row(window, "OpenAI prod")->status.state, rl::SourceStatus::State::Paused);
            QVERIFY(row(window, "OpenAI prod")->settings.paused);
            page->addMappingRow({rl::IdentityField::Project, "proj_search", "Search", ""});
            QSignalSpy mapped(page, &SourcesPage::mappingsShown);
            page->saveMappings();
            QVERIFY(mapped.wait(10000));
            QCOMPARE(page->mappingsTable()->rowCount(), 1);
            QCOMPARE(scalar(path, "SELECT count(*) FROM cost_lines c JOIN teams t ON t.id = c.team_id WHERE t.name = "
                                  "'Search'"),
                     std::int64_t(1));
        }
        // Nothing secret in the store file (or its WAL).
        for (const QString &file : {path, path + QStringLiteral("-wal")}) {
            QFile f(file);
            if (f.open(QIODevice::ReadOnly))
                QVERIFY2(!f.readAll().contains(kSecret), qPrintable(file));
        }

        // A new window reads the credential from the keychain; the source is still paused.
        DashboardApp reopened(path);
        MainWindow &again = reopened.window();
        QTRY_VERIFY_WITH_TIMEOUT(row(again, "OpenAI prod") && row(again, "OpenAI prod")->notPolled.isEmpty()
                                     && row(again, "OpenAI prod")->status.state == rl::SourceStatus::State::Paused,
                                 20000);
        QCOMPARE(again.sourcesPage()->mappingsTable()->rowCount(), 1);
        QCOMPARE(row(again, "OpenAI prod")->status.recordsIngested, std::int64_t(2)); // counted from the store
        QVERIFY(row(again, "OpenAI prod")->status.newestRecordMs > 0);
        again.sourcesPage()->selectSource(QStringLiteral("OpenAI prod"));
        again.sourcesPage()->setPausedSelected(false);
        QTRY_VERIFY_WITH_TIMEOUT(row(again, "OpenAI prod")->status.lastSuccessMs > 0, 20000);

        // Reading again from the start asks from the beginning and counts nothing twice.
        const std::int64_t polled = row(again, "OpenAI prod")->status.lastSuccessMs;
        again.sourcesPage()->readSelectedAgain();
        QTRY_VERIFY_WITH_TIMEOUT(row(again, "OpenAI prod")->status.lastSuccessMs > polled, 20000);
        const json sent = requests();
        const std::int64_t weekAgo = QDateTime::currentSecsSinceEpoch() - 6 * 86400;
        QVERIFY(std::stoll(sent.back()["query"]["start_time"].get<std::string>()) < weekAgo);
        QCOMPARE(scalar(path, "SELECT count(*) FROM usage_buckets"), std::int64_t(1));
        QCOMPARE(scalar(path, "SELECT count(*) FROM cost_lines"), std::int64_t(1));

        // Removing forgets the credential too.
        again.sourcesPage()->removeSelected();
        QTRY_COMPARE(again.sourcesPage()->model()->rowCount(), 0);
        CredentialStore credentials;
        QTRY_VERIFY(credentials.readAndWait(QStringLiteral("OpenAI prod")).missing);
        QCOMPARE(scalar(path, "SELECT sum(requests) FROM usage_buckets"), std::int64_t(12)); // its usage stays
    }

    void aMissingCredentialIsShownNotGuessed()
    {
        if (m_noKeychain)
            QSKIP("run without a keychain service");
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s.db"));
        {
            auto store = rl::UsageStore::open(path.toStdString());
            QVERIFY(store.ok());
            QVERIFY(store->saveSourceSettings(
                {"lost key", "openai", "https://api.openai.com/v1", 300, false, "{}", 0, true}));
        }
        DashboardApp dashboard(path);
        MainWindow &window = dashboard.window();
        QTRY_VERIFY_WITH_TIMEOUT(row(window, "lost key")
                                     && !row(window, "lost key")->notPolled.startsWith(QStringLiteral("Reading")),
                                 20000);
        QVERIFY2(row(window, "lost key")->notPolled.contains(QStringLiteral("holds no credential")),
                 qPrintable(row(window, "lost key")->notPolled));
        QCOMPARE(window.sourcesPage()
                     ->model()
                     ->data(window.sourcesPage()->model()->index(0, SourcesModel::StateColumn), Qt::DisplayRole)
                     .toString(),
                 QStringLiteral("Not polled"));
    }

    // A source added with `routeledger sources add --key-env VAR` is polled with that variable's value, with
    // or without a keychain service; its dialog names the variable instead of asking for a key.
    void aKeyFromAnEnvironmentVariable()
    {
        scriptHealthyOrg();
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s.db"));
        const std::string url = m_server.url(QStringLiteral("/v1")).toStdString();
        {
            auto store = rl::UsageStore::open(path.toStdString());
            QVERIFY(store.ok());
            QVERIFY(store->saveSourceSettings(
                {"env org", "openai", url, 3600, false, "{\"key_env\":\"RL_TEST_ENV_KEY\"}", 0, true}));
            QVERIFY(store->saveSourceSettings(
                {"unset org", "openai", url, 3600, false, "{\"key_env\":\"RL_TEST_UNSET_KEY\"}", 0, true}));
        }
        qputenv("RL_TEST_ENV_KEY", kSecret);
        qunsetenv("RL_TEST_UNSET_KEY");
        DashboardApp dashboard(path);
        MainWindow &window = dashboard.window();
        QTRY_VERIFY_WITH_TIMEOUT(row(window, "env org") && row(window, "env org")->status.lastSuccessMs > 0, 20000);
        QVERIFY(row(window, "env org")->notPolled.isEmpty());
        bool sentTheKey = false;
        for (const json &request : requests())
            sentTheKey =
                sentTheKey || request["headers"].value("authorization", "") == std::string("Bearer ") + kSecret;
        QVERIFY(sentTheKey);
        QTRY_VERIFY_WITH_TIMEOUT(
            row(window, "unset org")
                && row(window, "unset org")
                       ->notPolled.contains(QStringLiteral("the environment variable RL_TEST_UNSET_KEY is not set")),
            20000);

        SourceDialog *dialog = window.sourcesPage()->openDialog(QStringLiteral("env org"));
        QVERIFY(dialog->secretEdit()->isHidden());
        QVERIFY(!dialog->keyEnvLabel()->isHidden());
        QCOMPARE(dialog->keyEnvLabel()->text(), QStringLiteral("Key from environment variable RL_TEST_ENV_KEY"));
        // Saved from the dialog, it keeps reading the variable; nothing goes to the keychain.
        dialog->intervalBox()->setValue(7200);
        window.sourcesPage()->saveDialog(dialog, QStringLiteral("env org"));
        dialog->deleteLater();
        QTRY_COMPARE_WITH_TIMEOUT(scalar(path, "SELECT interval_s FROM source_settings WHERE name = 'env org'"),
                                  std::int64_t(7200), 20000);
        QCOMPARE(scalar(path, "SELECT count(*) FROM source_settings WHERE name = 'env org' AND options = "
                              "'{\"key_env\":\"RL_TEST_ENV_KEY\"}'"),
                 std::int64_t(1));
        QTRY_VERIFY2(window.sourcesPage()->messageLabel()->text().contains(QStringLiteral("Saved \"env org\"")),
                     qPrintable(window.sourcesPage()->messageLabel()->text()));
        if (!m_noKeychain)
            QVERIFY(CredentialStore().readAndWait(QStringLiteral("env org")).missing);
        qunsetenv("RL_TEST_ENV_KEY");
    }

    void refusesToStoreWithoutAKeychainService()
    {
        if (!m_noKeychain)
            QSKIP("run with a keychain service (the no-keychain run covers this)");
        CredentialStore credentials(QStringLiteral("RouteLedger-test"));
        const CredentialStore::Outcome written =
            credentials.writeAndWait(QStringLiteral("org"), QString::fromLatin1(kSecret));
        QVERIFY(!written.ok);
        QVERIFY2(written.error.contains(QStringLiteral("never writes secrets in plain text")),
                 qPrintable(written.error));

        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s.db"));
        QVERIFY(rl::UsageStore::open(path.toStdString()).ok());
        DashboardApp dashboard(path);
        MainWindow &window = dashboard.window();
        SourceDialog *dialog = window.sourcesPage()->openDialog();
        fillDialog(dialog, QStringLiteral("OpenAI prod"), QString::fromLatin1(kSecret));
        window.sourcesPage()->saveDialog(dialog, QString());
        QTRY_VERIFY_WITH_TIMEOUT(!window.sourcesPage()->messageLabel()->isHidden(), 20000);
        QVERIFY2(window.sourcesPage()->messageLabel()->text().contains(QStringLiteral("was not saved")),
                 qPrintable(window.sourcesPage()->messageLabel()->text()));
        // Whatever the page may have asked of the sources worker before it refused has run by now (the
        // worker writes through the store service, synchronously): a round trip through its thread.
        QVERIFY(QMetaObject::invokeMethod(
            dashboard.context().sources, [] {}, Qt::BlockingQueuedConnection));
        QCOMPARE(scalar(path, "SELECT count(*) FROM source_settings"), std::int64_t(0));
        QCOMPARE(window.sourcesPage()->model()->rowCount(), 0);
    }
};

QTEST_MAIN(TestSourcesPage)
#include "tst_sourcespage.moc"
