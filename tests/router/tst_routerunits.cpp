// The router's parts one by one, without a server: its config, the usage it reads from OpenAI answers,
// the SSE forwarder, the circuit breaker, the policy holder's compare-and-swap, the usage ledger, the
// Prometheus metrics and the digests.
#include "circuitbreaker.h"
#include "completionusage.h"
#include "digest.h"
#include "policyholder.h"
#include "routerconfig.h"
#include "routermetrics.h"
#include "routing/policyparser.h"
#include "routing/policywriter.h"
#include "sseforwarder.h"
#include "store/sqlitedatabase.h"
#include "usageledger.h"
#include "usagepagewriter.h"

#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <latch>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using nlohmann::json;

QString qs(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

std::string str(const QByteArray &bytes)
{
    return std::string(bytes.constData(), static_cast<std::size_t>(bytes.size()));
}

std::string str(const QString &text)
{
    return text.toStdString();
}

// Tokens as one comparable line, "none" when there are none.
QString tokenText(const std::optional<rl::TokenUsage> &usage)
{
    if (!usage)
        return QStringLiteral("none");
    return QStringLiteral("in=%1 cached=%2 write=%3 out=%4 reasoning=%5")
        .arg(usage->input)
        .arg(usage->cachedInput)
        .arg(usage->cacheWrite)
        .arg(usage->output)
        .arg(usage->reasoning);
}

// ---- RouterConfig helpers -------------------------------------------------------------------------

const std::string kConfigDir = "/etc/routeledger";

// moc reads raw strings as ordinary ones, so the raw strings in this file hold no URLs ("//" would start a
// comment), backslashes or braces between their quotes; such text is written as a plain literal.
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

// ---- SSE helpers ----------------------------------------------------------------------------------

struct SseStream {
    std::string full;         // every event, as the upstream sends it
    std::string withoutUsage; // the same without the usage-only event
};

// A chat.completion.chunk stream the way OpenAI sends it with stream_options.include_usage: every
// chunk carries "usage":null, then a usage-only chunk with "choices":[], then [DONE].
SseStream openAiStream(std::string_view eol)
{
    const std::string head =
        R"({"id":"chatcmpl-7","object":"chat.completion.chunk","created":1767607200,"model":"gpt-5-mini",)"
        R"("system_fingerprint":null,)";
    const std::vector<std::string> payloads = {
        head
            + R"("choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},)"
              R"("logprobs":null,"finish_reason":null}],"usage":null})",
        head
            + R"("choices":[{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}],)"
              R"("usage":null})",
        head
            + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\", \\\"world\\\"\\n\\nbye\"},\"logprobs\":null,"
              R"("finish_reason":null}],"usage":null})",
        head + R"("choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null})",
    };
    const std::string usagePayload =
        head
        + R"("choices":[],"usage":{"prompt_tokens":120,"completion_tokens":48,"total_tokens":168,)"
          R"("prompt_tokens_details":{"cached_tokens":64,"audio_tokens":0},)"
          R"("completion_tokens_details":{"reasoning_tokens":16,"audio_tokens":0}}})";
    const std::string eolText(eol);
    SseStream stream;
    for (const std::string &payload : payloads) {
        std::string event = "data: " + payload + eolText + eolText;
        stream.full += event;
        stream.withoutUsage += event;
    }
    const std::string comment = ": keep-alive" + eolText + eolText;
    stream.full += comment;
    stream.withoutUsage += comment;
    stream.full += "data: " + usagePayload + eolText + eolText;
    const std::string done = "data: [DONE]" + eolText + eolText;
    stream.full += done;
    stream.withoutUsage += done;
    return stream;
}

const QString kStreamUsage = QStringLiteral("in=56 cached=64 write=0 out=48 reasoning=16");

// ---- CircuitBreaker helpers -----------------------------------------------------------------------

QString stateName(rl::CircuitBreaker::State state)
{
    switch (state) {
    case rl::CircuitBreaker::State::Closed: return QStringLiteral("closed");
    case rl::CircuitBreaker::State::Open: return QStringLiteral("open");
    case rl::CircuitBreaker::State::HalfOpen: return QStringLiteral("half-open");
    }
    return QStringLiteral("?");
}

// ---- PolicyHolder helpers -------------------------------------------------------------------------

std::shared_ptr<const rl::Policy> makePolicy(const std::string &name, std::int64_t version,
                                             const std::string &model = "openai/gpt-5-mini")
{
    json document =
        json::parse(R"({"schema":"routeledger.policy/v1","tiers":[{"name":"mid"}],"default_tier":"mid","rules":[]})");
    document["name"] = name;
    document["version"] = version;
    document["tiers"][0]["models"] = json::array({model});
    rl::PolicyLoad load = rl::PolicyParser::parse(document.dump());
    for (const auto &issue : load.errors)
        qWarning("policy error: %s: %s", issue.path.c_str(), issue.message.c_str());
    return load.policy;
}

// ---- UsageLedger helpers --------------------------------------------------------------------------

constexpr std::int64_t kMonday = 1767607200000; // 2026-01-05T10:00:00Z

rl::LedgerEvent makeLedgerEvent(int i)
{
    static const rl::UsageStatus statuses[] = {rl::UsageStatus::Ok, rl::UsageStatus::Fallback, rl::UsageStatus::Error,
                                               rl::UsageStatus::Blocked};
    rl::LedgerEvent event;
    rl::UsageEvent &u = event.usage;
    u.requestId = "req-" + std::to_string(i);
    u.timeMs = kMonday + i * 1000;
    u.team = i % 2 == 0 ? "legal" : "support";
    u.user = "user-" + std::to_string(i % 3);
    u.app = "contracts";
    if (i % 5 != 0)
        u.tags = {"prod", "tag \"" + std::to_string(i) + "\""};
    u.requestedModel = i % 2 == 0 ? "auto" : "mid";
    u.model = "openai/gpt-5-mini";
    u.provider = "openai";
    u.tier = "mid";
    u.tierRank = 1;
    u.rule = "short-prompts";
    u.policyVersion = 7;
    u.tokens = {100 + i, 20, 5, 50 + i, 10};
    u.costMicro = 1000 + i;
    u.frontierCostMicro = 5000 + i;
    u.unpriced = i % 4 == 3;
    u.unmetered = i % 5 == 4;
    u.latencyMs = 800 + i;
    u.status = statuses[i % 4];
    if (i % 3 != 0)
        u.complexity = 0.125 * (i % 8);
    u.task = "summarize";
    event.httpStatus = i % 4 == 2 ? 502 : 200;
    event.stream = i % 2 == 0;
    event.firstByteMs = 120 + i;
    event.attempts = {{"openai/gpt-5", "timeout", 0, 30000}, {"openai/gpt-5-mini", "ok", 200, 800 + i}};
    if (i % 4 == 2)
        event.error = "upstream said \"no\"\nand closed";
    return event;
}

// The fields that differ between two events (the cursor aside), empty when none does.
std::string eventDiff(const rl::LedgerEvent &a, const rl::LedgerEvent &b)
{
    std::string diff;
    auto check = [&diff](const char *field, bool same) {
        if (!same)
            diff += std::string(diff.empty() ? "" : ", ") + field;
    };
    const rl::UsageEvent &x = a.usage;
    const rl::UsageEvent &y = b.usage;
    check("requestId", x.requestId == y.requestId);
    check("timeMs", x.timeMs == y.timeMs);
    check("team", x.team == y.team);
    check("user", x.user == y.user);
    check("app", x.app == y.app);
    check("tags", x.tags == y.tags);
    check("requestedModel", x.requestedModel == y.requestedModel);
    check("model", x.model == y.model);
    check("provider", x.provider == y.provider);
    check("tier", x.tier == y.tier);
    check("tierRank", x.tierRank == y.tierRank);
    check("rule", x.rule == y.rule);
    check("policyVersion", x.policyVersion == y.policyVersion);
    check("tokens", tokenText(x.tokens) == tokenText(y.tokens));
    check("costMicro", x.costMicro == y.costMicro);
    check("frontierCostMicro", x.frontierCostMicro == y.frontierCostMicro);
    check("unpriced", x.unpriced == y.unpriced);
    check("unmetered", x.unmetered == y.unmetered);
    check("latencyMs", x.latencyMs == y.latencyMs);
    check("status", x.status == y.status);
    check("complexity", x.complexity == y.complexity);
    check("task", x.task == y.task);
    check("httpStatus", a.httpStatus == b.httpStatus);
    check("stream", a.stream == b.stream);
    check("firstByteMs", a.firstByteMs == b.firstByteMs);
    check("error", a.error == b.error);
    bool sameAttempts = a.attempts.size() == b.attempts.size();
    for (std::size_t i = 0; sameAttempts && i < a.attempts.size(); ++i) {
        sameAttempts = a.attempts[i].model == b.attempts[i].model && a.attempts[i].outcome == b.attempts[i].outcome
                       && a.attempts[i].httpStatus == b.attempts[i].httpStatus
                       && a.attempts[i].latencyMs == b.attempts[i].latencyMs;
    }
    check("attempts", sameAttempts);
    return diff;
}

std::unique_ptr<rl::UsageLedger> openLedger(const std::string &path, std::chrono::milliseconds window = 20ms)
{
    auto ledger = rl::UsageLedger::open(path, window);
    if (!ledger) {
        qWarning("cannot open the ledger: %s", ledger.error().message.c_str());
        return nullptr;
    }
    return std::move(ledger.value());
}

// ---- RouterMetrics helpers ------------------------------------------------------------------------

QStringList renderedLines(const rl::RouterMetrics &metrics)
{
    return qs(metrics.render()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

qsizetype countStartingWith(const QStringList &lines, const QString &prefix)
{
    qsizetype n = 0;
    for (const QString &line : lines)
        n += line.startsWith(prefix) ? 1 : 0;
    return n;
}

} // namespace

class TestRouterUnits : public QObject {
    Q_OBJECT
private slots:
    // ---- 1. RouterConfig ------------------------------------------------------------------------------

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
        QVERIFY(lines[0].endsWith(QLatin1String(", breaker, providers, clients)")));
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

    // ---- 2. Completion usage ------------------------------------------------------------------------

    void readCompletionUsage_data()
    {
        QTest::addColumn<QByteArray>("usage");
        QTest::addColumn<QString>("expected");
        QTest::newRow("cached and reasoning")
            << QByteArray(R"({"prompt_tokens":100,"completion_tokens":50,"total_tokens":150,)"
                          R"("prompt_tokens_details":{"cached_tokens":30},)"
                          R"("completion_tokens_details":{"reasoning_tokens":20}})")
            << "in=70 cached=30 write=0 out=50 reasoning=20";
        QTest::newRow("no details") << QByteArray(R"({"prompt_tokens":100,"completion_tokens":50})")
                                    << "in=100 cached=0 write=0 out=50 reasoning=0";
        QTest::newRow("null details") << QByteArray(
            R"({"prompt_tokens":9,"completion_tokens":4,"prompt_tokens_details":null,"completion_tokens_details":null})")
                                      << "in=9 cached=0 write=0 out=4 reasoning=0";
        QTest::newRow("empty details") << QByteArray(
            R"({"prompt_tokens":9,"completion_tokens":4,"prompt_tokens_details":{},"completion_tokens_details":{}})")
                                       << "in=9 cached=0 write=0 out=4 reasoning=0";
        // Counts that are not whole and non-negative make the answer unmetered, not free.
        QTest::newRow("negative") << QByteArray(R"({"prompt_tokens":-5,"completion_tokens":-1,)"
                                                R"("prompt_tokens_details":{"cached_tokens":-3}})")
                                  << "none";
        QTest::newRow("no completion tokens") << QByteArray(R"({"prompt_tokens":5})") << "none";
        QTest::newRow("negative cached") << QByteArray(
            R"({"prompt_tokens":40,"completion_tokens":8,"prompt_tokens_details":{"cached_tokens":-3},)"
            R"("completion_tokens_details":{"reasoning_tokens":-2}})")
                                         << "in=40 cached=0 write=0 out=8 reasoning=0";
        QTest::newRow("strings and fractions") << QByteArray(R"({"prompt_tokens":"100","completion_tokens":12.5,)"
                                                             R"("prompt_tokens_details":{"cached_tokens":"30"}})")
                                               << "none";
        QTest::newRow("fraction cached") << QByteArray(
            R"({"prompt_tokens":100,"completion_tokens":10,"prompt_tokens_details":{"cached_tokens":3.5}})")
                                         << "in=100 cached=0 write=0 out=10 reasoning=0";
        QTest::newRow("cached over prompt")
            << QByteArray(R"({"prompt_tokens":10,"completion_tokens":5,"prompt_tokens_details":{"cached_tokens":30},)"
                          R"("completion_tokens_details":{"reasoning_tokens":9}})")
            << "in=0 cached=10 write=0 out=5 reasoning=5";
        QTest::newRow("empty object") << QByteArray("{}") << "none";
        QTest::newRow("null") << QByteArray("null") << "none";
        QTest::newRow("array") << QByteArray("[1,2]") << "none";
        QTest::newRow("number") << QByteArray("42") << "none";
        QTest::newRow("string") << QByteArray(R"("usage")") << "none";
    }

    void readCompletionUsage()
    {
        QFETCH(QByteArray, usage);
        QFETCH(QString, expected);
        QCOMPARE(tokenText(rl::readCompletionUsage(json::parse(str(usage)))), expected);
    }

    void findCompletionUsage_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("expected");
        const QByteArray usage = R"({"prompt_tokens":100,"completion_tokens":50,"total_tokens":150,)"
                                 R"("prompt_tokens_details":{"cached_tokens":30,"audio_tokens":0},)"
                                 R"("completion_tokens_details":{"reasoning_tokens":20,"audio_tokens":0}})";
        const QString tokens = QStringLiteral("in=70 cached=30 write=0 out=50 reasoning=20");
        const QByteArray message = R"({"role":"assistant","content":"Here you go.","refusal":null,"annotations":[]})";
        const QByteArray completion = R"({"id":"chatcmpl-1","object":"chat.completion","created":1767607200,)"
                                      R"("model":"gpt-5-mini","choices":[{"index":0,"message":)"
                                      + message + R"(,"logprobs":null,"finish_reason":"stop"}],)";
        QTest::newRow("usage last") << completion + R"("usage":)" + usage + R"(,"service_tier":"default"})" << tokens;
        QTest::newRow("usage first") << R"({"usage":)" + usage + R"(,"id":"x","choices":[]})" << tokens;
        QTest::newRow("pretty printed") << qs(json::parse(completion + R"("usage":)" + usage + "}").dump(2)).toUtf8()
                                        << tokens;
        QTest::newRow("spaces around colon") << R"({ "id" : "x" , "usage" :  )" + usage + " }" << tokens;
        QTest::newRow("usage text in content")
            << "{\"id\":\"x\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"{"
               "\\\"usage\\\":{\\\"prompt_tokens\\\":999}}\"}}],\"usage\":"
                   + usage + "}"
            << tokens;
        QTest::newRow("escaped backslash before quote")
            << "{\"id\":\"C:\\\\\",\"choices\":[{\"message\":{\"content\":\"path C:\\\\\"}}],\"usage\":" + usage + "}"
            << tokens;
        QTest::newRow("escaped quote before usage") << "{\"id\":\"say \\\"hi\",\"usage\":" + usage + "}" << tokens;
        QTest::newRow("escaped quote inside usage")
            << QByteArray("{\"usage\":{\"note\":\"a \\\" } b\",\"prompt_tokens\":7,\"completion_tokens\":3}}")
            << "in=7 cached=0 write=0 out=3 reasoning=0";
        QTest::newRow("nested usage first")
            << R"({"choices":[{"index":0,"message":{"content":"hi"},"usage":{"prompt_tokens":999}}],"meta":{"usage":{"prompt_tokens":888}},"usage":)"
                   + usage + "}"
            << tokens;
        QTest::newRow("braces in usage strings")
            << QByteArray("{\"id\":\"x\",\"usage\":{\"note\":\"} ] {\",\"prompt_tokens\":7,\"completion_tokens\":3}}")
            << "in=7 cached=0 write=0 out=3 reasoning=0";
        QTest::newRow("absent") << completion + R"("service_tier":"default"})"
                                << "none";
        QTest::newRow("only nested") << QByteArray(
            R"({"choices":[{"message":{"content":"x"},"usage":{"prompt_tokens":999}}]})")
                                     << "none";
        QTest::newRow("usage as a string value") << QByteArray(R"({"id":"x","usage":"n/a","model":"m"})") << "none";
        QTest::newRow("key named by a value")
            << QByteArray(R"({"object":"usage","choices":[{"prompt_tokens":5}],"model":"m"})") << "none";
        QTest::newRow("usage null") << QByteArray(R"({"id":"x","usage":null})") << "none";
        QTest::newRow("usage in content only")
            << QByteArray("{\"choices\":[{\"message\":{\"content\":\"\\\"usage\\\":{\\\"prompt_tokens\\\":999}\"}}]}")
            << "none";
        QTest::newRow("top-level array") << QByteArray(R"([{"usage":{"prompt_tokens":5}}])") << "none";
        QTest::newRow("empty") << QByteArray() << "none";
    }

    void findCompletionUsage()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, expected);
        const std::string text = str(body);
        QCOMPARE(tokenText(rl::findCompletionUsage(text)), expected);
    }

    // ---- 3. SseForwarder ----------------------------------------------------------------------------

    void sseForwarding_data()
    {
        QTest::addColumn<QByteArray>("eol");
        QTest::addColumn<bool>("suppress");
        QTest::newRow("LF, usage held back") << QByteArray("\n") << true;
        QTest::newRow("LF, usage forwarded") << QByteArray("\n") << false;
        QTest::newRow("CRLF, usage held back") << QByteArray("\r\n") << true;
        QTest::newRow("CRLF, usage forwarded") << QByteArray("\r\n") << false;
    }

    void sseForwarding()
    {
        QFETCH(QByteArray, eol);
        QFETCH(bool, suppress);
        const SseStream stream = openAiStream(str(eol));
        const std::string &input = stream.full;
        const std::string &expected = suppress ? stream.withoutUsage : stream.full;
        QVERIFY(expected.size() < input.size() || !suppress);

        auto check = [&](rl::SseForwarder &forwarder, const std::string &out, const QString &how) {
            QVERIFY2(out == expected, qPrintable(how + QStringLiteral(": forwarded ") + qs(out)));
            QVERIFY2(tokenText(forwarder.usage()) == kStreamUsage, qPrintable(how));
            QVERIFY2(forwarder.sawDone(), qPrintable(how));
            QVERIFY2(!forwarder.sawError(), qPrintable(how));
            QVERIFY2(forwarder.takeRemainder().empty(), qPrintable(how));
        };

        {
            rl::SseForwarder forwarder(suppress);
            std::string out;
            QVERIFY(forwarder.feed(input, out));
            check(forwarder, out, QStringLiteral("at once"));
            if (QTest::currentTestFailed())
                return;
        }
        {
            rl::SseForwarder forwarder(suppress);
            std::string all, out;
            for (char c : input) {
                out.clear();
                QVERIFY(forwarder.feed(std::string_view(&c, 1), out));
                all += out;
            }
            check(forwarder, all, QStringLiteral("byte by byte"));
            if (QTest::currentTestFailed())
                return;
        }
        for (std::size_t split = 0; split <= input.size(); ++split) {
            rl::SseForwarder forwarder(suppress);
            std::string all, out;
            QVERIFY(forwarder.feed(std::string_view(input).substr(0, split), out));
            all += out;
            out.clear();
            QVERIFY(forwarder.feed(std::string_view(input).substr(split), out));
            all += out;
            check(forwarder, all, QStringLiteral("split at %1").arg(split));
            if (QTest::currentTestFailed())
                return;
        }
    }

    void sseForwardsWholeEventsOnly()
    {
        const SseStream stream = openAiStream("\n");
        const std::string first = stream.full.substr(0, stream.full.find("\n\n") + 2);
        rl::SseForwarder forwarder(true);
        std::string out;
        // Everything but the blank line's last newline: nothing is complete yet.
        QVERIFY(forwarder.feed(std::string_view(first).substr(0, first.size() - 1), out));
        QCOMPARE(qs(out), QString());
        QVERIFY(forwarder.feed("\n", out));
        QCOMPARE(qs(out), qs(first));
    }

    void sseEventKinds_data()
    {
        QTest::addColumn<QByteArray>("event");
        QTest::addColumn<bool>("suppress");
        QTest::addColumn<bool>("forwarded");
        QTest::addColumn<QString>("usage");
        QTest::addColumn<bool>("error");
        const QByteArray usageChunk = R"({"id":"c","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":3}})";
        const QString tokens = QStringLiteral("in=12 cached=0 write=0 out=3 reasoning=0");
        QTest::newRow("usage-only, held back") << "data: " + usageChunk + "\n\n" << true << false << tokens << false;
        QTest::newRow("usage-only, forwarded") << "data: " + usageChunk + "\n\n" << false << true << tokens << false;
        QTest::newRow("no space after data:") << "data:" + usageChunk + "\n\n" << true << false << tokens << false;
        QTest::newRow("named event") << "event: message\ndata: " + usageChunk + "\n\n"
                                     << true << false << tokens << false;
        QTest::newRow("usage with choices")
            << QByteArray("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],"
                          "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3}}\n\n")
            << true << true << tokens << false;
        QTest::newRow("usage null") << QByteArray(
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}],\"usage\":null}\n\n")
                                    << true << true << "none" << false;
        QTest::newRow("usage null, no choices")
            << QByteArray("data: {\"choices\":[],\"usage\":null}\n\n") << true << true << "none" << false;
        QTest::newRow("usage in content")
            << QByteArray("data: {\"choices\":[{\"delta\":{\"content\":\"the \\\"usage\\\" field\"}}]}\n\n") << true
            << true << "none" << false;
        QTest::newRow("error") << QByteArray(
            "data: {\"error\":{\"message\":\"The server is overloaded\",\"type\":\"server_error\","
            "\"code\":null}}\n\n")
                               << true << true << "none" << true;
        QTest::newRow("error in content")
            << QByteArray("data: {\"choices\":[{\"delta\":{\"content\":\"no \\\"error\\\" here\"}}]}\n\n") << true
            << true << "none" << false;
        QTest::newRow("comment") << QByteArray(": keep-alive\n\n") << true << true << "none" << false;
    }

    void sseEventKinds()
    {
        QFETCH(QByteArray, event);
        QFETCH(bool, suppress);
        QFETCH(bool, forwarded);
        QFETCH(QString, usage);
        QFETCH(bool, error);
        rl::SseForwarder forwarder(suppress);
        std::string out;
        QVERIFY(forwarder.feed(str(event), out));
        QCOMPARE(qs(out), forwarded ? qs(str(event)) : QString());
        QCOMPARE(tokenText(forwarder.usage()), usage);
        QCOMPARE(forwarder.sawError(), error);
        QCOMPARE(forwarder.sawDone(), false);
        QCOMPARE(qs(forwarder.takeRemainder()), QString());
    }

    void sseUsageNullChunksLeaveUsageUnset()
    {
        SseStream stream = openAiStream("\n");
        // The stream of a client that did not get usage: every chunk has "usage":null and none carries it.
        const std::string input = stream.withoutUsage;
        rl::SseForwarder forwarder(true);
        std::string out;
        QVERIFY(forwarder.feed(input, out));
        QCOMPARE(qs(out), qs(input));
        QCOMPARE(tokenText(forwarder.usage()), QStringLiteral("none"));
        QVERIFY(forwarder.sawDone());
    }

    void sseDoneInsideContentIsNotTheEnd()
    {
        rl::SseForwarder forwarder(true);
        std::string out;
        QVERIFY(
            forwarder.feed("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"print('[DONE]')\"}}]}\n\n", out));
        QCOMPARE(forwarder.sawDone(), false);
        QVERIFY(forwarder.feed("data: [DONE]\n\n", out));
        QCOMPARE(forwarder.sawDone(), true);
    }

    void sseOversizedEvent()
    {
        constexpr std::size_t limit = rl::SseForwarder::kMaxEventBytes;
        {
            // An event of exactly the limit, still unterminated, is accepted; one more byte is not.
            rl::SseForwarder forwarder(true);
            std::string out;
            const std::string head = "data: \"";
            QVERIFY(forwarder.feed(head, out));
            const std::string piece(64 * 1024, 'x');
            std::size_t fed = head.size();
            while (fed + piece.size() <= limit) {
                QVERIFY(forwarder.feed(piece, out));
                fed += piece.size();
            }
            QVERIFY(forwarder.feed(std::string(limit - fed, 'y'), out));
            QVERIFY(out.empty());
            QVERIFY(!forwarder.feed("z", out));
            QVERIFY(out.empty());
        }
        {
            // A large event under the limit, fed in pieces, arrives whole.
            rl::SseForwarder forwarder(true);
            const std::string event = "data: \"" + std::string(limit - 16, 'x') + "\"\n\n";
            std::string all, out;
            for (std::size_t at = 0; at < event.size(); at += 16 * 1024) {
                out.clear();
                QVERIFY(forwarder.feed(std::string_view(event).substr(at, 16 * 1024), out));
                all += out;
            }
            QCOMPARE(all.size(), event.size());
            QVERIFY(all == event);
        }
    }

    void sseRemainder()
    {
        rl::SseForwarder forwarder(true);
        std::string out;
        QVERIFY(forwarder.feed("data: {\"a\":1}\n\ndata: {\"b\"", out));
        QCOMPARE(qs(out), QStringLiteral("data: {\"a\":1}\n\n"));
        QVERIFY(forwarder.feed(":2}\n", out));
        QCOMPARE(qs(out), QStringLiteral("data: {\"a\":1}\n\n"));
        QCOMPARE(qs(forwarder.takeRemainder()), QStringLiteral("data: {\"b\":2}\n"));
        QCOMPARE(qs(forwarder.takeRemainder()), QString());
        // The forwarder carries on after its remainder was taken.
        out.clear();
        QVERIFY(forwarder.feed("data: [DONE]\r\n\r\n", out));
        QCOMPARE(qs(out), QStringLiteral("data: [DONE]\r\n\r\n"));
        QVERIFY(forwarder.sawDone());
    }

    // ---- 4. CircuitBreaker --------------------------------------------------------------------------

    void breakerOpensAfterConsecutiveFailures()
    {
        rl::CircuitBreaker breaker(3, 1000ms);
        const auto t0 = rl::CircuitBreaker::Clock::time_point{} + 10h;
        const std::string model = "openai/gpt-5";
        QVERIFY(breaker.allow(model, t0));
        QCOMPARE(stateName(breaker.state(model, t0)), QStringLiteral("closed"));
        QCOMPARE(breaker.retryAfterMs(model, t0), std::int64_t(0));

        breaker.recordFailure(model, t0);
        breaker.recordFailure(model, t0 + 1ms);
        QCOMPARE(stateName(breaker.state(model, t0 + 2ms)), QStringLiteral("closed"));
        QVERIFY(breaker.allow(model, t0 + 2ms));
        QVERIFY(breaker.allow(model, t0 + 2ms));

        breaker.recordFailure(model, t0 + 10ms);
        QCOMPARE(stateName(breaker.state(model, t0 + 10ms)), QStringLiteral("open"));
        QVERIFY(!breaker.allow(model, t0 + 10ms));
        QVERIFY(!breaker.allow(model, t0 + 500ms));
        QCOMPARE(breaker.retryAfterMs(model, t0 + 10ms), std::int64_t(1000));
        QCOMPARE(breaker.retryAfterMs(model, t0 + 260ms), std::int64_t(750));
        QCOMPARE(breaker.retryAfterMs(model, t0 + 1009ms), std::int64_t(1));
        QCOMPARE(stateName(breaker.state(model, t0 + 1009ms)), QStringLiteral("open"));
        QVERIFY(!breaker.allow(model, t0 + 1009ms));
        QCOMPARE(stateName(breaker.state(model, t0 + 1010ms)), QStringLiteral("half-open"));
        QCOMPARE(breaker.retryAfterMs(model, t0 + 1010ms), std::int64_t(0));
    }

    void breakerSuccessResetsTheCount()
    {
        rl::CircuitBreaker breaker(3, 1000ms);
        const auto t0 = rl::CircuitBreaker::Clock::time_point{} + 10h;
        const std::string model = "openai/gpt-5";
        breaker.recordFailure(model, t0);
        breaker.recordFailure(model, t0);
        breaker.recordSuccess(model);
        breaker.recordFailure(model, t0);
        breaker.recordFailure(model, t0);
        QCOMPARE(stateName(breaker.state(model, t0)), QStringLiteral("closed"));
        QVERIFY(breaker.allow(model, t0));
        breaker.recordFailure(model, t0);
        QCOMPARE(stateName(breaker.state(model, t0)), QStringLiteral("open"));
        QVERIFY(!breaker.allow(model, t0));
    }

    void breakerHalfOpenLetsOneProbeThrough()
    {
        rl::CircuitBreaker breaker(3, 1000ms);
        const auto t0 = rl::CircuitBreaker::Clock::time_point{} + 10h;
        const std::string model = "openai/gpt-5";
        for (int i = 0; i < 3; ++i)
            breaker.recordFailure(model, t0);
        const auto later = t0 + 1000ms;
        QCOMPARE(stateName(breaker.state(model, later)), QStringLiteral("half-open"));
        QVERIFY(breaker.allow(model, later));  // the probe
        QVERIFY(!breaker.allow(model, later)); // everyone else waits for it
        QVERIFY(!breaker.allow(model, later + 5s));
        QCOMPARE(stateName(breaker.state(model, later + 5s)), QStringLiteral("half-open"));

        // The probe fails: open again for a full period from the failure.
        const auto failedAt = later + 500ms;
        breaker.recordFailure(model, failedAt);
        QCOMPARE(stateName(breaker.state(model, failedAt)), QStringLiteral("open"));
        QVERIFY(!breaker.allow(model, failedAt));
        QCOMPARE(breaker.retryAfterMs(model, failedAt), std::int64_t(1000));
        QVERIFY(!breaker.allow(model, failedAt + 999ms));
        QCOMPARE(stateName(breaker.state(model, failedAt + 1000ms)), QStringLiteral("half-open"));
        QVERIFY(breaker.allow(model, failedAt + 1000ms));
        QVERIFY(!breaker.allow(model, failedAt + 1000ms));

        // The next probe succeeds: closed, and the count starts again from zero.
        breaker.recordSuccess(model);
        const auto closedAt = failedAt + 1001ms;
        QCOMPARE(stateName(breaker.state(model, closedAt)), QStringLiteral("closed"));
        QVERIFY(breaker.allow(model, closedAt));
        QVERIFY(breaker.allow(model, closedAt));
        breaker.recordFailure(model, closedAt);
        breaker.recordFailure(model, closedAt);
        QCOMPARE(stateName(breaker.state(model, closedAt)), QStringLiteral("closed"));
        breaker.recordFailure(model, closedAt);
        QCOMPARE(stateName(breaker.state(model, closedAt)), QStringLiteral("open"));
    }

    void breakerModelsAreIndependent()
    {
        rl::CircuitBreaker breaker(3, 1000ms);
        const auto t0 = rl::CircuitBreaker::Clock::time_point{} + 10h;
        for (int i = 0; i < 3; ++i)
            breaker.recordFailure("openai/gpt-5", t0);
        breaker.recordFailure("anthropic/claude-opus-4-1", t0);
        breaker.recordSuccess("deepseek/deepseek-chat"); // a success alone does not make an entry

        QVERIFY(!breaker.allow("openai/gpt-5", t0));
        QVERIFY(breaker.allow("openai/gpt-5-mini", t0));
        QVERIFY(breaker.allow("anthropic/claude-opus-4-1", t0));
        QCOMPARE(breaker.retryAfterMs("anthropic/claude-opus-4-1", t0), std::int64_t(0));

        auto states = breaker.states(t0);
        QCOMPARE(states.size(), std::size_t(2));
        QCOMPARE(qs(states[0].first), QStringLiteral("anthropic/claude-opus-4-1"));
        QCOMPARE(stateName(states[0].second), QStringLiteral("closed"));
        QCOMPARE(qs(states[1].first), QStringLiteral("openai/gpt-5"));
        QCOMPARE(stateName(states[1].second), QStringLiteral("open"));

        states = breaker.states(t0 + 1000ms);
        QCOMPARE(stateName(states[1].second), QStringLiteral("half-open"));

        // Two more failures on the other model open it, without touching the first.
        breaker.recordFailure("anthropic/claude-opus-4-1", t0 + 1000ms);
        breaker.recordFailure("anthropic/claude-opus-4-1", t0 + 1000ms);
        QCOMPARE(stateName(breaker.state("anthropic/claude-opus-4-1", t0 + 1000ms)), QStringLiteral("open"));
        QCOMPARE(breaker.retryAfterMs("anthropic/claude-opus-4-1", t0 + 1000ms), std::int64_t(1000));
        QVERIFY(breaker.allow("openai/gpt-5", t0 + 1000ms));
    }

    // ---- 5. PolicyHolder ----------------------------------------------------------------------------

    void policyETag()
    {
        auto policy = makePolicy("p", 1);
        QVERIFY(policy);
        rl::PolicyHolder holder(policy);
        const rl::PolicyHolder::Snapshot snapshot = holder.snapshot();
        QCOMPARE(snapshot.policy.get(), policy.get());
        QCOMPARE(holder.policy().get(), policy.get());
        QVERIFY(snapshot.document);
        QCOMPARE(qs(*snapshot.document), qs(rl::PolicyWriter::toText(*policy)));
        QVERIFY2(QRegularExpression(QStringLiteral("^\"v1-[0-9a-f]{16}\"$")).match(qs(snapshot.etag)).hasMatch(),
                 snapshot.etag.c_str());
        QCOMPARE(qs(snapshot.etag), qs("\"v1-" + rl::sha256Hex(*snapshot.document).substr(0, 16) + "\""));

        // The same document again has the same tag; another one with the same version does not.
        auto same = makePolicy("p", 1);
        auto renamed = makePolicy("q", 1);
        auto otherModel = makePolicy("p", 1, "openai/gpt-5-nano");
        auto bumped = makePolicy("p", 12);
        QVERIFY(same && renamed && otherModel && bumped);
        QCOMPARE(qs(rl::PolicyHolder::makeSnapshot(same).etag), qs(snapshot.etag));
        const std::string renamedTag = rl::PolicyHolder::makeSnapshot(renamed).etag;
        const std::string otherModelTag = rl::PolicyHolder::makeSnapshot(otherModel).etag;
        QVERIFY(renamedTag.rfind("\"v1-", 0) == 0);
        QVERIFY(renamedTag != snapshot.etag);
        QVERIFY(otherModelTag != snapshot.etag);
        QVERIFY(otherModelTag != renamedTag);
        QVERIFY(QRegularExpression(QStringLiteral("^\"v12-[0-9a-f]{16}\"$"))
                    .match(qs(rl::PolicyHolder::makeSnapshot(bumped).etag))
                    .hasMatch());
    }

    void policyReplaceIf()
    {
        auto first = makePolicy("p", 1);
        auto second = makePolicy("p", 2);
        auto third = makePolicy("p", 3);
        QVERIFY(first && second && third);
        rl::PolicyHolder holder(first);
        const rl::PolicyHolder::Snapshot before = holder.snapshot();
        std::shared_ptr<const rl::Policy> inFlight = holder.policy(); // a request that started before the swap

        // The current ETag: swapped, and persist saw exactly what is installed.
        int persisted = 0;
        std::string persistedEtag;
        rl::PolicyHolder::Snapshot installed, previous;
        auto result = holder.replaceIf(
            before.etag, second,
            [&](const rl::PolicyHolder::Snapshot &candidate) {
                ++persisted;
                persistedEtag = candidate.etag;
                return true;
            },
            installed, previous);
        QCOMPARE(int(result), int(rl::PolicyHolder::SwapResult::Swapped));
        QCOMPARE(persisted, 1);
        QCOMPARE(previous.policy.get(), first.get());
        QCOMPARE(installed.policy.get(), second.get());
        QCOMPARE(qs(installed.etag), qs(persistedEtag));
        QCOMPARE(qs(holder.snapshot().etag), qs(installed.etag));
        QVERIFY(installed.etag != before.etag);
        QCOMPARE(holder.policy().get(), second.get());
        QCOMPARE(qs(*holder.snapshot().document), qs(rl::PolicyWriter::toText(*second)));

        // What was taken before the swap still holds the old policy.
        QCOMPARE(inFlight.get(), first.get());
        QCOMPARE(inFlight->version, std::int64_t(1));
        QCOMPARE(before.policy.get(), first.get());
        QCOMPARE(qs(*before.document), qs(rl::PolicyWriter::toText(*first)));

        // A stale ETag: nothing is persisted and the policy stays.
        const std::string current = holder.snapshot().etag;
        rl::PolicyHolder::Snapshot untouched;
        result = holder.replaceIf(
            before.etag, third,
            [&](const rl::PolicyHolder::Snapshot &) {
                ++persisted;
                return true;
            },
            untouched, previous);
        QCOMPARE(int(result), int(rl::PolicyHolder::SwapResult::StaleETag));
        QCOMPARE(persisted, 1);
        QCOMPARE(untouched.policy.get(), second.get()); // what stays in force
        QCOMPARE(previous.policy.get(), second.get());
        QCOMPARE(holder.policy().get(), second.get());
        QCOMPARE(qs(holder.snapshot().etag), qs(current));

        // persist says no: the policy stays.
        result = holder.replaceIf(
            current, third,
            [&](const rl::PolicyHolder::Snapshot &) {
                ++persisted;
                return false;
            },
            untouched, previous);
        QCOMPARE(int(result), int(rl::PolicyHolder::SwapResult::PersistFailed));
        QCOMPARE(persisted, 2);
        QCOMPARE(untouched.policy.get(), second.get());
        QCOMPARE(holder.policy().get(), second.get());
        QCOMPARE(qs(holder.snapshot().etag), qs(current));

        // ... and the same ETag still works afterwards.
        result = holder.replaceIf(
            current, third, [](const rl::PolicyHolder::Snapshot &) { return true; }, installed, previous);
        QCOMPARE(int(result), int(rl::PolicyHolder::SwapResult::Swapped));
        QCOMPARE(holder.policy()->version, std::int64_t(3));

        // A version that does not increase is refused, lower or equal, and nothing is persisted.
        const std::string atThree = holder.snapshot().etag;
        auto lower = makePolicy("p", 0);
        auto sameVersionOtherName = makePolicy("q", 3);
        QVERIFY(lower && sameVersionOtherName);
        for (const auto &next : {lower, second, sameVersionOtherName}) {
            result = holder.replaceIf(
                atThree, next,
                [&](const rl::PolicyHolder::Snapshot &) {
                    ++persisted;
                    return true;
                },
                untouched, previous);
            QCOMPARE(int(result), int(rl::PolicyHolder::SwapResult::VersionNotIncreasing));
            QCOMPARE(holder.policy().get(), third.get());
            QCOMPARE(previous.policy->version, std::int64_t(3));
        }
        QCOMPARE(persisted, 2);

        // The same document again (a retried push) changes nothing and succeeds.
        auto thirdAgain = makePolicy("p", 3);
        result = holder.replaceIf(
            atThree, thirdAgain,
            [&](const rl::PolicyHolder::Snapshot &) {
                ++persisted;
                return true;
            },
            installed, previous);
        QCOMPARE(int(result), int(rl::PolicyHolder::SwapResult::Unchanged));
        QCOMPARE(persisted, 2);
        QCOMPARE(holder.policy().get(), third.get());
        QCOMPARE(qs(installed.etag), qs(atThree));
    }

    void policyConcurrentReplaceIfHasOneWinner()
    {
        auto initial = makePolicy("p", 1);
        auto left = makePolicy("left", 2);
        auto right = makePolicy("right", 2);
        QVERIFY(initial && left && right);
        for (int round = 0; round < 200; ++round) {
            rl::PolicyHolder holder(initial);
            const std::string etag = holder.snapshot().etag;
            std::latch start(2);
            std::atomic<int> persists{0};
            rl::PolicyHolder::SwapResult results[2] = {};
            auto put = [&](int index, std::shared_ptr<const rl::Policy> next) {
                rl::PolicyHolder::Snapshot installed, previous;
                start.arrive_and_wait();
                results[index] = holder.replaceIf(
                    etag, std::move(next),
                    [&persists](const rl::PolicyHolder::Snapshot &) {
                        ++persists;
                        return true;
                    },
                    installed, previous);
            };
            std::thread a(put, 0, left);
            std::thread b(put, 1, right);
            a.join();
            b.join();
            const int swapped = (results[0] == rl::PolicyHolder::SwapResult::Swapped ? 1 : 0)
                                + (results[1] == rl::PolicyHolder::SwapResult::Swapped ? 1 : 0);
            const int stale = (results[0] == rl::PolicyHolder::SwapResult::StaleETag ? 1 : 0)
                              + (results[1] == rl::PolicyHolder::SwapResult::StaleETag ? 1 : 0);
            QVERIFY2(swapped == 1 && stale == 1, qPrintable(QStringLiteral("round %1").arg(round)));
            QCOMPARE(persists.load(), 1);
            const auto &winner = results[0] == rl::PolicyHolder::SwapResult::Swapped ? left : right;
            QCOMPARE(holder.policy().get(), winner.get());
        }
    }

    // ---- 6. UsageLedger -----------------------------------------------------------------------------

    void ledgerRoundTripsEvents()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string path = dir.filePath(QStringLiteral("ledger.db")).toStdString();
        constexpr int count = 25;
        {
            auto ledger = openLedger(path);
            QVERIFY(ledger);
            for (int i = 0; i < count; ++i)
                ledger->append(makeLedgerEvent(i));
            ledger->stop();
            QCOMPARE(ledger->pendingCount(), std::size_t(0));
            QCOMPARE(ledger->committedCount(), std::uint64_t(count));
            QCOMPARE(ledger->droppedCount(), std::uint64_t(0));
            QCOMPARE(ledger->commitFailures(), std::uint64_t(0));
            QCOMPARE(ledger->lagMs(), std::int64_t(0));
        }
        auto ledger = openLedger(path);
        QVERIFY(ledger);
        auto page = ledger->read(0, 1000);
        QVERIFY2(page.ok(), page.ok() ? "" : page.error().message.c_str());
        QCOMPARE(page->events.size(), std::size_t(count));
        QCOMPARE(page->hasMore, false);
        QCOMPARE(page->nextCursor, page->events.back().cursor);
        std::int64_t previous = 0;
        for (int i = 0; i < count; ++i) {
            const rl::LedgerEvent &event = page->events[static_cast<std::size_t>(i)];
            const std::string diff = eventDiff(event, makeLedgerEvent(i));
            QVERIFY2(diff.empty(), qPrintable(QStringLiteral("event %1 differs in: %2").arg(i).arg(qs(diff))));
            QVERIFY2(event.cursor > previous, qPrintable(QStringLiteral("cursor of event %1").arg(i)));
            previous = event.cursor;
        }
        // Spot checks, should eventDiff itself be wrong.
        const rl::LedgerEvent &seventh = page->events[7];
        QCOMPARE(seventh.usage.tags, (std::vector<std::string>{"prod", "tag \"7\""}));
        QCOMPARE(seventh.usage.complexity, std::optional<double>(0.875));
        QCOMPARE(seventh.usage.tokens.input, std::int64_t(107));
        QCOMPARE(seventh.usage.tokens.cachedInput, std::int64_t(20));
        QCOMPARE(seventh.usage.tokens.reasoning, std::int64_t(10));
        QCOMPARE(seventh.usage.unpriced, true);
        QCOMPARE(int(seventh.usage.status), int(rl::UsageStatus::Blocked));
        QCOMPARE(seventh.attempts.size(), std::size_t(2));
        QCOMPARE(qs(seventh.attempts[0].outcome), QStringLiteral("timeout"));
        QCOMPARE(seventh.attempts[1].latencyMs, std::int64_t(807));
        QCOMPARE(page->events[0].usage.complexity, std::optional<double>());
        QVERIFY(page->events[0].usage.tags.empty());
        QCOMPARE(qs(page->events[6].error), QStringLiteral("upstream said \"no\"\nand closed"));
    }

    void ledgerPaging_data()
    {
        QTest::addColumn<int>("limit");
        QTest::newRow("1") << 1;
        QTest::newRow("4") << 4;
        QTest::newRow("5 (divides)") << 5;
        QTest::newRow("24") << 24;
        QTest::newRow("25 (all)") << 25;
        QTest::newRow("26") << 26;
        QTest::newRow("1000") << 1000;
    }

    void ledgerPaging()
    {
        QFETCH(int, limit);
        QTemporaryDir dir;
        auto ledger = openLedger(dir.filePath(QStringLiteral("ledger.db")).toStdString());
        QVERIFY(ledger);
        constexpr std::size_t count = 25;
        for (int i = 0; i < int(count); ++i)
            ledger->append(makeLedgerEvent(i));
        ledger->stop();
        auto whole = ledger->read(0, 1000);
        QVERIFY(whole.ok());
        QCOMPARE(whole->events.size(), count);

        const std::size_t pageSize = static_cast<std::size_t>(limit);
        std::vector<rl::LedgerEvent> pages;
        std::int64_t after = 0;
        for (int guard = 0; guard < 100; ++guard) {
            auto page = ledger->read(after, pageSize);
            QVERIFY(page.ok());
            const std::size_t remaining = count - pages.size();
            QCOMPARE(page->events.size(), std::min(pageSize, remaining));
            QCOMPARE(page->hasMore, remaining > pageSize);
            QCOMPARE(page->nextCursor, page->events.back().cursor);
            pages.insert(pages.end(), page->events.begin(), page->events.end());
            after = page->nextCursor;
            if (!page->hasMore)
                break;
        }
        QCOMPARE(pages.size(), count);
        for (std::size_t i = 0; i < count; ++i) {
            QCOMPARE(pages[i].cursor, whole->events[i].cursor);
            QCOMPARE(qs(pages[i].usage.requestId), qs(whole->events[i].usage.requestId));
        }

        // Past the end: an empty page that keeps the cursor.
        auto end = ledger->read(after, pageSize);
        QVERIFY(end.ok());
        QCOMPARE(end->events.size(), std::size_t(0));
        QCOMPARE(end->hasMore, false);
        QCOMPARE(end->nextCursor, after);
    }

    void ledgerCursorsGrowAcrossRestarts()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("ledger.db")).toStdString();
        std::int64_t lastBefore = 0;
        {
            auto ledger = openLedger(path);
            QVERIFY(ledger);
            for (int i = 0; i < 5; ++i)
                ledger->append(makeLedgerEvent(i));
            ledger->stop();
            auto page = ledger->read(0, 100);
            QVERIFY(page.ok());
            QCOMPARE(page->events.size(), std::size_t(5));
            lastBefore = page->nextCursor;
        }
        {
            auto ledger = openLedger(path);
            QVERIFY(ledger);
            for (int i = 5; i < 8; ++i)
                ledger->append(makeLedgerEvent(i));
            ledger->stop();
        }
        auto ledger = openLedger(path);
        QVERIFY(ledger);
        auto page = ledger->read(0, 100);
        QVERIFY(page.ok());
        QCOMPARE(page->events.size(), std::size_t(8));
        for (std::size_t i = 0; i < 8; ++i)
            QCOMPARE(qs(page->events[i].usage.requestId), QStringLiteral("req-%1").arg(i));
        for (std::size_t i = 5; i < 8; ++i)
            QVERIFY(page->events[i].cursor > lastBefore);
        auto newer = ledger->read(lastBefore, 100);
        QVERIFY(newer.ok());
        QCOMPARE(newer->events.size(), std::size_t(3));
        QCOMPARE(qs(newer->events[0].usage.requestId), QStringLiteral("req-5"));
    }

    void ledgerHoldsEventsUntilTheWindowEndsOrStop()
    {
        QTemporaryDir dir;
        // A window far longer than the test: nothing can be committed before stop().
        auto ledger = openLedger(dir.filePath(QStringLiteral("ledger.db")).toStdString(), 600s);
        QVERIFY(ledger);
        for (int i = 0; i < 5; ++i)
            ledger->append(makeLedgerEvent(i));
        QCOMPARE(ledger->pendingCount(), std::size_t(5));
        QCOMPARE(ledger->committedCount(), std::uint64_t(0));
        QVERIFY(ledger->lagMs() >= 0);
        auto early = ledger->read(0, 100);
        QVERIFY(early.ok());
        QCOMPARE(early->events.size(), std::size_t(0));
        QCOMPARE(early->nextCursor, std::int64_t(0));

        ledger->stop(); // commits what is pending at once
        QCOMPARE(ledger->pendingCount(), std::size_t(0));
        QCOMPARE(ledger->committedCount(), std::uint64_t(5));
        QCOMPARE(ledger->lagMs(), std::int64_t(0));
        auto late = ledger->read(0, 100);
        QVERIFY(late.ok());
        QCOMPARE(late->events.size(), std::size_t(5));

        // After stop(), appends are dropped and counted.
        ledger->append(makeLedgerEvent(5));
        QCOMPARE(ledger->droppedCount(), std::uint64_t(1));
        QCOMPARE(ledger->pendingCount(), std::size_t(0));
        ledger->stop(); // a second stop is harmless
        auto after = ledger->read(0, 100);
        QVERIFY(after.ok());
        QCOMPARE(after->events.size(), std::size_t(5));
    }

    void ledgerCommitsEachWindow()
    {
        QTemporaryDir dir;
        auto ledger = openLedger(dir.filePath(QStringLiteral("ledger.db")).toStdString(), 20ms);
        QVERIFY(ledger);
        for (int i = 0; i < 10; ++i)
            ledger->append(makeLedgerEvent(i));
        QTRY_COMPARE(ledger->committedCount(), std::uint64_t(10));
        QCOMPARE(ledger->pendingCount(), std::size_t(0));
        auto first = ledger->read(0, 100);
        QVERIFY(first.ok());
        QCOMPARE(first->events.size(), std::size_t(10));

        // Read right away, the next events may not be there yet; after stop() they all are.
        for (int i = 10; i < 20; ++i)
            ledger->append(makeLedgerEvent(i));
        auto soon = ledger->read(0, 100);
        QVERIFY(soon.ok());
        QVERIFY(soon->events.size() >= 10 && soon->events.size() <= 20);
        ledger->stop();
        QCOMPARE(ledger->committedCount(), std::uint64_t(20));
        auto all = ledger->read(0, 100);
        QVERIFY(all.ok());
        QCOMPARE(all->events.size(), std::size_t(20));
        for (std::size_t i = 0; i < 20; ++i)
            QVERIFY2(eventDiff(all->events[i], makeLedgerEvent(int(i))).empty(), qPrintable(QString::number(i)));
    }

    void ledgerCommitsAFullBatchAtOnce()
    {
        QTemporaryDir dir;
        // The window never ends during the test: only a full batch makes the writer commit early.
        auto ledger = openLedger(dir.filePath(QStringLiteral("ledger.db")).toStdString(), 600s);
        QVERIFY(ledger);
        constexpr int full = int(rl::UsageLedger::kMaxBatch);
        for (int i = 0; i < full; ++i)
            ledger->append(makeLedgerEvent(i));
        QTRY_COMPARE(ledger->committedCount(), std::uint64_t(full));
        QCOMPARE(ledger->pendingCount(), std::size_t(0));
        for (int i = full; i < full + 10; ++i)
            ledger->append(makeLedgerEvent(i));
        QCOMPARE(ledger->pendingCount(), std::size_t(10));
        QCOMPARE(ledger->committedCount(), std::uint64_t(full));
        auto page = ledger->read(0, 10'000);
        QVERIFY(page.ok());
        QCOMPARE(page->events.size(), std::size_t(full));
        ledger->stop();
        QCOMPARE(ledger->committedCount(), std::uint64_t(full + 10));
        page = ledger->read(0, 10'000);
        QVERIFY(page.ok());
        QCOMPARE(page->events.size(), std::size_t(full + 10));
        QCOMPARE(qs(page->events.back().usage.requestId), QStringLiteral("req-%1").arg(full + 9));
    }

    void ledgerIgnoresDuplicateRequestIds()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("ledger.db")).toStdString();
        rl::LedgerEvent original = makeLedgerEvent(1);
        original.usage.requestId = "dup";
        rl::LedgerEvent again = makeLedgerEvent(2);
        again.usage.requestId = "dup";
        {
            auto ledger = openLedger(path);
            QVERIFY(ledger);
            ledger->append(original);
            ledger->append(again); // the same batch
            ledger->append(makeLedgerEvent(3));
            ledger->stop();
        }
        auto ledger = openLedger(path);
        QVERIFY(ledger);
        ledger->append(again); // a later session
        ledger->append(makeLedgerEvent(4));
        ledger->stop();
        auto page = ledger->read(0, 100);
        QVERIFY(page.ok());
        QCOMPARE(page->events.size(), std::size_t(3));
        QCOMPARE(qs(page->events[0].usage.requestId), QStringLiteral("dup"));
        QVERIFY2(eventDiff(page->events[0], original).empty(), eventDiff(page->events[0], original).c_str());
        QCOMPARE(qs(page->events[1].usage.requestId), QStringLiteral("req-3"));
        QCOMPARE(qs(page->events[2].usage.requestId), QStringLiteral("req-4"));
    }

    void ledgerKeepsTheHighestVersionSaved()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("ledger.db")).toStdString();
        {
            auto ledger = openLedger(path);
            QVERIFY(ledger);
            auto none = ledger->latestPolicy();
            QVERIFY(none.ok());
            QVERIFY(!none.value().has_value());
            QVERIFY(ledger->savePolicy({"{\"version\":1}", 1, "\"v1-aaaa\""}, kMonday).ok());
            QVERIFY(ledger->savePolicy({"{\"version\":2}", 2, "\"v2-bbbb\""}, kMonday + 1).ok());
            // Of two documents with one version (an older router accepted that), the last saved wins.
            QVERIFY(ledger->savePolicy({"{\"version\":2,\"name\":\"edited\"}", 2, "\"v2-cccc\""}, kMonday + 2).ok());
            // A lower version saved later (an older router accepted that too) never wins: a restart must
            // not go back to it.
            QVERIFY(ledger->savePolicy({"{\"version\":1}", 1, "\"v1-dddd\""}, kMonday + 3).ok());
            auto latest = ledger->latestPolicy();
            QVERIFY(latest.ok() && latest.value().has_value());
            QCOMPARE(qs(latest.value()->etag), QStringLiteral("\"v2-cccc\""));
        }
        auto ledger = openLedger(path);
        QVERIFY(ledger);
        auto latest = ledger->latestPolicy();
        QVERIFY(latest.ok());
        QVERIFY(latest.value().has_value());
        QCOMPARE(qs(latest.value()->document), QStringLiteral("{\"version\":2,\"name\":\"edited\"}"));
        QCOMPARE(latest.value()->version, std::int64_t(2));
        QCOMPARE(qs(latest.value()->etag), QStringLiteral("\"v2-cccc\""));
    }

    void ledgerRejectsAFileThatIsNotSqlite()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("garbage.db"));
        QByteArray garbage;
        for (int i = 0; i < 512; ++i)
            garbage += "this is not an SQLite file\n";
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            QCOMPARE(file.write(garbage), garbage.size());
        }
        auto ledger = rl::UsageLedger::open(path.toStdString(), 20ms);
        QVERIFY(!ledger.ok());
        QCOMPARE(qs(ledger.error().code), QStringLiteral("store.not_a_database"));
        QVERIFY2(qs(ledger.error().message).contains(path), ledger.error().message.c_str());
        // The file is left as it was.
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), garbage);
    }

    void ledgerNamesAMissingFolder()
    {
        QTemporaryDir dir;
        const QString folder = dir.filePath(QStringLiteral("no-such-folder"));
        auto ledger = rl::UsageLedger::open((folder + QStringLiteral("/ledger.db")).toStdString(), 20ms);
        QVERIFY(!ledger.ok());
        QCOMPARE(qs(ledger.error().code), QStringLiteral("ledger.no_folder"));
        QVERIFY2(qs(ledger.error().message).contains(folder), ledger.error().message.c_str());
        QVERIFY(!QFile::exists(folder));
    }

    void ledgerRefusesANewerSchema()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("ledger.db")).toStdString();
        {
            auto ledger = openLedger(path);
            QVERIFY(ledger);
        }
        {
            auto db = rl::SqliteDatabase::open(path);
            QVERIFY(db.ok());
            QVERIFY(db->execute("PRAGMA user_version=99").ok());
        }
        auto ledger = rl::UsageLedger::open(path, 20ms);
        QVERIFY(!ledger.ok());
        QCOMPARE(qs(ledger.error().code), QStringLiteral("ledger.newer"));
        QVERIFY2(qs(ledger.error().message).contains(QLatin1String("schema 99")), ledger.error().message.c_str());
    }

    // A ledger of schema 1 (before `unmetered`) is upgraded in place: its events stay, read as metered.
    void ledgerUpgradesSchemaOne()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("ledger.db")).toStdString();
        {
            auto ledger = openLedger(path);
            QVERIFY(ledger);
            ledger->append(makeLedgerEvent(1));
            ledger->stop();
        }
        {
            // Back to what schema 1 was: the same table without the column.
            auto db = rl::SqliteDatabase::open(path);
            QVERIFY(db.ok());
            QVERIFY(db->execute("ALTER TABLE ledger_events DROP COLUMN unmetered; PRAGMA user_version=1").ok());
        }
        auto ledger = openLedger(path);
        QVERIFY(ledger);
        auto page = ledger->read(0, 10);
        QVERIFY(page.ok());
        QCOMPARE(page->events.size(), std::size_t(1));
        QCOMPARE(page->events[0].usage.unmetered, false);
        rl::LedgerEvent unmetered = makeLedgerEvent(2);
        unmetered.usage.unmetered = true;
        ledger->append(unmetered);
        ledger->stop();
        auto reopened = openLedger(path);
        QVERIFY(reopened);
        page = reopened->read(0, 10);
        QVERIFY(page.ok());
        QCOMPARE(page->events.size(), std::size_t(2));
        QCOMPARE(page->events[1].usage.unmetered, true);
    }

    // ---- 7. RouterMetrics ---------------------------------------------------------------------------

    void metricsCountsRequestsBySeries()
    {
        rl::RouterMetrics metrics;
        metrics.recordRequest("mid", "openai/gpt-5-mini", "ok", 200, 0.003);
        metrics.recordRequest("mid", "openai/gpt-5-mini", "ok", 200, 0.004);
        metrics.recordRequest("mid", "openai/gpt-5-mini", "error", 502, 1.5);
        const QStringList lines = renderedLines(metrics);
        QVERIFY(lines.contains(QStringLiteral(
            R"(routeledger_requests_total{tier="mid",model="openai/gpt-5-mini",status="ok",code="200"} 2)")));
        QVERIFY(lines.contains(QStringLiteral(
            R"(routeledger_requests_total{tier="mid",model="openai/gpt-5-mini",status="error",code="502"} 1)")));
        QCOMPARE(countStartingWith(lines, QStringLiteral("routeledger_requests_total{")), qsizetype(2));
        QVERIFY(lines.contains(QStringLiteral("# TYPE routeledger_requests_total counter")));
        QVERIFY(lines.contains(QStringLiteral("# TYPE routeledger_request_duration_seconds histogram")));
        // One histogram per tier, whatever the model and status.
        QVERIFY(lines.contains(QStringLiteral(R"(routeledger_request_duration_seconds_count{tier="mid"} 3)")));
        QCOMPARE(countStartingWith(lines, QStringLiteral("routeledger_request_duration_seconds_count{")), qsizetype(1));
    }

    void metricsHistogramIsCumulative_data()
    {
        QTest::addColumn<QString>("le");
        QTest::addColumn<int>("count");
        // Requests of 0.003 s, 0.25 s (on a bound), 7 s and 45 s.
        QTest::newRow("0.001") << "0.001" << 0;
        QTest::newRow("0.0025") << "0.0025" << 0;
        QTest::newRow("0.005") << "0.005" << 1;
        QTest::newRow("0.01") << "0.01" << 1;
        QTest::newRow("0.025") << "0.025" << 1;
        QTest::newRow("0.05") << "0.05" << 1;
        QTest::newRow("0.1") << "0.1" << 1;
        QTest::newRow("0.25") << "0.25" << 2;
        QTest::newRow("0.5") << "0.5" << 2;
        QTest::newRow("1") << "1" << 2;
        QTest::newRow("2.5") << "2.5" << 2;
        QTest::newRow("5") << "5" << 2;
        QTest::newRow("10") << "10" << 3;
        QTest::newRow("30") << "30" << 3;
        QTest::newRow("+Inf") << "+Inf" << 4;
    }

    void metricsHistogramIsCumulative()
    {
        QFETCH(QString, le);
        QFETCH(int, count);
        rl::RouterMetrics metrics;
        for (double seconds : {0.003, 0.25, 7.0, 45.0})
            metrics.recordRequest("mid", "openai/gpt-5-mini", "ok", 200, seconds);
        metrics.recordRequest("light", "openai/gpt-5-nano", "ok", 200, 0.0001);
        const QStringList lines = renderedLines(metrics);
        const QString line =
            QStringLiteral(R"(routeledger_request_duration_seconds_bucket{tier="mid",le="%1"} %2)").arg(le).arg(count);
        QVERIFY2(lines.contains(line), qPrintable(line));
        QCOMPARE(countStartingWith(lines, QStringLiteral(R"(routeledger_request_duration_seconds_bucket{tier="mid",)")),
                 qsizetype(rl::RouterMetrics::kLatencyBuckets.size() + 1));
        QVERIFY(lines.contains(QStringLiteral(R"(routeledger_request_duration_seconds_count{tier="mid"} 4)")));
        QVERIFY(lines.contains(QStringLiteral(R"(routeledger_request_duration_seconds_sum{tier="mid"} 52.253)")));
        QVERIFY(lines.contains(QStringLiteral(R"(routeledger_request_duration_seconds_count{tier="light"} 1)")));
        const QString lightLine =
            QStringLiteral(R"(routeledger_request_duration_seconds_bucket{tier="light",le="%1"} 1)").arg(le);
        QVERIFY2(lines.contains(lightLine), qPrintable(lightLine));
    }

    void prometheusLabel_data()
    {
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<QByteArray>("escaped");
        QTest::newRow("plain") << QByteArray("openai/gpt-5") << QByteArray("openai/gpt-5");
        QTest::newRow("empty") << QByteArray() << QByteArray();
        QTest::newRow("quote") << QByteArray("a\"b") << QByteArray("a\\\"b");
        QTest::newRow("backslash") << QByteArray("a\\b") << QByteArray("a\\\\b");
        QTest::newRow("newline") << QByteArray("a\nb") << QByteArray("a\\nb");
        QTest::newRow("all") << QByteArray("\\\"\n\"\\") << QByteArray("\\\\\\\"\\n\\\"\\\\");
        QTest::newRow("escaped-looking") << QByteArray("\\n") << QByteArray("\\\\n");
        QTest::newRow("utf-8") << QByteArray("équipe") << QByteArray("équipe");
    }

    void prometheusLabel()
    {
        QFETCH(QByteArray, value);
        QFETCH(QByteArray, escaped);
        QCOMPARE(QByteArray::fromStdString(rl::prometheusLabel(str(value))), escaped);
    }

    void metricsEscapesLabelsInRender()
    {
        rl::RouterMetrics metrics;
        metrics.recordRequest("we\"ird\\", "odd\nmodel", "ok", 200, 0.1);
        metrics.recordFallback("a\"", "b\n");
        const QStringList lines = renderedLines(metrics);
        // (Plain literals: moc misreads raw strings with backslashes inside macro arguments.)
        const QString request = QStringLiteral("routeledger_requests_total{tier=\"we\\\"ird\\\\\","
                                               "model=\"odd\\nmodel\",status=\"ok\",code=\"200\"} 1");
        const QString histogram =
            QStringLiteral("routeledger_request_duration_seconds_count{tier=\"we\\\"ird\\\\\"} 1");
        const QString fallback = QStringLiteral("routeledger_fallbacks_total{from=\"a\\\"\",to=\"b\\n\"} 1");
        QVERIFY2(lines.contains(request), qPrintable(request));
        QVERIFY2(lines.contains(histogram), qPrintable(histogram));
        QVERIFY2(lines.contains(fallback), qPrintable(fallback));
        // No raw newline splits a series: every line is a comment or a routeledger_ series.
        for (const QString &line : lines)
            QVERIFY2(line.startsWith(QLatin1String("# ")) || line.startsWith(QLatin1String("routeledger_")),
                     qPrintable(line));
    }

    void metricsRendersCountersGaugesAndCollectors()
    {
        rl::RouterMetrics metrics;
        metrics.recordUpstreamError("openai/gpt-5", "timeout");
        metrics.recordUpstreamError("openai/gpt-5", "timeout");
        metrics.recordUpstreamError("openai/gpt-5", "rate_limited");
        metrics.recordFallback("openai/gpt-5", "openai/gpt-5-mini");
        metrics.recordRejected("body_too_large");
        metrics.recordRejected("body_too_large");
        metrics.recordRejected("unauthorized");
        metrics.openConnections = 3;
        metrics.inFlight = 2;
        int calls = 0;
        metrics.addCollector([&calls](std::string &out) {
            ++calls;
            out += "# TYPE routeledger_ledger_lag_ms gauge\nrouteledger_ledger_lag_ms 12\n";
        });
        metrics.addCollector([](std::string &out) { out += "routeledger_policy_version 7\n"; });

        const std::string text = metrics.render();
        QCOMPARE(calls, 1);
        const QStringList lines = qs(text).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QVERIFY(lines.contains(
            QStringLiteral(R"(routeledger_upstream_errors_total{model="openai/gpt-5",kind="timeout"} 2)")));
        QVERIFY(lines.contains(
            QStringLiteral(R"(routeledger_upstream_errors_total{model="openai/gpt-5",kind="rate_limited"} 1)")));
        QVERIFY(lines.contains(
            QStringLiteral(R"(routeledger_fallbacks_total{from="openai/gpt-5",to="openai/gpt-5-mini"} 1)")));
        QVERIFY(lines.contains(QStringLiteral(R"(routeledger_rejected_requests_total{reason="body_too_large"} 2)")));
        QVERIFY(lines.contains(QStringLiteral(R"(routeledger_rejected_requests_total{reason="unauthorized"} 1)")));
        QVERIFY(lines.contains(QStringLiteral("routeledger_open_connections 3")));
        QVERIFY(lines.contains(QStringLiteral("routeledger_in_flight_requests 2")));
        QVERIFY(lines.contains(QStringLiteral("# TYPE routeledger_open_connections gauge")));
        // The collectors' text comes last, in the order they were added.
        QVERIFY(text.size() > 60);
        const std::string tail = "# TYPE routeledger_ledger_lag_ms gauge\nrouteledger_ledger_lag_ms 12\n"
                                 "routeledger_policy_version 7\n";
        QVERIFY(text.size() >= tail.size());
        QCOMPARE(qs(text.substr(text.size() - tail.size())), qs(tail));
        // Every scrape asks the collectors again.
        metrics.render();
        QCOMPARE(calls, 2);
    }

    void metricsRenderEmpty()
    {
        rl::RouterMetrics metrics;
        const QStringList lines = renderedLines(metrics);
        QCOMPARE(countStartingWith(lines, QStringLiteral("routeledger_requests_total")), qsizetype(0));
        QVERIFY(lines.contains(QStringLiteral("routeledger_open_connections 0")));
        QVERIFY(lines.contains(QStringLiteral("routeledger_in_flight_requests 0")));
        QVERIFY(lines.contains(QStringLiteral("routeledger_refused_connections_total 0")));
        QVERIFY(lines.contains(QStringLiteral("routeledger_admin_requests_running 0")));
        QCOMPARE(countStartingWith(lines, QStringLiteral("# TYPE ")), qsizetype(10));
    }

    // ---- 8. Digests ---------------------------------------------------------------------------------

    void sha256Hex_data()
    {
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<QString>("digest");
        QTest::newRow("abc") << QByteArray("abc") << "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        QTest::newRow("test") << QByteArray("test")
                              << "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        QTest::newRow("empty") << QByteArray() << "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        QTest::newRow("embedded NUL") << QByteArray("a\0b", 3)
                                      << "59b271ae1bbcb1d31d41929817f4b16fb439eb4f31520b5ad1d5ce98920a7138";
        QTest::newRow("million a") << QByteArray(1'000'000, 'a')
                                   << "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
    }

    void sha256Hex()
    {
        QFETCH(QByteArray, data);
        QFETCH(QString, digest);
        QCOMPARE(qs(rl::sha256Hex(str(data))), digest);
    }

    void secretsEqual_data()
    {
        QTest::addColumn<QByteArray>("given");
        QTest::addColumn<QByteArray>("expected");
        QTest::addColumn<bool>("equal");
        QTest::newRow("equal") << QByteArray("s3cret-token") << QByteArray("s3cret-token") << true;
        QTest::newRow("one letter") << QByteArray("s3cret-token") << QByteArray("s3cret-tokeN") << false;
        QTest::newRow("prefix") << QByteArray("s3cret") << QByteArray("s3cret-token") << false;
        QTest::newRow("longer") << QByteArray("s3cret-token!") << QByteArray("s3cret-token") << false;
        QTest::newRow("nothing given") << QByteArray() << QByteArray("s3cret-token") << false;
        QTest::newRow("nothing expected") << QByteArray("s3cret-token") << QByteArray() << false;
        QTest::newRow("both empty") << QByteArray() << QByteArray() << false;
        QTest::newRow("NUL inside") << QByteArray("ab\0c", 4) << QByteArray("ab\0d", 4) << false;
    }

    void secretsEqual()
    {
        QFETCH(QByteArray, given);
        QFETCH(QByteArray, expected);
        QFETCH(bool, equal);
        QCOMPARE(rl::secretsEqual(str(given), str(expected)), equal);
    }

    void usagePageWriterWritesValidJson()
    {
        rl::LedgerPage page;
        rl::LedgerEvent event;
        event.cursor = 41;
        event.usage.requestId = "rl-1";
        event.usage.timeMs = 1795000000000;
        event.usage.team = "quote\" back\\slash \x01 caf\xc3\xa9 bad\xff";
        event.usage.tags = {"a", "b\nc"};
        event.usage.model = "openai/gpt-5";
        event.usage.tokens.input = 7;
        event.usage.costMicro = 12;
        event.usage.complexity = 0.25;
        event.usage.status = rl::UsageStatus::Fallback;
        event.attempts = {{"openai/gpt-5", "server_error", 503, 12}, {"openai/gpt-5-mini", "ok", 200, 30}};
        page.events = {event, event};
        page.events[1].cursor = 42;
        page.events[1].usage.complexity.reset();
        page.nextCursor = 42;
        page.hasMore = true;
        const std::string text = rl::UsagePageWriter::write(page);
        const nlohmann::json parsed = nlohmann::json::parse(text); // throws on invalid JSON or UTF-8
        QCOMPARE(parsed["next_cursor"].get<std::string>(), std::string("42"));
        QCOMPARE(parsed["has_more"].get<bool>(), true);
        QCOMPARE(parsed["events"].size(), std::size_t(2));
        const nlohmann::json &first = parsed["events"][0];
        QCOMPARE(first["cursor"].get<std::string>(), std::string("41"));
        QCOMPARE(first["team"].get<std::string>(), std::string("quote\" back\\slash \x01 caf\xc3\xa9 bad\xef\xbf\xbd"));
        QCOMPARE(first["tags"][1].get<std::string>(), std::string("b\nc"));
        QCOMPARE(first["status"].get<std::string>(), std::string("fallback"));
        QCOMPARE(first["complexity"].get<double>(), 0.25);
        QVERIFY(parsed["events"][1]["complexity"].is_null());
        QCOMPARE(first["attempts"][0]["http_status"].get<int>(), 503);
        QCOMPARE(first["input_tokens"].get<int>(), 7);
        QCOMPARE(first["cost_micro_usd"].get<int>(), 12);
    }
};

QTEST_APPLESS_MAIN(TestRouterUnits)
#include "tst_routerunits.moc"
