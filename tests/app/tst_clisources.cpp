// `routeledger sources` and `routeledger poll --once`: the real executable on a real store file, polling
// a real routeledger-router on loopback (in front of tests/router/fake-upstream.js). Settings round trip,
// refusals that store nothing, keys from environment variables and from the keychain the app writes,
// cursors resumed, a failing source beside a good one. Run once without a keychain service and once
// (keyFromTheKeychain only) inside tests/support/with-keyring.sh.
#include "clirun.h"
#include "credentialstore.h"
#include "httptestclient.h"
#include "routerprocess.h"

#include "store/sqlitedatabase.h"
#include "store/usagestore.h"

#include <QFile>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

#include <set>

using nlohmann::json;

namespace {

constexpr const char *kAdminToken = "cli-admin-token-5c1e9a";

// Read-only, so the test never writes to the store the command under test owns.
std::int64_t scalar(const QString &store, const std::string &sql)
{
    auto db = rl::SqliteDatabase::open(store.toStdString(), rl::SqliteDatabase::Mode::ReadOnly);
    if (!db)
        return -1;
    auto query = db->prepare(sql);
    return query && query->step().valueOr(false) ? query->int64(0) : -1;
}

std::int64_t eventsOf(const QString &store, const std::string &source)
{
    return scalar(store, "SELECT count(*) FROM usage_events e JOIN sources s ON s.id = e.source_id WHERE s.name = '"
                             + source + "'");
}

std::vector<json> jsonLines(const QString &out)
{
    std::vector<json> lines;
    for (const QString &line : out.split(QLatin1Char('\n'), Qt::SkipEmptyParts))
        lines.push_back(json::parse(line.toStdString(), nullptr, false));
    return lines;
}

const json *lineFor(const std::vector<json> &lines, const std::string &source)
{
    for (const json &line : lines)
        if (line.is_object() && line.value("source", std::string()) == source)
            return &line;
    return nullptr;
}

std::set<std::string> keysOf(const json &object)
{
    std::set<std::string> keys;
    for (auto it = object.begin(); it != object.end(); ++it)
        keys.insert(it.key());
    return keys;
}

} // namespace

class TestCliSources : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    FakeUpstream m_upstream;
    std::unique_ptr<RouterProcess> m_router;
    const bool m_keyring = qEnvironmentVariableIsSet("ROUTELEDGER_TEST_KEYRING");

    // The environment of every command: the app's data folder inside the test's folder (the user's own
    // store is never touched) and, in the run without a keychain, a D-Bus address that leads nowhere.
    QProcessEnvironment environment(const QStringList &extra = {}) const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("XDG_DATA_HOME"), m_dir.filePath(QStringLiteral("data")));
        if (!m_keyring)
            env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), QStringLiteral("unix:path=/nonexistent/bus"));
        for (const QString &entry : extra)
            env.insert(entry.section(QLatin1Char('='), 0, 0), entry.section(QLatin1Char('='), 1));
        return env;
    }
    CliRun run(const QStringList &args, const QStringList &extraEnvironment = {}) const
    {
        return runCli(args, environment(extraEnvironment));
    }
    QString routerUrl() const { return QStringLiteral("http://127.0.0.1:") + QString::number(m_router->port()); }
    QString newStore(const QString &name) const { return m_dir.filePath(name); }

    // A router source whose key is read from `variable`.
    CliRun addRouter(const QString &store, const QString &name, const QString &variable, bool create = false) const
    {
        QStringList args{QStringLiteral("sources"), QStringLiteral("add"),
                         QStringLiteral("--name"),  name,
                         QStringLiteral("--kind"),  QStringLiteral("router"),
                         QStringLiteral("--url"),   routerUrl(),
                         QStringLiteral("--store"), store};
        if (!variable.isEmpty())
            args << QStringLiteral("--key-env") << variable;
        if (create)
            args << QStringLiteral("--create");
        return run(args);
    }

    void chat(int requests)
    {
        HttpTestClient client(m_router->port());
        const std::string body = R"({"model":"auto","messages":[{"role":"user","content":"Say hi"}]})";
        for (int i = 0; i < requests; ++i)
            QCOMPARE(client.post("/v1/chat/completions", body).status, 200);
    }
    // Events in the router's ledger (its group commit is asynchronous, so tests wait for a count).
    int ledgerEvents()
    {
        HttpTestClient client(m_router->port());
        HttpReply reply =
            client.get("/admin/usage?after=0&limit=1000", {{"Authorization", std::string("Bearer ") + kAdminToken}});
        const json body = json::parse(reply.body, nullptr, false);
        return reply.status == 200 && body.is_object() ? static_cast<int>(body["events"].size()) : -1;
    }
    void chatAndWait(int requests)
    {
        const int before = ledgerEvents();
        chat(requests);
        QTRY_COMPARE_WITH_TIMEOUT(ledgerEvents(), before + requests, 10000);
    }

    // A policy file in the test's folder.
    bool writePolicy(const QString &name, const json &document) const
    {
        QFile file(m_dir.filePath(name));
        const QByteArray bytes = QByteArray::fromStdString(document.dump(2));
        return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(bytes) == bytes.size();
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(!QStandardPaths::findExecutable(QStringLiteral("node")).isEmpty(),
                 "node is needed for the fake upstream");
        QString error;
        QVERIFY2(m_upstream.start(&error), qPrintable(error));
        const QString folder = m_dir.filePath(QStringLiteral("router"));
        QVERIFY(QDir().mkpath(folder));
        m_router = std::make_unique<RouterProcess>(folder);
        const json policy = {{"schema", "routeledger.policy/v1"},
                             {"name", "cli"},
                             {"version", 1},
                             {"tiers", {{{"name", "mid"}, {"models", {"alpha/mid"}}}}},
                             {"default_tier", "mid"},
                             {"rules", json::array()}};
        QVERIFY(m_router->writeFile(QStringLiteral("policy.json"), QByteArray::fromStdString(policy.dump())));
        const json config = {{"listen", "127.0.0.1:0"},
                             {"admin_token_env", "RL_CLI_ADMIN_TOKEN"},
                             {"policy_file", "policy.json"},
                             {"ledger", "ledger.db"},
                             {"group_commit_ms", 10},
                             {"threads", 1},
                             {"providers",
                              {{{"name", "alpha"},
                                {"base_url", m_upstream.baseUrl(QStringLiteral("/a/v1")).toStdString()},
                                {"models", {"alpha/mid"}}}}}};
        QVERIFY2(m_router->start(config, &error, {QStringLiteral("RL_CLI_ADMIN_TOKEN=") + kAdminToken}),
                 qPrintable(error));
    }

    void cleanupTestCase()
    {
        if (m_router)
            m_router->kill();
        m_upstream.stop();
    }

    void addListRemoveRoundTrip()
    {
        const QString store = newStore(QStringLiteral("roundtrip.db"));
        // No store, no --create: refused, and nothing is created.
        CliRun r = addRouter(store, QStringLiteral("edge"), QStringLiteral("RL_EDGE_TOKEN"));
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QStringLiteral("There is no store at ") + store), qPrintable(r.err));
        QVERIFY(r.err.contains(QStringLiteral("--create")));
        QVERIFY(!QFile::exists(store));

        r = addRouter(store, QStringLiteral("edge"), QStringLiteral("RL_EDGE_TOKEN"), true);
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(QStringLiteral("created a new, empty store at ") + store), qPrintable(r.out));
        QVERIFY(r.out.contains(QStringLiteral("added source \"edge\" (router, ") + routerUrl()
                               + QStringLiteral(", polled every 300 s)")));
        QVERIFY(r.out.contains(QStringLiteral("environment variable RL_EDGE_TOKEN")));
        QVERIFY2(r.err.contains(QStringLiteral("RL_EDGE_TOKEN is not set here")), qPrintable(r.err));
        r = run({QStringLiteral("sources"), QStringLiteral("add"), QStringLiteral("--name"), QStringLiteral("org"),
                 QStringLiteral("--kind"), QStringLiteral("openai"), QStringLiteral("--url"),
                 QStringLiteral("https://api.openai.com/v1"), QStringLiteral("--interval"), QStringLiteral("600"),
                 QStringLiteral("--store"), store});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(QStringLiteral("keychain entry \"org\" (service RouteLedger)")), qPrintable(r.out));
        r = run({QStringLiteral("sources"), QStringLiteral("add"), QStringLiteral("--name"), QStringLiteral("proxy"),
                 QStringLiteral("--kind"), QStringLiteral("litellm"), QStringLiteral("--url"),
                 QStringLiteral("http://127.0.0.1:4000"), QStringLiteral("--key-env"), QStringLiteral("LITELLM_KEY"),
                 QStringLiteral("--store"), store});
        QCOMPARE(r.code, 0);
        // The variable's name is stored, never a key; LiteLLM keeps the dialog's default reading.
        QCOMPARE(scalar(store, "SELECT count(*) FROM source_settings WHERE name = 'edge' AND options = "
                               "'{\"key_env\":\"RL_EDGE_TOKEN\"}'"),
                 std::int64_t(1));
        QCOMPARE(scalar(store, "SELECT count(*) FROM source_settings WHERE name = 'proxy' AND options = "
                               "'{\"key_env\":\"LITELLM_KEY\",\"read\":\"spend_logs\"}'"),
                 std::int64_t(1));
        QCOMPARE(scalar(store, "SELECT count(*) FROM source_settings WHERE name = 'org' AND options = '{}'"),
                 std::int64_t(1));

        r = run({QStringLiteral("sources"), QStringLiteral("list"), QStringLiteral("--store"), store,
                 QStringLiteral("--json")});
        QCOMPARE(r.code, 0);
        const json listed = json::parse(r.out.toStdString(), nullptr, false);
        QVERIFY2(listed.is_array() && listed.size() == 3, qPrintable(r.out));
        const std::set<std::string> keys{"name",     "kind", "url",     "interval_s", "paused",
                                         "in_spend", "key",  "cursors", "records"};
        for (const json &source : listed)
            QCOMPARE(keysOf(source), keys);
        const json &edge = listed[0];
        QCOMPARE(edge["name"], json("edge"));
        QCOMPARE(edge["kind"], json("router"));
        QCOMPARE(edge["url"], json(routerUrl().toStdString()));
        QCOMPARE(edge["interval_s"], json(300));
        QCOMPARE(edge["paused"], json(false));
        QCOMPARE(edge["in_spend"], json(true));
        QCOMPARE(edge["key"], json("env:RL_EDGE_TOKEN"));
        QCOMPARE(edge["cursors"], json({{"edge", nullptr}}));
        QCOMPARE(edge["records"], json(0));
        const json &org = listed[1];
        QCOMPARE(org["key"], json("keychain"));
        QCOMPARE(org["interval_s"], json(600));
        QCOMPARE(org["cursors"], json({{"org", nullptr}, {"org (costs)", nullptr}}));

        r = run({QStringLiteral("sources"), QStringLiteral("list"), QStringLiteral("--store"), store});
        QCOMPARE(r.code, 0);
        const QStringList table = r.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(table.size(), 4);
        QVERIFY2(table[0].startsWith(QStringLiteral("NAME")) && table[0].contains(QStringLiteral("RECORDS")),
                 qPrintable(table[0]));
        QVERIFY2(
            table[1].contains(QRegularExpression(QStringLiteral("^edge +router +http://127\\.0\\.0\\.1:\\d+ +300 s "
                                                                "+no +yes +env:RL_EDGE_TOKEN +- +0$"))),
            qPrintable(table[1]));
        QVERIFY2(table[2].contains(QRegularExpression(QStringLiteral("^org +openai +.* keychain +-, costs: - +0$"))),
                 qPrintable(table[2]));

        // Removing keeps the rows (as the Sources page does); a name alone works too.
        r = run({QStringLiteral("sources"), QStringLiteral("remove"), QStringLiteral("--name"), QStringLiteral("edge"),
                 QStringLiteral("--store"), store});
        QCOMPARE(r.code, 0);
        QVERIFY2(
            r.out.contains(QStringLiteral("removed source \"edge\"; the 0 records it brought in stay in the store")),
            qPrintable(r.out));
        r = run({QStringLiteral("sources"), QStringLiteral("remove"), QStringLiteral("proxy"),
                 QStringLiteral("--store"), store});
        QCOMPARE(r.code, 0);
        r = run({QStringLiteral("sources"), QStringLiteral("remove"), QStringLiteral("edge"), QStringLiteral("--store"),
                 store});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QStringLiteral("There is no source named \"edge\"")), qPrintable(r.err));
        r = run({QStringLiteral("sources"), QStringLiteral("list"), QStringLiteral("--store"), store,
                 QStringLiteral("--json")});
        const json left = json::parse(r.out.toStdString(), nullptr, false);
        QVERIFY2(left.is_array() && left.size() == 1 && left[0]["name"] == "org", qPrintable(r.out));
    }

    void refusalsStoreNothing_data()
    {
        QTest::addColumn<QStringList>("flags");
        QTest::addColumn<QStringList>("messages");
        const QString url = QStringLiteral("http://127.0.0.1:8080");
        QTest::newRow("duplicate name") << QStringList{"--name", "taken", "--kind", "router", "--url", url}
                                        << QStringList{"A source named \"taken\" exists already",
                                                       "choose another --name, or remove it first"};
        QTest::newRow("bad kind") << QStringList{"--name", "n", "--kind", "gopher", "--url", url}
                                  << QStringList{"Unknown source type \"gopher\": use one of router, litellm, "
                                                 "openai, anthropic, openrouter."};
        QTest::newRow("bad url") << QStringList{"--name", "n", "--kind", "router", "--url", "ftp://x"}
                                 << QStringList{"The URL must start with http:// or https:// (it was \"ftp://x\")."};
        QTest::newRow("bad variable name")
            << QStringList{"--name", "n", "--kind", "router", "--url", url, "--key-env", "1-KEY"}
            << QStringList{"The key's environment variable \"1-KEY\" is not a valid name: use letters, digits and _"};
        QTest::newRow("interval") << QStringList{"--name", "n", "--kind", "router", "--url", url, "--interval", "5"}
                                  << QStringList{"Poll between every 10 seconds and once a day (86400 s); the "
                                                 "interval was 5 s."};
        QTest::newRow("every problem at once")
            << QStringList{"--name", "a (b)", "--kind", "gopher", "--url", "x", "--key-env", "A B"}
            << QStringList{"cannot contain \" (\"", "Unknown source type \"gopher\"", "must start with http://",
                           "\"A B\" is not a valid name"};
    }

    void refusalsStoreNothing()
    {
        QFETCH(QStringList, flags);
        QFETCH(QStringList, messages);
        const QString store = newStore(QStringLiteral("refusals-%1.db").arg(QTest::currentDataTag()).replace(' ', '-'));
        QCOMPARE(addRouter(store, QStringLiteral("taken"), QStringLiteral("RL_TAKEN"), true).code, 0);
        const CliRun r = run(QStringList{QStringLiteral("sources"), QStringLiteral("add")} + flags
                             + QStringList{QStringLiteral("--store"), store});
        QCOMPARE(r.code, 1);
        for (const QString &message : messages)
            QVERIFY2(r.err.contains(message), qPrintable(r.err));
        QVERIFY(r.out.isEmpty());
        QCOMPARE(scalar(store, "SELECT count(*) FROM source_settings"), std::int64_t(1));
        QCOMPARE(scalar(store, "SELECT count(*) FROM source_settings WHERE options = '{\"key_env\":\"RL_TAKEN\"}'"),
                 std::int64_t(1));
    }

    // A refused add does not create the store it was given with --create either.
    void aRefusedAddCreatesNoStore()
    {
        const QString store = newStore(QStringLiteral("never.db"));
        const CliRun r =
            run({QStringLiteral("sources"), QStringLiteral("add"), QStringLiteral("--name"), QStringLiteral("n"),
                 QStringLiteral("--kind"), QStringLiteral("gopher"), QStringLiteral("--url"),
                 QStringLiteral("http://x"), QStringLiteral("--store"), store, QStringLiteral("--create")});
        QCOMPARE(r.code, 1);
        QVERIFY(!QFile::exists(store));
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("no subcommand") << QStringList{"sources"} << "sources needs list, add or remove";
        QTest::newRow("unknown subcommand")
            << QStringList{"sources", "rename"} << "unknown sources command \"rename\": use list, add or remove";
        QTest::newRow("add without url") << QStringList{"sources", "add", "--name", "n", "--kind", "router"}
                                         << "sources add needs --name NAME, --kind TYPE and --url URL";
        QTest::newRow("add, unknown flag")
            << QStringList{"sources", "add", "--key", "sk-1"} << "unknown option --key; see --help";
        QTest::newRow("interval not a number")
            << QStringList{"sources", "add", "--name", "n", "--kind", "router", "--url", "http://x", "--interval", "x"}
            << "--interval expects a number";
        QTest::newRow("remove, two names")
            << QStringList{"sources", "remove", "--name", "a", "b"} << "sources remove takes one name";
        QTest::newRow("remove, no name") << QStringList{"sources", "remove"} << "sources remove needs --name NAME";
        QTest::newRow("poll without --once") << QStringList{"poll", "--store", "x.db"}
                                             << "poll needs --once (polling on a schedule is what the app does)";
        QTest::newRow("poll, a name alone")
            << QStringList{"poll", "--once", "router-a"} << "poll takes no names; use --source NAME";
        QTest::newRow("poll, page limit")
            << QStringList{"poll", "--once", "--max-pages", "0"} << "--max-pages expects a number from 1 to 1000000,";
    }

    void usageErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const CliRun r = run(args);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.startsWith(message), qPrintable(r.err));
        QVERIFY(r.err.contains(QStringLiteral("Usage: routeledger ")));
    }

    void storesThatAreNotThere()
    {
        // Without --store: the app's own store, which does not exist in this data folder.
        const QString appStore = m_dir.filePath(QStringLiteral("data/RouteLedger/RouteLedger/routeledger.db"));
        CliRun r = run({QStringLiteral("sources"), QStringLiteral("list")});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QStringLiteral("There is no store at ") + appStore
                                + QStringLiteral("; that is the app's store")),
                 qPrintable(r.err));
        r = run({QStringLiteral("poll"), QStringLiteral("--help")});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(QStringLiteral("Without --store: the app's store, ") + appStore), qPrintable(r.out));
        QVERIFY(!QFile::exists(appStore));

        const QString missing = newStore(QStringLiteral("typo.db"));
        for (const QStringList &command :
             {QStringList{"sources", "list"}, QStringList{"sources", "remove", "x"}, QStringList{"poll", "--once"}}) {
            r = run(command + QStringList{QStringLiteral("--store"), missing});
            QCOMPARE(r.code, 1);
            QVERIFY2(r.err.startsWith(QStringLiteral("There is no store at ") + missing
                                      + QStringLiteral("; check the path")),
                     qPrintable(r.err));
            QVERIFY(!QFile::exists(missing));
        }

        // Another program's SQLite file is refused and left alone.
        const QString foreign = newStore(QStringLiteral("other.db"));
        QProcess sqlite;
        sqlite.start(QStringLiteral("sqlite3"),
                     {foreign, QStringLiteral("CREATE TABLE notes (id INTEGER PRIMARY KEY);")});
        QVERIFY(sqlite.waitForFinished(10000) && sqlite.exitCode() == 0);
        for (const QStringList &command :
             {QStringList{"sources", "list"}, QStringList{"poll", "--once"},
              QStringList{"sources", "add", "--name", "n", "--kind", "router", "--url", "http://x"}}) {
            r = run(command + QStringList{QStringLiteral("--store"), foreign});
            QCOMPARE(r.code, 1);
            QVERIFY2(r.err.contains(QStringLiteral("is not a RouteLedger store")), qPrintable(r.err));
        }
        QCOMPARE(scalar(foreign, "SELECT count(*) FROM sqlite_master WHERE name = 'source_settings'"), std::int64_t(0));

        // An unknown source name is refused like a missing file: exit 1.
        const QString store = newStore(QStringLiteral("empty.db"));
        QCOMPARE(addRouter(store, QStringLiteral("only"), QStringLiteral("RL_ONLY"), true).code, 0);
        r = run({QStringLiteral("poll"), QStringLiteral("--once"), QStringLiteral("--source"), QStringLiteral("nope"),
                 QStringLiteral("--store"), store});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QStringLiteral("There is no source named \"nope\"")), qPrintable(r.err));
        QVERIFY(r.out.isEmpty());
    }

    void pollOnceAgainstARealRouter()
    {
        if (m_keyring)
            QSKIP("covered by the run without a keychain");
        const QString store = newStore(QStringLiteral("poll.db"));
        const QString good = QStringLiteral("RL_CLI_TOKEN_A=") + kAdminToken;
        QCOMPARE(addRouter(store, QStringLiteral("router-a"), QStringLiteral("RL_CLI_TOKEN_A"), true).code, 0);
        chatAndWait(5);
        const int served = ledgerEvents();

        // The variable unset: the source fails, naming it; nothing is stored.
        CliRun r = run({QStringLiteral("poll"), QStringLiteral("--once"), QStringLiteral("--store"), store});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.out.startsWith(QStringLiteral("router-a: 0 events added (0 duplicates), 0 buckets, 0 cost lines "
                                                 "upserted; cursor none; failed: source.key_env_unset: the "
                                                 "environment variable RL_CLI_TOKEN_A is not set; export it")),
                 qPrintable(r.out));
        QCOMPARE(eventsOf(store, "router-a"), std::int64_t(0));

        // The key from the variable: every event the router served, and its cursor.
        r = run({QStringLiteral("poll"), QStringLiteral("--once"), QStringLiteral("--store"), store}, {good});
        QCOMPARE(r.code, 0);
        const QRegularExpression polled(QStringLiteral("^router-a: (\\d+) events added \\(0 duplicates\\), 0 buckets, "
                                                       "0 cost lines upserted; cursor (\\S+); caught up\\n$"));
        QRegularExpressionMatch match = polled.match(r.out);
        QVERIFY2(match.hasMatch(), qPrintable(r.out));
        QCOMPARE(match.captured(1).toInt(), served);
        const QString cursor = match.captured(2);
        QCOMPARE(eventsOf(store, "router-a"), std::int64_t(served));

        // Again: resumed from the cursor, nothing added.
        r = run({QStringLiteral("poll"), QStringLiteral("--once"), QStringLiteral("--store"), store}, {good});
        QCOMPARE(r.code, 0);
        QCOMPARE(r.out, QStringLiteral("router-a: 0 events added (0 duplicates), 0 buckets, 0 cost lines upserted; "
                                       "cursor %1; caught up\n")
                            .arg(cursor));
        QCOMPARE(eventsOf(store, "router-a"), std::int64_t(served));

        // A second source with a wrong key beside the good one: both lines, exit 1, the good one's rows stored.
        QCOMPARE(addRouter(store, QStringLiteral("router-bad"), QStringLiteral("RL_CLI_TOKEN_B")).code, 0);
        chatAndWait(2);
        r = run({QStringLiteral("poll"), QStringLiteral("--once"), QStringLiteral("--json"), QStringLiteral("--store"),
                 store},
                {good, QStringLiteral("RL_CLI_TOKEN_B=not-the-token")});
        QCOMPARE(r.code, 1);
        std::vector<json> lines = jsonLines(r.out);
        QCOMPARE(lines.size(), std::size_t(2));
        const std::set<std::string> keys{"source",     "events", "duplicates", "buckets",
                                         "cost_lines", "cursor", "caught_up",  "error"};
        for (const json &line : lines)
            QCOMPARE(keysOf(line), keys);
        const json *a = lineFor(lines, "router-a");
        const json *bad = lineFor(lines, "router-bad");
        QVERIFY(a && bad);
        QCOMPARE((*a)["events"], json(2));
        QCOMPARE((*a)["duplicates"], json(0));
        QCOMPARE((*a)["buckets"], json(0));
        QCOMPARE((*a)["cost_lines"], json(0));
        QCOMPARE((*a)["caught_up"], json(true));
        QCOMPARE((*a)["error"], json(nullptr));
        QVERIFY((*a)["cursor"].is_string() && (*a)["cursor"] != cursor.toStdString());
        const json cursorA = (*a)["cursor"];
        QCOMPARE((*bad)["events"], json(0));
        QCOMPARE((*bad)["cursor"], json(nullptr));
        QCOMPARE((*bad)["caught_up"], json(false));
        QCOMPARE((*bad)["error"]["code"], json("auth.invalid"));
        QVERIFY2((*bad)["error"]["message"].get<std::string>().find("HTTP 401") != std::string::npos,
                 (*bad)["error"].dump().c_str());
        QCOMPARE(eventsOf(store, "router-a"), std::int64_t(served + 2));
        QCOMPARE(eventsOf(store, "router-bad"), std::int64_t(0));

        // A paused source is skipped unless it is named.
        {
            auto writer = rl::UsageStore::open(store.toStdString());
            QVERIFY(writer.ok());
            auto settings = writer->sourceSettings();
            QVERIFY(settings.ok());
            for (rl::SourceSettings s : settings.value())
                if (s.name == "router-bad") {
                    s.paused = true;
                    QVERIFY(writer->saveSourceSettings(s).ok());
                }
        }
        r = run({QStringLiteral("poll"), QStringLiteral("--once"), QStringLiteral("--store"), store}, {good});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.startsWith(QStringLiteral("router-a: 0 events added")) && r.out.count(QLatin1Char('\n')) == 1,
                 qPrintable(r.out));
        QVERIFY2(r.err.contains(QStringLiteral("skipped \"router-bad\": it is paused (poll it with --source")),
                 qPrintable(r.err));
        r = run({QStringLiteral("poll"), QStringLiteral("--once"), QStringLiteral("--source"),
                 QStringLiteral("router-bad"), QStringLiteral("--store"), store, QStringLiteral("--json")},
                {QStringLiteral("RL_CLI_TOKEN_B=") + kAdminToken});
        QCOMPARE(r.code, 0);
        lines = jsonLines(r.out);
        QCOMPARE(lines.size(), std::size_t(1));
        QCOMPARE(lines[0]["source"], json("router-bad"));
        QCOMPARE(lines[0]["events"], json(served + 2));
        QCOMPARE(eventsOf(store, "router-bad"), std::int64_t(served + 2));

        // The page limit: what was read is stored, and the next poll goes on from there.
        {
            auto writer = rl::UsageStore::open(store.toStdString());
            QVERIFY(writer.ok());
            QVERIFY(writer->saveSourceSettings({"router-paged", "router", routerUrl().toStdString(), 300, true,
                                                R"({"key_env":"RL_CLI_TOKEN_A","page_size":2})", 0, true}));
        }
        const QStringList paged{QStringLiteral("poll"),        QStringLiteral("--once"),
                                QStringLiteral("--source"),    QStringLiteral("router-paged"),
                                QStringLiteral("--max-pages"), QStringLiteral("1"),
                                QStringLiteral("--store"),     store};
        r = run(paged + QStringList{QStringLiteral("--json")}, {good});
        QCOMPARE(r.code, 0);
        lines = jsonLines(r.out);
        QCOMPARE(lines.size(), std::size_t(1));
        QCOMPARE(lines[0]["events"], json(2));
        QCOMPARE(lines[0]["caught_up"], json(false));
        QCOMPARE(lines[0]["error"], json(nullptr));
        r = run(paged, {good});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.startsWith(QStringLiteral("router-paged: 2 events added")), qPrintable(r.out));
        QVERIFY2(r.out.endsWith(QStringLiteral("; not caught up after 1 page: poll again to go on\n")),
                 qPrintable(r.out));
        QCOMPARE(eventsOf(store, "router-paged"), std::int64_t(4));
        QCOMPARE(run({QStringLiteral("sources"), QStringLiteral("remove"), QStringLiteral("router-paged"),
                      QStringLiteral("--store"), store})
                     .code,
                 0);

        // The listing counts what is stored; removed and added again, a source resumes from its cursor.
        r = run({QStringLiteral("sources"), QStringLiteral("list"), QStringLiteral("--json"), QStringLiteral("--store"),
                 store});
        const json listed = json::parse(r.out.toStdString(), nullptr, false);
        QVERIFY2(listed.is_array() && listed.size() == 2, qPrintable(r.out));
        QCOMPARE(listed[0]["records"], json(served + 2));
        QCOMPARE(listed[0]["cursors"]["router-a"], cursorA);
        QCOMPARE(listed[1]["paused"], json(true));
        QCOMPARE(run({QStringLiteral("sources"), QStringLiteral("remove"), QStringLiteral("router-a"),
                      QStringLiteral("--store"), store})
                     .code,
                 0);
        r = addRouter(store, QStringLiteral("router-a"), QStringLiteral("RL_CLI_TOKEN_A"));
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(QStringLiteral("already holds %1 records").arg(served + 2)), qPrintable(r.out));
        r = run({QStringLiteral("poll"), QStringLiteral("--once"), QStringLiteral("--store"), store}, {good});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.startsWith(QStringLiteral("router-a: 0 events added")), qPrintable(r.out));
        QCOMPARE(eventsOf(store, "router-a"), std::int64_t(served + 2));
    }

    // `policy push` against the real router: applied and read back (exit 0), already in force, refused by
    // the router with its lines (exit 1), invalid here (exit 1, nothing sent), and wrong usage (exit 2).
    void policyPushAgainstARealRouter()
    {
        if (m_keyring)
            QSKIP("run without a keychain service");
        const json v2 = {{"schema", "routeledger.policy/v1"},
                         {"name", "cli"},
                         {"version", 2},
                         {"tiers", {{{"name", "mid"}, {"models", {"alpha/mid"}}}}},
                         {"default_tier", "mid"},
                         {"rules", json::array()},
                         {"fallback", {{"on", {"timeout"}}, {"max_attempts", 2}, {"across_tiers", "none"}}}};
        const QString file = m_dir.filePath(QStringLiteral("push-v2.json"));
        QVERIFY(writePolicy(QStringLiteral("push-v2.json"), v2));
        const QStringList token{QStringLiteral("ROUTELEDGER_ADMIN_TOKEN=") + QString::fromLatin1(kAdminToken)};
        const QString missingStore = newStore(QStringLiteral("no-such-store.db"));
        QStringList push{QStringLiteral("policy"),   QStringLiteral("push"),
                         QStringLiteral("--policy"), file,
                         QStringLiteral("--router"), routerUrl(),
                         QStringLiteral("--store"),  missingStore};

        CliRun r = run(push, token);
        QCOMPARE(r.code, 0);
        QCOMPARE(r.out,
                 routerUrl() + QStringLiteral("  applied  applied: version 2 (was version 1), read back identical\n"));
        QVERIFY2(r.err.contains(QStringLiteral("nothing is recorded in an audit log")), qPrintable(r.err));
        QVERIFY(!QFile::exists(missingStore));
        QVERIFY(!r.out.contains(QString::fromLatin1(kAdminToken)) && !r.err.contains(QString::fromLatin1(kAdminToken)));

        r = run(QStringList(push) << QStringLiteral("--json"), token);
        QCOMPARE(r.code, 0);
        const json line = json::parse(r.out.toStdString(), nullptr, false);
        QCOMPARE(line.value("outcome", std::string()), std::string("applied"));
        QCOMPARE(line.value("router_version", 0), 2);
        QVERIFY(QByteArray::fromStdString(line.value("router_etag", std::string())).startsWith("\"v2-"));

        // Refused by the router (no provider gamma there): its error line, indented; exit 1.
        json v3 = v2;
        v3["version"] = 3;
        v3["tiers"][0]["models"] = {"alpha/mid", "gamma/tiny"};
        QVERIFY(writePolicy(QStringLiteral("push-v3.json"), v3));
        push[3] = m_dir.filePath(QStringLiteral("push-v3.json"));
        r = run(push, token);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.out.startsWith(routerUrl() + QStringLiteral("  rejected  The policy has 1 error(s)")),
                 qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("\n    /tiers/0/models/1: no provider 'gamma'")), qPrintable(r.out));

        // A second router that is not there: one line each, exit 1, the good one still applied.
        push[3] = file;
        r = run(QStringList(push) << QStringLiteral("--router") << QStringLiteral("http://127.0.0.1:1"), token);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.out.contains(routerUrl() + QStringLiteral("  applied  applied: already in force (version 2)")),
                 qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("http://127.0.0.1:1  unreachable  Cannot connect to 127.0.0.1")),
                 qPrintable(r.out));

        // Invalid here: its errors on stderr, nothing sent.
        json bad = v2;
        bad["version"] = 4;
        bad["default_tier"] = "nowhere";
        QVERIFY(writePolicy(QStringLiteral("push-bad.json"), bad));
        push[3] = m_dir.filePath(QStringLiteral("push-bad.json"));
        r = run(push, token);
        QCOMPARE(r.code, 1);
        QVERIFY(r.out.isEmpty());
        QVERIFY2(r.err.contains(QStringLiteral("/default_tier")), qPrintable(r.err));

        // A dry run of version 3 without the bad model: would apply, and nothing changes.
        json v3ok = v2;
        v3ok["version"] = 3;
        v3ok["default_tier"] = "mid";
        QVERIFY(writePolicy(QStringLiteral("push-v3ok.json"), v3ok));
        push[3] = m_dir.filePath(QStringLiteral("push-v3ok.json"));
        r = run(QStringList(push) << QStringLiteral("--dry-run"), token);
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(QStringLiteral("  applied  would apply: valid on this router, version 2 → 3")),
                 qPrintable(r.out));
        HttpTestClient client(m_router->port());
        const json served =
            json::parse(client.get("/admin/policy", {{"Authorization", std::string("Bearer ") + kAdminToken}}).body,
                        nullptr, false);
        QCOMPARE(served.value("version", 0), 2);

        // With a store: each router's result goes into its audit log (policy.push) and router_deployments.
        const QString store = newStore(QStringLiteral("push-audit.db"));
        QCOMPARE(addRouter(store, QStringLiteral("router-push"), QStringLiteral("RL_CLI_UNUSED"), true).code, 0);
        push[3] = file;
        push[7] = store;
        r = run(QStringList(push) << QStringLiteral("--router") << QStringLiteral("http://127.0.0.1:1"), token);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QStringLiteral("recorded 2 result(s) in the audit log of ") + store),
                 qPrintable(r.err));
        QCOMPARE(scalar(store, "SELECT count(*) FROM audit_log WHERE action = 'policy.push'"), std::int64_t(2));
        QCOMPARE(scalar(store, "SELECT count(*) FROM router_deployments WHERE outcome = 'applied' AND version = 2"),
                 std::int64_t(1));
        QCOMPARE(scalar(store, "SELECT count(*) FROM router_deployments WHERE outcome = 'unreachable'"),
                 std::int64_t(1));
        QCOMPARE(scalar(store, "SELECT count(*) FROM audit_log WHERE instr(\"after\", '" + std::string(kAdminToken)
                                   + "') > 0 OR instr(\"before\", '" + std::string(kAdminToken) + "') > 0"),
                 std::int64_t(0));
        // A dry run records nothing.
        r = run(QStringList(push) << QStringLiteral("--dry-run"), token);
        QCOMPARE(r.code, 0);
        QCOMPARE(scalar(store, "SELECT count(*) FROM audit_log WHERE action = 'policy.push'"), std::int64_t(2));
    }

    void policyPushUsage()
    {
        CliRun r = run({QStringLiteral("policy"), QStringLiteral("push"), QStringLiteral("--help")});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.startsWith(QStringLiteral("Usage: routeledger policy push --policy FILE --router URL")));
        QVERIFY(r.out.contains(QStringLiteral("Exit codes: 0 every router applied it")));

        const QString file = m_dir.filePath(QStringLiteral("push-v2.json"));
        const QStringList base{QStringLiteral("policy"),   QStringLiteral("push"),
                               QStringLiteral("--policy"), file,
                               QStringLiteral("--router"), routerUrl()};
        r = run(QStringList(base) << QStringLiteral("--token-env") << QStringLiteral("RL_CLI_NO_SUCH_TOKEN"));
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.startsWith(QStringLiteral("the environment variable RL_CLI_NO_SUCH_TOKEN is not set")),
                 qPrintable(r.err));
        r = run(base, {QStringLiteral("ROUTELEDGER_ADMIN_TOKEN=")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.startsWith(QStringLiteral("the environment variable ROUTELEDGER_ADMIN_TOKEN is empty")),
                 qPrintable(r.err));
        r = run({QStringLiteral("policy"), QStringLiteral("push"), QStringLiteral("--policy"), file});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.startsWith(QStringLiteral("policy push needs at least one --router URL")));
        r = run(QStringList(base) << QStringLiteral("--router") << QStringLiteral("router-b:8080"));
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.startsWith(QStringLiteral("--router router-b:8080 is not an http:// or https:// URL")));
        r = run(QStringList(base) << QStringLiteral("--force"));
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.startsWith(QStringLiteral("unknown option --force")));
    }

    void withoutAKeychainTheErrorSaysSo()
    {
        if (m_keyring)
            QSKIP("run without a keychain service");
        const QString store = newStore(QStringLiteral("nokeychain.db"));
        CliRun r = addRouter(store, QStringLiteral("router-kc"), QString(), true);
        QCOMPARE(r.code, 0);
        r = run({QStringLiteral("poll"), QStringLiteral("--once"), QStringLiteral("--store"), store});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.out.startsWith(QStringLiteral("router-kc: 0 events added")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("failed: keychain.unreachable: No keychain service could be reached to "
                                               "read the key of \"router-kc\"")),
                 qPrintable(r.out));
        QVERIFY(r.out.contains(QStringLiteral("add it again with --key-env VAR")));
        QCOMPARE(eventsOf(store, "router-kc"), std::int64_t(0));
        // Removing still forgets the settings; the keychain entry it could not reach is named.
        r = run({QStringLiteral("sources"), QStringLiteral("remove"), QStringLiteral("router-kc"),
                 QStringLiteral("--store"), store});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.err.contains(QStringLiteral("its keychain entry could not be removed")), qPrintable(r.err));
        QCOMPARE(scalar(store, "SELECT count(*) FROM source_settings"), std::int64_t(0));
    }

    // The key the app's Sources page saved (CredentialStore, service "RouteLedger") is the one polled with.
    void keyFromTheKeychain()
    {
        if (!m_keyring)
            QSKIP("needs a keychain service: run inside tests/support/with-keyring.sh");
        CredentialStore keychain(QStringLiteral("RouteLedger"));
        const CredentialStore::Outcome written =
            keychain.writeAndWait(QStringLiteral("router-kc"), QString::fromLatin1(kAdminToken));
        QVERIFY2(written.ok, qPrintable(written.error));
        const QString store = newStore(QStringLiteral("keychain.db"));
        QCOMPARE(addRouter(store, QStringLiteral("router-kc"), QString(), true).code, 0);
        QCOMPARE(addRouter(store, QStringLiteral("router-nokey"), QString()).code, 0);
        chatAndWait(3);
        const int served = ledgerEvents();

        CliRun r = run({QStringLiteral("poll"), QStringLiteral("--once"), QStringLiteral("--store"), store});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.out.contains(QStringLiteral("router-kc: %1 events added").arg(served)), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("router-nokey: 0 events added (0 duplicates), 0 buckets, 0 cost lines "
                                               "upserted; cursor none; failed: keychain.missing: The keychain holds "
                                               "no key for \"router-nokey\"")),
                 qPrintable(r.out));
        QCOMPARE(eventsOf(store, "router-kc"), std::int64_t(served));

        // Removing the source forgets its keychain entry, as the Sources page does.
        r = run({QStringLiteral("sources"), QStringLiteral("remove"), QStringLiteral("router-kc"),
                 QStringLiteral("--store"), store});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(QStringLiteral("its key is no longer in the keychain")), qPrintable(r.out));
        QVERIFY(keychain.readAndWait(QStringLiteral("router-kc")).missing);
    }
};

QTEST_GUILESS_MAIN(TestCliSources)
#include "tst_clisources.moc"
