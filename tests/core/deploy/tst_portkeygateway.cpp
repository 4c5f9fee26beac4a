// The Portkey export in the real Portkey gateway (`@portkey-ai/gateway`, pinned in ../shared/peer/portkey):
// the default policy plus a rule on `app` and one on `user`, exported in-process with a router config whose
// providers are tests/router/fake-upstream.js (`http://127.0.0.1:P/<provider>/v1`), and one request per
// metadata value (`x-portkey-config` with the exported config, `x-portkey-metadata` with the values,
// ../shared/reference/gateway-apis.md §5). The fake upstream's record says which provider path, model and key
// each request reached, and that a failing model falls back within its tier, then down a tier.
//
// The gateway is installed once into the build tree (`npm ci` from the pinned lock file into
// <build>/peer-portkey; reruns reuse it) and started on a free loopback port for the class. Without node (or,
// when it is not installed yet, npm) the class is skipped.
#include "nodeserver.h"
#include "testdata.h"
#include "testsuites.h"
#include "waituntil.h"

#include "deploy/portkeyexport.h"
#include "net/httpclient.h"
#include "routing/policyparser.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QProcessEnvironment>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <tuple>

#include <csignal>

#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace std::chrono_literals;

namespace {

const QString kGatewayScript = QStringLiteral("node_modules/@portkey-ai/gateway/build/start-server.js");

QString peerPath(const QString &relative)
{
    return QDir::cleanPath(testdata::sourcePath(QStringLiteral("../shared/peer/") + relative));
}

QString installDir()
{
    return QStringLiteral(ROUTELEDGER_BINARY_DIR "/peer-portkey");
}

// A port nothing listens on right now (the kernel's pick for port 0); the gateway takes a fixed --port.
std::uint16_t freeLoopbackPort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    std::uint16_t port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0
        && ::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length) == 0)
        port = ntohs(address.sin_port);
    ::close(fd);
    return port;
}

// The gateway as a child process, stopped (SIGTERM, then SIGKILL) when it goes out of scope. Its output goes
// to a file, so a chatty gateway never blocks on a full pipe.
class GatewayProcess {
public:
    explicit GatewayProcess(const QString &logFile) : m_logFile(logFile) {}
    ~GatewayProcess() { stop(); }
    GatewayProcess(const GatewayProcess &) = delete;
    GatewayProcess &operator=(const GatewayProcess &) = delete;

    bool start(std::uint16_t port)
    {
        stop();
        m_process = std::make_unique<QProcess>();
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        // Its only upstream is on loopback: no proxy in between.
        for (const char *name : {"HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"})
            env.remove(QString::fromLatin1(name));
        env.insert(QStringLiteral("BIND_HOST"), QStringLiteral("127.0.0.1"));
        m_process->setProcessEnvironment(env);
        m_process->setWorkingDirectory(installDir());
        m_process->setProcessChannelMode(QProcess::MergedChannels);
        m_process->setStandardOutputFile(m_logFile);
        // A test run that dies (a crash, a closed output pipe, ctest's timeout) takes the gateway with it.
        m_process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
        m_process->start(QStringLiteral("node"),
                         {QStringLiteral("-r"), peerPath(QStringLiteral("bind-host.cjs")), kGatewayScript,
                          "--port=" + QString::number(port), QStringLiteral("--headless")});
        return m_process->waitForStarted(5000);
    }
    bool running() const { return m_process && m_process->state() == QProcess::Running; }
    void stop()
    {
        if (!running())
            return;
        m_process->terminate();
        if (!m_process->waitForFinished(3000)) {
            m_process->kill();
            m_process->waitForFinished(3000);
        }
    }
    QString log() const
    {
        QFile file(m_logFile);
        return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll().right(4000)) : QString();
    }

private:
    QString m_logFile;
    std::unique_ptr<QProcess> m_process;
};

// The pinned gateway in <build>/peer-portkey: reused when its lock file is the pinned one, else installed with
// `npm ci` into a fresh folder that replaces it only once complete (an interrupted install leaves nothing
// half-installed to reuse). Empty on success, else what went wrong; `skip` says node or npm is missing.
QString ensureGatewayInstalled(bool *skip, qint64 *installMs)
{
    *skip = false;
    *installMs = -1;
    const QString lockFile = peerPath(QStringLiteral("portkey/package-lock.json"));
    const QString packageFile = peerPath(QStringLiteral("portkey/package.json"));
    if (!QFile::exists(lockFile) || !QFile::exists(packageFile) || !QFile::exists(peerPath("bind-host.cjs")))
        return "the pinned gateway is missing: " + lockFile + " (../shared/peer/ next to the repository)";
    const QDir target(installDir());
    if (QFile::exists(target.filePath(kGatewayScript)) && QFile::exists(target.filePath("package-lock.json"))
        && testdata::read(target.filePath(QStringLiteral("package-lock.json"))) == testdata::read(lockFile))
        return {};

    const QString npm = QStandardPaths::findExecutable(QStringLiteral("npm"));
    if (npm.isEmpty()) {
        *skip = true;
        return QStringLiteral("npm is not installed (Node 20 with npm installs the gateway)");
    }
    const QString staging = installDir() + ".installing-" + QString::number(QCoreApplication::applicationPid());
    QDir(staging).removeRecursively();
    if (!QDir().mkpath(staging) || !QFile::copy(packageFile, staging + "/package.json")
        || !QFile::copy(lockFile, staging + "/package-lock.json"))
        return "cannot prepare " + staging;
    QElapsedTimer timer;
    timer.start();
    QProcess install;
    install.setWorkingDirectory(staging);
    install.setProcessChannelMode(QProcess::MergedChannels);
    install.start(npm, {QStringLiteral("ci"), QStringLiteral("--no-audit"), QStringLiteral("--no-fund"),
                        QStringLiteral("--loglevel=error")});
    const bool finished = install.waitForFinished(240'000);
    const QString output = QString::fromUtf8(install.readAll().right(3000));
    if (!finished || install.exitStatus() != QProcess::NormalExit || install.exitCode() != 0) {
        install.kill();
        install.waitForFinished(3000);
        QDir(staging).removeRecursively();
        return "npm ci in " + staging + (finished ? " failed" : " took longer than 240 s") + ":\n" + output;
    }
    *installMs = timer.elapsed();
    QDir(installDir()).removeRecursively();
    if (!QDir().rename(staging, installDir())) {
        QDir(staging).removeRecursively();
        if (!QFile::exists(target.filePath(kGatewayScript))) // else another run installed it meanwhile
            return "cannot move " + staging + " to " + installDir();
    }
    return {};
}

// The default policy plus a rule on `app` (a model of the light tier, pinned) and one on `user` (a model of
// the mid tier, pinned), so that every metadata key the export reads is tested.
std::shared_ptr<const rl::Policy> policyWithEveryMetadataKey()
{
    nlohmann::json document = nlohmann::json::parse(
        testdata::read(testdata::sourcePath(QStringLiteral("resources/policies/default-policy.json"))).toStdString());
    document["rules"].push_back({{"id", "batch-app-to-deepseek"},
                                 {"when", {{"app", {{"eq", "batch"}}}}},
                                 {"then", {{"model", "deepseek/deepseek-chat"}}}});
    document["rules"].push_back({{"id", "interns-to-mini"},
                                 {"when", {{"user", {{"in", {"ana", "bo"}}}}}},
                                 {"then", {{"model", "openai/gpt-5-mini"}}}});
    rl::PolicyLoad loaded = rl::PolicyParser::fromJson(document);
    if (!loaded.ok())
        qFatal("the test policy is invalid: %s", loaded.errors.front().line().c_str());
    return loaded.policy;
}

const std::map<std::string, std::string> kKeys = {{"OPENAI_API_KEY", "sk-openai-test"},
                                                  {"ANTHROPIC_API_KEY", "sk-anthropic-test"},
                                                  {"DEEPSEEK_API_KEY", "sk-deepseek-test"}};

std::string bearer(const char *variable)
{
    return "Bearer " + kKeys.at(variable);
}

} // namespace

class TestPortkeyGateway : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_logs;
    NodeServer m_upstream;
    std::unique_ptr<GatewayProcess> m_gateway;
    std::uint16_t m_gatewayPort = 0;
    std::string m_config; // the export with its placeholders filled in, as x-portkey-config carries it
    std::unique_ptr<rl::HttpClient> m_http;

    rl::Result<rl::HttpAnswer> send(const std::string &method, const std::string &url, const std::string &body = {},
                                    std::vector<std::pair<std::string, std::string>> headers = {})
    {
        if (!body.empty())
            headers.emplace_back("Content-Type", "application/json");
        return m_http->sendOnce({method, url, std::move(headers), body});
    }

    std::string upstreamUrl(const char *path) const { return m_upstream.url(QString::fromLatin1(path)).toStdString(); }

    // One chat request through the gateway with the exported config and, when given, the metadata.
    rl::Result<rl::HttpAnswer> chat(const std::string &model, const nlohmann::json &metadata)
    {
        const nlohmann::json body = {
            {"model", model}, {"messages", {{{"role", "user"}, {"content", "Say hi"}}}}, {"max_tokens", 8}};
        std::vector<std::pair<std::string, std::string>> headers = {{"x-portkey-config", m_config}};
        if (!metadata.empty())
            headers.emplace_back("x-portkey-metadata", metadata.dump());
        return send("POST", "http://127.0.0.1:" + std::to_string(m_gatewayPort) + "/v1/chat/completions", body.dump(),
                    std::move(headers));
    }

    // What reached the fake upstream since the last reset: "path model authorization" per request.
    QStringList reached()
    {
        QStringList out;
        auto stats = send("GET", upstreamUrl("/control/stats"));
        if (!stats.ok() || stats->status != 200)
            return {QStringLiteral("cannot read the upstream's stats")};
        const nlohmann::json recorded = nlohmann::json::parse(stats->body);
        for (const auto &request : recorded.at("last_requests"))
            out << QString::fromStdString(request.value("path", std::string()) + " "
                                          + request.value("model", std::string()) + " "
                                          + request.value("authorization", std::string()));
        return out;
    }

    bool startGateway(QString *problem)
    {
        m_gateway = std::make_unique<GatewayProcess>(m_logs.filePath(QStringLiteral("portkey.log")));
        for (int attempt = 0; attempt < 3; ++attempt) { // a port taken between the pick and the start: another
            m_gatewayPort = freeLoopbackPort();
            if (m_gatewayPort == 0 || !m_gateway->start(m_gatewayPort)) {
                *problem = QStringLiteral("cannot start node for the gateway");
                return false;
            }
            const std::string root = "http://127.0.0.1:" + std::to_string(m_gatewayPort) + "/";
            bool answered = false;
            waitUntil(
                [&] {
                    auto hello = send("GET", root);
                    answered = hello.ok() && hello->status == 200
                               && hello->body.find("AI Gateway says hey!") != std::string::npos;
                    return answered || !m_gateway->running();
                },
                30s, 50ms);
            if (answered)
                return true;
            *problem =
                "the gateway did not answer GET " + QString::fromStdString(root) + " within 30 s:\n" + m_gateway->log();
            if (m_gateway->running())
                return false;
        }
        return false;
    }

private slots:
    void initTestCase()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("node")).isEmpty())
            QSKIP("node is not installed: the Portkey gateway and the fake upstream are Node programs");
        QVERIFY(m_logs.isValid());
        bool skip = false;
        qint64 installMs = -1;
        const QString installProblem = ensureGatewayInstalled(&skip, &installMs);
        if (skip)
            QSKIP(qPrintable(installProblem));
        QVERIFY2(installProblem.isEmpty(), qPrintable(installProblem));
        if (installMs >= 0)
            qInfo("installed the Portkey gateway into %s in %lld ms", qPrintable(installDir()), installMs);

        rl::HttpClient::Options options;
        options.connectTimeout = 1000ms;
        options.transferTimeout = 10'000ms;
        options.maxAttempts = 1;
        m_http = std::make_unique<rl::HttpClient>(options);

        QString error;
        QVERIFY2(m_upstream.start(testdata::path(QStringLiteral("router/fake-upstream.js")), &error),
                 qPrintable(error));

        // The router config's providers, all on the fake upstream, each under its own path.
        nlohmann::json routerConfig = {{"listen", "127.0.0.1:8080"}, {"providers", nlohmann::json::array()}};
        for (const auto &[name, variable, models] :
             {std::tuple{
                  "openai", "OPENAI_API_KEY",
                  std::vector<std::string>{"openai/gpt-5", "openai/gpt-5-mini", "openai/gpt-5-nano", "openai/gpt-4o"}},
              std::tuple{"anthropic", "ANTHROPIC_API_KEY",
                         std::vector<std::string>{"anthropic/claude-opus-4-1", "anthropic/claude-sonnet-4-5"}},
              std::tuple{"deepseek", "DEEPSEEK_API_KEY", std::vector<std::string>{"deepseek/deepseek-chat"}}})
            routerConfig["providers"].push_back(
                {{"name", name},
                 {"base_url", m_upstream.url("/" + QString::fromLatin1(name) + "/v1").toStdString()},
                 {"api_key_env", variable},
                 {"models", models}});

        const std::shared_ptr<const rl::Policy> policy = policyWithEveryMetadataKey();
        const rl::ExportResult exported = rl::PortkeyExport::write(*policy, &routerConfig);
        QVERIFY(exported.meaningful);
        for (const std::string &warning : exported.warnings) // loopback hosts are trusted by default
            QVERIFY2(warning.find("TRUSTED_CUSTOM_HOSTS") == std::string::npos, warning.c_str());
        std::string config = nlohmann::json::parse(exported.text).dump();
        for (const auto &[variable, key] : kKeys) {
            const std::string placeholder = "${" + variable + "}";
            for (std::size_t at = config.find(placeholder); at != std::string::npos; at = config.find(placeholder))
                config.replace(at, placeholder.size(), key);
        }
        QVERIFY2(config.find("${") == std::string::npos, config.c_str());
        m_config = config;

        QElapsedTimer started;
        started.start();
        QString problem;
        QVERIFY2(startGateway(&problem), qPrintable(problem));
        qInfo("the gateway answered on 127.0.0.1:%u after %lld ms", m_gatewayPort, started.elapsed());
    }

    void init()
    {
        auto reset = send("POST", upstreamUrl("/control/reset"), "{}");
        QVERIFY2(reset.ok() && reset->status == 200, "cannot reset the fake upstream");
    }

    void routesEveryMetadataValue_data()
    {
        QTest::addColumn<QString>("metadata");
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("upstreamModel");
        QTest::addColumn<QString>("authorization");
        auto row = [](const char *name, const char *metadata, const char *model, const char *provider,
                      const char *upstreamModel, const char *keyVariable) {
            QTest::newRow(name) << QString::fromLatin1(metadata) << QString::fromLatin1(model)
                                << QString::fromLatin1("/%1/v1/chat/completions").arg(QLatin1String(provider))
                                << QString::fromLatin1(upstreamModel) << QString::fromStdString(bearer(keyVariable));
        };
        // Rules, in the policy's order: legal-frontier (team), pin-4o (requested model), batch-app-to-deepseek
        // (app), interns-to-mini (user); then the tier a request names; then the default tier `mid`.
        row("team=legal", R"({"team":"legal"})", "auto", "anthropic", "claude-opus-4-1", "ANTHROPIC_API_KEY");
        row("team=sales (no rule)", R"({"team":"sales"})", "auto", "anthropic", "claude-sonnet-4-5",
            "ANTHROPIC_API_KEY");
        row("app=batch", R"({"app":"batch"})", "auto", "deepseek", "deepseek-chat", "DEEPSEEK_API_KEY");
        row("app=chat (no rule)", R"({"app":"chat"})", "auto", "anthropic", "claude-sonnet-4-5", "ANTHROPIC_API_KEY");
        row("user=ana", R"({"user":"ana"})", "auto", "openai", "gpt-5-mini", "OPENAI_API_KEY");
        row("user=bo", R"({"user":"bo"})", "auto", "openai", "gpt-5-mini", "OPENAI_API_KEY");
        row("tier=frontier", R"({"tier":"frontier"})", "auto", "anthropic", "claude-opus-4-1", "ANTHROPIC_API_KEY");
        row("tier=mid", R"({"tier":"mid"})", "auto", "anthropic", "claude-sonnet-4-5", "ANTHROPIC_API_KEY");
        row("tier=light", R"({"tier":"light"})", "auto", "openai", "gpt-5-nano", "OPENAI_API_KEY");
        row("model gpt-4o", "{}", "gpt-4o", "openai", "gpt-4o", "OPENAI_API_KEY");
        row("model light (tier by name)", "{}", "light", "openai", "gpt-5-nano", "OPENAI_API_KEY");
        row("model auto (default tier)", "{}", "auto", "anthropic", "claude-sonnet-4-5", "ANTHROPIC_API_KEY");
        // The first rule that matches wins over a later rule and over the tier the request names.
        row("team=legal beats user=ana and tier=light", R"({"team":"legal","user":"ana","tier":"light"})", "auto",
            "anthropic", "claude-opus-4-1", "ANTHROPIC_API_KEY");
        row("app=batch beats user=ana", R"({"user":"ana","app":"batch"})", "auto", "deepseek", "deepseek-chat",
            "DEEPSEEK_API_KEY");
    }

    void routesEveryMetadataValue()
    {
        QFETCH(QString, metadata);
        QFETCH(QString, model);
        QFETCH(QString, path);
        QFETCH(QString, upstreamModel);
        QFETCH(QString, authorization);
        auto answer = chat(model.toStdString(), nlohmann::json::parse(metadata.toStdString()));
        QVERIFY2(answer.ok(), answer.ok() ? "" : answer.error().message.c_str());
        QVERIFY2(answer->status == 200, answer->body.c_str());
        QCOMPARE(QString::fromStdString(nlohmann::json::parse(answer->body).value("model", std::string())),
                 upstreamModel);
        QCOMPARE(reached(), QStringList{path + " " + upstreamModel + " " + authorization});
    }

    // fallback.on (timeout, rate_limited, server_error) as on_status_codes, over the tier's models and then the
    // tiers below (across_tiers: down), at most max_attempts (3) of them; other statuses do not fall back.
    void fallsBackWithinTheTierThenDown_data()
    {
        QTest::addColumn<QString>("behaviours");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("answeredBy");
        QTest::addColumn<QStringList>("expected");
        const QString opus =
            "/anthropic/v1/chat/completions claude-opus-4-1 " + QString::fromStdString(bearer("ANTHROPIC_API_KEY"));
        const QString gpt5 = "/openai/v1/chat/completions gpt-5 " + QString::fromStdString(bearer("OPENAI_API_KEY"));
        const QString sonnet =
            "/anthropic/v1/chat/completions claude-sonnet-4-5 " + QString::fromStdString(bearer("ANTHROPIC_API_KEY"));
        QTest::newRow("503 -> next model of the tier")
            << R"({"claude-opus-4-1":"status:503"})" << 200 << "gpt-5" << QStringList{opus, gpt5};
        QTest::newRow("429, 502 -> first model of the tier below")
            << R"({"claude-opus-4-1":"status:429","gpt-5":"status:502"})" << 200 << "claude-sonnet-4-5"
            << QStringList{opus, gpt5, sonnet};
        QTest::newRow("three failures: max_attempts reached")
            << R"({"claude-opus-4-1":"status:503","gpt-5":"status:503","claude-sonnet-4-5":"status:503"})" << 503 << ""
            << QStringList{opus, gpt5, sonnet};
        QTest::newRow("400 does not fall back")
            << R"({"claude-opus-4-1":"status:400"})" << 400 << "" << QStringList{opus};
    }

    void fallsBackWithinTheTierThenDown()
    {
        QFETCH(QString, behaviours);
        QFETCH(int, status);
        QFETCH(QString, answeredBy);
        QFETCH(QStringList, expected);
        auto set = send("POST", upstreamUrl("/control/behaviours"), behaviours.toStdString());
        QVERIFY2(set.ok() && set->status == 200, "cannot set the fake upstream's behaviours");
        auto answer = chat("auto", {{"tier", "frontier"}});
        QVERIFY2(answer.ok(), answer.ok() ? "" : answer.error().message.c_str());
        QVERIFY2(answer->status == status, answer->body.c_str());
        if (!answeredBy.isEmpty())
            QCOMPARE(QString::fromStdString(nlohmann::json::parse(answer->body).value("model", std::string())),
                     answeredBy);
        QCOMPARE(reached(), expected);
    }

    void cleanupTestCase()
    {
        m_gateway.reset(); // stops it
        m_upstream.stop();
    }
};

ROUTELEDGER_TEST_SUITE(TestPortkeyGateway)
#include "tst_portkeygateway.moc"
