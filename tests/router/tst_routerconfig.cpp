// RouterConfig: the router's JSON config, every key checked and every problem listed.
#include "digest.h"
#include "routerconfig.h"
#include "routerunittext.h"
#include "testsuites.h"

#include <QTest>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace {

using nlohmann::json;
using routerunittext::qs;
using routerunittext::str;

// moc reads raw strings as ordinary ones, so the raw strings in this file hold no URLs ("//" would start a
// comment), backslashes or braces between their quotes; such text is written as a plain literal.
const std::string kConfigDir = "/etc/routeledger";

json provider(const std::string &name, const std::string &baseUrl, const std::vector<std::string> &models)
{
    return json{{"name", name}, {"base_url", baseUrl}, {"models", models}};
}

json minimalConfig()
{
    json document = json::parse(R"({"policy_file": "policy.json", "ledger": "data/ledger.db"})");
    document["providers"] =
        json::array({provider("openai", "https://api.openai.com/v1", {"openai/gpt-5", "openai/gpt-5-mini"})});
    return document;
}

rl::Result<rl::RouterConfig> parseConfig(const json &document)
{
    return rl::RouterConfig::parse(document.dump(), kConfigDir);
}

QString errorOf(const rl::Result<rl::RouterConfig> &config)
{
    return config.ok() ? QString() : qs(config.error().message);
}

// The message's lines, without their indentation.
QStringList problemLines(const QString &message)
{
    QStringList lines = message.split(QLatin1Char('\n'));
    for (QString &line : lines)
        line = line.trimmed();
    return lines;
}

// The key each problem line names ("key: message" -> "key").
QStringList problemKeys(const QString &message)
{
    QStringList keys;
    for (const QString &line : problemLines(message))
        keys << line.left(line.indexOf(QLatin1String(": ")));
    return keys;
}

} // namespace

class TestRouterConfig : public QObject {
    Q_OBJECT
private slots:
    void configMinimalHasTheDocumentedDefaults()
    {
        auto config = parseConfig(minimalConfig());
        QVERIFY2(config.ok(), qPrintable(errorOf(config)));
        const rl::RouterConfig &c = config.value();
        QCOMPARE(qs(c.listenHost), QStringLiteral("127.0.0.1"));
        QCOMPARE(c.listenPort, std::uint16_t(8080));
        QCOMPARE(qs(c.adminTokenEnv), QStringLiteral("ROUTELEDGER_ADMIN_TOKEN"));
        QCOMPARE(qs(c.policyFile), QStringLiteral("/etc/routeledger/policy.json"));
        QCOMPARE(qs(c.ledgerPath), QStringLiteral("/etc/routeledger/data/ledger.db"));
        QCOMPARE(qs(c.priceCatalogFile), QString());
        QCOMPARE(c.trustIdentityHeaders, false);
        QCOMPARE(c.requireClientKey, false);
        QCOMPARE(c.maxBodyBytes, std::size_t(4 * 1024 * 1024));
        QCOMPARE(c.maxHeaderBytes, std::size_t(16 * 1024));
        QCOMPARE(c.threads, 0);
        QCOMPARE(c.clientTimeoutMs, std::int64_t(30'000));
        QCOMPARE(c.connectTimeoutMs, std::int64_t(5'000));
        QCOMPARE(c.firstByteTimeoutMs, std::int64_t(120'000));
        QCOMPARE(c.idleTimeoutMs, std::int64_t(60'000));
        QCOMPARE(c.groupCommitMs, std::int64_t(50));
        QCOMPARE(c.shutdownGraceMs, std::int64_t(10'000));
        QCOMPARE(c.breaker.failureThreshold, 5);
        QCOMPARE(c.breaker.openMs, std::int64_t(30'000));
        QCOMPARE(qs(c.configDir), qs(kConfigDir));
        QCOMPARE(c.clients.size(), std::size_t(0));
        QCOMPARE(c.providers.size(), std::size_t(1));
        const rl::ProviderConfig &p = c.providers[0];
        QCOMPARE(qs(p.name), QStringLiteral("openai"));
        QCOMPARE(qs(p.baseUrl), QStringLiteral("https://api.openai.com/v1"));
        QCOMPARE(qs(p.apiKeyEnv), QString());
        QCOMPARE(qs(p.apiKey), QString());
        QCOMPARE(qs(p.caFile), QString());
        QCOMPARE(p.models, (std::vector<std::string>{"openai/gpt-5", "openai/gpt-5-mini"}));
    }

    void configReadsEveryOptionalValue()
    {
        json document = minimalConfig();
        document.update(json::parse(R"({
            "listen": "0.0.0.0:9090", "price_catalog": "prices/catalog.json", "trust_identity_headers": true,
            "max_body_bytes": 65536, "max_header_bytes": 8192, "threads": 3,
            "timeouts": {"client_ms": 1000, "connect_ms": 200, "first_byte_ms": 3000, "idle_ms": 4000},
            "group_commit_ms": 5, "shutdown_grace_ms": 0, "breaker": {"failure_threshold": 2, "open_ms": 750}
        })"));
        document["providers"][0]["ca_file"] = "certs/ca.pem";
        auto config = parseConfig(document);
        QVERIFY2(config.ok(), qPrintable(errorOf(config)));
        const rl::RouterConfig &c = config.value();
        QCOMPARE(qs(c.listenHost), QStringLiteral("0.0.0.0"));
        QCOMPARE(c.listenPort, std::uint16_t(9090));
        QCOMPARE(qs(c.priceCatalogFile), QStringLiteral("/etc/routeledger/prices/catalog.json"));
        QCOMPARE(c.trustIdentityHeaders, true);
        QCOMPARE(c.maxBodyBytes, std::size_t(65536));
        QCOMPARE(c.maxHeaderBytes, std::size_t(8192));
        QCOMPARE(c.threads, 3);
        QCOMPARE(c.clientTimeoutMs, std::int64_t(1000));
        QCOMPARE(c.connectTimeoutMs, std::int64_t(200));
        QCOMPARE(c.firstByteTimeoutMs, std::int64_t(3000));
        QCOMPARE(c.idleTimeoutMs, std::int64_t(4000));
        QCOMPARE(c.groupCommitMs, std::int64_t(5));
        QCOMPARE(c.shutdownGraceMs, std::int64_t(0));
        QCOMPARE(c.breaker.failureThreshold, 2);
        QCOMPARE(c.breaker.openMs, std::int64_t(750));
        QCOMPARE(qs(c.providers[0].caFile), QStringLiteral("/etc/routeledger/certs/ca.pem"));
    }

    void configResolvesPathsAgainstItsFolder_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("expected");
        QTest::newRow("file") << "policy.json"
                              << "/etc/routeledger/policy.json";
        QTest::newRow("subfolder") << "data/ledger.db"
                                   << "/etc/routeledger/data/ledger.db";
        QTest::newRow("dot segments") << "./data/../ledger.db"
                                      << "/etc/routeledger/ledger.db";
        QTest::newRow("parent folder") << "../policies/default-policy.json"
                                       << "/etc/policies/default-policy.json";
        QTest::newRow("absolute") << "/var/lib/routeledger/x.db"
                                  << "/var/lib/routeledger/x.db";
    }

    void configResolvesPathsAgainstItsFolder()
    {
        QFETCH(QString, path);
        QFETCH(QString, expected);
        json document = minimalConfig();
        document["policy_file"] = str(path);
        document["ledger"] = str(path);
        auto config = parseConfig(document);
        QVERIFY2(config.ok(), qPrintable(errorOf(config)));
        QCOMPARE(qs(config->policyFile), expected);
        QCOMPARE(qs(config->ledgerPath), expected);
    }

    void configListen_data()
    {
        QTest::addColumn<QByteArray>("listen"); // a JSON value
        QTest::addColumn<bool>("valid");
        QTest::addColumn<QString>("host");
        QTest::addColumn<int>("port");
        QTest::newRow("ipv4") << QByteArray(R"("0.0.0.0:9000")") << true << "0.0.0.0" << 9000;
        QTest::newRow("name") << QByteArray(R"("localhost:80")") << true << "localhost" << 80;
        QTest::newRow("port 0") << QByteArray(R"("127.0.0.1:0")") << true << "127.0.0.1" << 0;
        QTest::newRow("highest port") << QByteArray(R"("h:65535")") << true << "h" << 65535;
        QTest::newRow("bracketed ipv6") << QByteArray(R"("[::1]:8443")") << true << "::1" << 8443;
        QTest::newRow("leading zeros") << QByteArray(R"("h:00080")") << true << "h" << 80;
        QTest::newRow("port too large") << QByteArray(R"("h:65536")") << false << "" << 0;
        QTest::newRow("six digits") << QByteArray(R"("h:123456")") << false << "" << 0;
        QTest::newRow("no port") << QByteArray(R"("localhost")") << false << "" << 0;
        QTest::newRow("empty port") << QByteArray(R"("localhost:")") << false << "" << 0;
        QTest::newRow("no host") << QByteArray(R"(":8080")") << false << "" << 0;
        QTest::newRow("letters") << QByteArray(R"("h:80a")") << false << "" << 0;
        QTest::newRow("negative") << QByteArray(R"("h:-1")") << false << "" << 0;
        QTest::newRow("number") << QByteArray("8080") << false << "" << 0;
        QTest::newRow("empty") << QByteArray(R"("")") << false << "" << 0;
    }

    void configListen()
    {
        QFETCH(QByteArray, listen);
        QFETCH(bool, valid);
        QFETCH(QString, host);
        QFETCH(int, port);
        json document = minimalConfig();
        document["listen"] = json::parse(str(listen));
        auto config = parseConfig(document);
        QCOMPARE(config.ok(), valid);
        if (valid) {
            QCOMPARE(qs(config->listenHost), host);
            QCOMPARE(int(config->listenPort), port);
        } else {
            QCOMPARE(qs(config.error().code), QStringLiteral("config.invalid"));
            QCOMPARE(problemKeys(errorOf(config)), QStringList{QStringLiteral("listen")});
        }
    }

    void configRejectsUnknownKeys_data()
    {
        QTest::addColumn<QString>("pointer"); // where the misspelt key goes
        QTest::addColumn<QString>("key");     // as the message names it
        QTest::addColumn<QString>("allowed"); // one of the keys the message offers instead
        QTest::newRow("top level") << "/listne"
                                   << "listne"
                                   << "listen";
        QTest::newRow("provider") << "/providers/0/modles"
                                  << "providers/0/modles"
                                  << "models";
        QTest::newRow("second provider") << "/providers/1/apikey"
                                         << "providers/1/apikey"
                                         << "api_key_env";
        QTest::newRow("timeouts") << "/timeouts/conect_ms"
                                  << "timeouts/conect_ms"
                                  << "connect_ms";
        QTest::newRow("breaker") << "/breaker/threshold"
                                 << "breaker/threshold"
                                 << "failure_threshold";
        QTest::newRow("client") << "/clients/0/teams"
                                << "clients/0/teams"
                                << "team";
    }

    void configRejectsUnknownKeys()
    {
        QFETCH(QString, pointer);
        QFETCH(QString, key);
        QFETCH(QString, allowed);
        json document = minimalConfig();
        document["providers"].push_back(provider("local", "http://127.0.0.1:11434/v1", {"local/llama"}));
        document["timeouts"] = json::parse(R"({"client_ms": 1000})");
        document["breaker"] = json::parse(R"({"open_ms": 500})");
        document["clients"] = json::array({json{{"key_sha256", rl::sha256Hex("k")}, {"team", "legal"}}});
        QVERIFY(parseConfig(document).ok());

        document[json::json_pointer(str(pointer))] = 1;
        auto config = parseConfig(document);
        QVERIFY(!config.ok());
        const QStringList lines = problemLines(errorOf(config));
        QCOMPARE(lines.size(), qsizetype(1));
        QVERIFY2(lines[0].startsWith(key + QStringLiteral(": unknown key (allowed: ")), qPrintable(lines[0]));
        QVERIFY2(lines[0].contains(allowed), qPrintable(lines[0]));
    }

    void configListsEveryProblem()
    {
        json document = json::parse(R"({
            "listen": "localhost",
            "bogus": true,
            "policy_file": "policy.json",
            "threads": 300,
            "clients": [{"key_sha256": "ABC", "team": "legal"}]
        })");
        document["providers"] = json::array({provider("openai", "ftp://api.openai.com", {"gpt-5"})});
        auto config = parseConfig(document);
        QVERIFY(!config.ok());
        QCOMPARE(qs(config.error().code), QStringLiteral("config.invalid"));
        const QString message = errorOf(config);
        const QStringList expectedKeys = {QStringLiteral("bogus"),
                                          QStringLiteral("listen"),
                                          QStringLiteral("ledger"),
                                          QStringLiteral("threads"),
                                          QStringLiteral("providers/0/base_url"),
                                          QStringLiteral("providers/0/models"),
                                          QStringLiteral("clients/0/key_sha256")};
        QCOMPARE(problemKeys(message), expectedKeys);
        for (const QString &line : message.split(QLatin1Char('\n')))
            QVERIFY2(line.startsWith(QLatin1String("  ")), qPrintable(line));
        const QStringList lines = problemLines(message);
        QVERIFY(
            lines[0].startsWith(QLatin1String("bogus: unknown key (allowed: listen, admin_token_env, policy_file, ")));
        QVERIFY(lines[0].endsWith(QLatin1String(", breaker, escalation, providers, clients)")));
        QVERIFY(lines.contains(QStringLiteral("ledger: missing; it is required")));
        QVERIFY(lines.contains(QStringLiteral("threads: must be a whole number from 0 to 256")));
        QVERIFY(lines.contains(QStringLiteral("providers/0/base_url: must start with http:// or https://")));
        QVERIFY(lines.contains(QStringLiteral("providers/0/models: 'gpt-5' must be written openai/<model name>")));
        QVERIFY(lines[1].startsWith(QLatin1String("listen: must be HOST:PORT")));
        QVERIFY(lines[6].startsWith(QLatin1String("clients/0/key_sha256: must be 64 lowercase hex digits")));
    }

    void configRejectsBadValues_data()
    {
        QTest::addColumn<QString>("pointer");
        QTest::addColumn<QByteArray>("value"); // JSON
        QTest::addColumn<QString>("problem");
        QTest::addColumn<int>("problems"); // how many lines the message has
        QTest::newRow("timeout too short") << "/timeouts" << QByteArray(R"({"client_ms": 50})")
                                           << "timeouts/client_ms: must be a whole number from 100 to 3600000" << 1;
        QTest::newRow("timeouts not an object")
            << "/timeouts" << QByteArray("[]") << "timeouts: must be an object" << 1;
        QTest::newRow("breaker threshold 0") << "/breaker" << QByteArray(R"({"failure_threshold": 0})")
                                             << "breaker/failure_threshold: must be a whole number from 1 to 1000" << 1;
        QTest::newRow("fractional size") << "/max_body_bytes" << QByteArray("1.5")
                                         << "max_body_bytes: must be a whole number from 1024 to 1073741824" << 1;
        QTest::newRow("size as text") << "/max_body_bytes" << QByteArray(R"("4MiB")")
                                      << "max_body_bytes: must be a whole number from 1024 to 1073741824" << 1;
        QTest::newRow("negative threads")
            << "/threads" << QByteArray("-1") << "threads: must be a whole number from 0 to 256" << 1;
        QTest::newRow("group commit 0") << "/group_commit_ms" << QByteArray("0")
                                        << "group_commit_ms: must be a whole number from 1 to 10000" << 1;
        QTest::newRow("yes for a boolean") << "/trust_identity_headers" << QByteArray(R"("yes")")
                                           << "trust_identity_headers: must be true or false" << 1;
        QTest::newRow("empty policy file")
            << "/policy_file" << QByteArray(R"("")") << "policy_file: must be a non-empty string" << 1;
        QTest::newRow("no providers")
            << "/providers" << QByteArray("[]")
            << "providers: must list at least one provider ({\"name\", \"base_url\", \"models\"})" << 1;
        QTest::newRow("clients not a list") << "/clients" << QByteArray("{}") << "clients: must be a list" << 1;
        QTest::newRow("null base_url") << "/providers/0/base_url" << QByteArray("null")
                                       << "providers/0/base_url: must be a non-empty string" << 1;
        QTest::newRow("models as text") << "/providers/0/models" << QByteArray(R"("openai/gpt-5")")
                                        << "providers/0/models: must be a list of strings" << 1;
        QTest::newRow("empty model") << "/providers/0/models" << QByteArray(R"(["openai/gpt-5", ""])")
                                     << "providers/0/models: must be a list of non-empty strings" << 1;
        // Its models no longer start with the provider's name either.
        QTest::newRow("slash in provider name")
            << "/providers/0/name" << QByteArray(R"("open/ai")")
            << "providers/0/name: must not contain '/' (model ids are provider/name)" << 3;
    }

    void configRejectsBadValues()
    {
        QFETCH(QString, pointer);
        QFETCH(QByteArray, value);
        QFETCH(QString, problem);
        QFETCH(int, problems);
        json document = minimalConfig();
        document[json::json_pointer(str(pointer))] = json::parse(str(value));
        auto config = parseConfig(document);
        QVERIFY(!config.ok());
        QCOMPARE(qs(config.error().code), QStringLiteral("config.invalid"));
        const QStringList lines = problemLines(errorOf(config));
        QVERIFY2(lines.contains(problem), qPrintable(errorOf(config)));
        QCOMPARE(lines.size(), qsizetype(problems));
    }

    void configNotAnObject_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("truncated") << QByteArray(R"({"providers": [)");
        QTest::newRow("array") << QByteArray("[]");
        QTest::newRow("number") << QByteArray("42");
    }

    void configNotAnObject()
    {
        QFETCH(QByteArray, text);
        auto config = rl::RouterConfig::parse(str(text), kConfigDir);
        QVERIFY(!config.ok());
        QCOMPARE(qs(config.error().code), QStringLiteral("config.invalid"));
        QVERIFY(errorOf(config).contains(QLatin1String("not a JSON object")));
    }

    void configApiKeyEnv()
    {
        const char *variable = "ROUTELEDGER_TST_ROUTERUNITS_KEY_4F1C";
        json document = minimalConfig();
        document["providers"][0]["api_key_env"] = variable;

        qunsetenv(variable);
        auto unset = parseConfig(document);
        QVERIFY(!unset.ok());
        QCOMPARE(problemKeys(errorOf(unset)), QStringList{QStringLiteral("providers/0/api_key_env")});
        QVERIFY2(errorOf(unset).contains(QLatin1String(variable)), qPrintable(errorOf(unset)));

        qputenv(variable, QByteArray());
        auto empty = parseConfig(document);
        QVERIFY(!empty.ok());
        QVERIFY2(errorOf(empty).contains(QLatin1String(variable)), qPrintable(errorOf(empty)));

        qputenv(variable, QByteArrayLiteral("sk-test-123"));
        auto set = parseConfig(document);
        qunsetenv(variable);
        QVERIFY2(set.ok(), qPrintable(errorOf(set)));
        QCOMPARE(qs(set->providers[0].apiKeyEnv), QLatin1String(variable));
        QCOMPARE(qs(set->providers[0].apiKey), QStringLiteral("sk-test-123"));
    }

    void configModelIds_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<bool>("valid");
        QTest::newRow("provider/name") << "openai/gpt-5" << true;
        QTest::newRow("name with slash") << "openai/org/model" << true;
        QTest::newRow("bare name") << "gpt-5" << false;
        QTest::newRow("other provider") << "anthropic/claude-sonnet-4-5" << false;
        QTest::newRow("provider only") << "openai" << false;
        QTest::newRow("empty name") << "openai/" << false;
        QTest::newRow("provider prefix") << "openaix/gpt-5" << false;
        QTest::newRow("case") << "OpenAI/gpt-5" << false;
    }

    void configModelIds()
    {
        QFETCH(QString, model);
        QFETCH(bool, valid);
        json document = minimalConfig();
        document["providers"][0]["models"] = json::array({"openai/gpt-5-mini", str(model)});
        auto config = parseConfig(document);
        QCOMPARE(config.ok(), valid);
        if (valid) {
            QCOMPARE(qs(config->providers[0].models[1]), model);
        } else {
            QCOMPARE(
                problemLines(errorOf(config)),
                QStringList{QStringLiteral("providers/0/models: '%1' must be written openai/<model name>").arg(model)});
        }
    }

    void configClientKeyDigest_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<bool>("valid");
        const QString good = qs(rl::sha256Hex("client-key"));
        QTest::newRow("sha-256") << good << true;
        QTest::newRow("upper case") << good.toUpper() << false;
        QTest::newRow("63 digits") << good.left(63) << false;
        QTest::newRow("65 digits") << good + QLatin1Char('0') << false;
        QTest::newRow("not hex") << QStringLiteral("g") + good.mid(1) << false;
        QTest::newRow("clear key") << QStringLiteral("sk-live-abc") << false;
        QTest::newRow("empty") << QString() << false;
    }

    void configClientKeyDigest()
    {
        QFETCH(QString, key);
        QFETCH(bool, valid);
        json document = minimalConfig();
        document["clients"] = json::array({json{{"key_sha256", str(key)},
                                                {"team", "legal"},
                                                {"user", "ana"},
                                                {"app", "contracts"},
                                                {"tags", json::array({"prod", "eu"})}}});
        auto config = parseConfig(document);
        QCOMPARE(config.ok(), valid);
        if (valid) {
            QCOMPARE(config->clients.size(), std::size_t(1));
            const rl::ClientConfig &client = config->clients[0];
            QCOMPARE(qs(client.keySha256), key);
            QCOMPARE(qs(client.team), QStringLiteral("legal"));
            QCOMPARE(qs(client.user), QStringLiteral("ana"));
            QCOMPARE(qs(client.app), QStringLiteral("contracts"));
            QCOMPARE(client.tags, (std::vector<std::string>{"prod", "eu"}));
        } else {
            QCOMPARE(problemKeys(errorOf(config)), QStringList{QStringLiteral("clients/0/key_sha256")});
        }
    }

    void configRequireClientKey_data()
    {
        QTest::addColumn<bool>("withClients");
        QTest::addColumn<QByteArray>("require"); // JSON value, empty: the key is absent
        QTest::addColumn<bool>("expected");
        QTest::newRow("no clients") << false << QByteArray() << false;
        QTest::newRow("clients") << true << QByteArray() << true;
        QTest::newRow("clients, turned off") << true << QByteArray("false") << false;
        QTest::newRow("no clients, turned on") << false << QByteArray("true") << true;
    }

    void configRequireClientKey()
    {
        QFETCH(bool, withClients);
        QFETCH(QByteArray, require);
        QFETCH(bool, expected);
        json document = minimalConfig();
        if (withClients)
            document["clients"] = json::array({json{{"key_sha256", rl::sha256Hex("k")}}});
        if (!require.isEmpty())
            document["require_client_key"] = json::parse(str(require));
        auto config = parseConfig(document);
        QVERIFY2(config.ok(), qPrintable(errorOf(config)));
        QCOMPARE(config->requireClientKey, expected);
    }

    void configDuplicateProviders()
    {
        json document = minimalConfig();
        document["providers"].push_back(provider("openai", "https://proxy.example/v1", {"openai/gpt-4o"}));
        auto config = parseConfig(document);
        QVERIFY(!config.ok());
        QCOMPARE(problemLines(errorOf(config)),
                 QStringList{QStringLiteral("providers/1/name: 'openai' is configured twice")});
    }

    void configProviderFor()
    {
        json document = minimalConfig();
        document["providers"].push_back(
            provider("anthropic", "https://api.anthropic.com/v1", {"anthropic/claude-opus-4-1"}));
        auto config = parseConfig(document);
        QVERIFY2(config.ok(), qPrintable(errorOf(config)));
        const rl::RouterConfig &c = config.value();
        QCOMPARE(c.providerFor("openai/gpt-5"), &c.providers[0]);
        QCOMPARE(c.providerFor("openai/gpt-5-mini"), &c.providers[0]);
        QCOMPARE(c.providerFor("anthropic/claude-opus-4-1"), &c.providers[1]);
        QCOMPARE(c.providerFor("nope/x"), nullptr);
        QCOMPARE(c.providerFor("bare"), nullptr);
        QCOMPARE(c.providerFor("openai"), nullptr);
        QCOMPARE(c.providerFor(""), nullptr);
        QCOMPARE(c.providerFor("/gpt-5"), nullptr);
    }
};

ROUTELEDGER_TEST_SUITE(TestRouterConfig)
#include "tst_routerconfig.moc"
