// routeledger: the desktop app, and the headless subcommands that need no display.
#include "buildinfo.h"
#include "headlesscommands.h"

#include "credentialstore.h"
#include "dashboardapp.h"
#include "mainwindow.h"
#include "studio/policystudiopage.h"
#include "studio/tryrequestpage.h"
#include "widgets/theme.h"

#include "demo/demoworkload.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>
#include <QTimer>

#include <cstring>
#include <iostream>
#include <optional>

namespace {

const char *kUsage = R"(Usage: routeledger [COMMAND] [OPTIONS]

With no command, opens the dashboard:
  routeledger [--store FILE] [--policy FILE] [--theme light|dark] [--screenshot FILE.png]
  (without --store: the store in the app's data folder; on a first start, a demo store)

Headless commands (no display needed; each has --help):
  validate-policy FILE                      check a policy; one line per problem
  route --policy FILE --request FILE        show how a request would be routed, and why
  train-scorer --labels FILE --out FILE     train the complexity scorer
  eval-scorer --labels FILE [...]           APGR, CPT and savings of the scorer against baselines
  demo --out FILE [--days 90] [--events N]  build a demo store through the routing core
  screenshot --store FILE --out DIR         render every page to PNG, no display needed
  prices --store FILE [...]                 import a price catalog, override prices, add discounts
  sources list|add|remove [...]             the sources a store polls (keys from the keychain or --key-env)
  poll --once [--source NAME] [--json]      poll the sources once and store what they return
  policy diff A.json B.json [--json]        what changed between two policies, in words
  policy list|show [--store FILE] [...]     the drafts and published versions in a store
  policy push --policy FILE --router URL    install a policy on routers, read it back, report each
  policy export --policy FILE --format F    a policy as a LiteLLM or Portkey config
  audit verify|export [--store FILE]        check the audit log's hash chain, or export it
  simulate --policy FILE --from D --to D    replay stored requests under a draft beside the published policy
  calibrate --policy F --target-quality Q   the draft's complexity thresholds for a quality or frontier share

  --help                                    this text
  --version                                 the version and the commit it was built from
)";

const char *kPolicyUsage = R"(Usage: routeledger policy SUBCOMMAND [OPTIONS]   (each has --help)

  diff A.json B.json [--json]                       what changed from A to B, one line each
  list [--store FILE] [--json]                      the store's drafts and published versions
  show [--store FILE] --version N|--draft NAME      one of them as canonical JSON
  push --policy FILE --router URL [--router URL …]  install on routers (If-Match), read back, compare
       [--token-env VAR] [--store FILE] [--dry-run]
  export --policy FILE --format litellm|portkey     as a LiteLLM router or Portkey routing config
       [--router-config FILE] [--out FILE]
)";

const char *kAuditUsage = R"(Usage: routeledger audit SUBCOMMAND [OPTIONS]   (each has --help)

  verify [--store FILE]                             check the hash chain; exit 1 names the first bad entry
  export [--store FILE] --format csv|jsonl [--out FILE]
)";

// The store the window opens without --store; the source commands default to it too.
QString appStorePath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/routeledger.db");
}

rl::Error keychainError(const CredentialStore::Outcome &outcome)
{
    if (outcome.unreachable)
        return {"keychain.unreachable", outcome.detail.toStdString(), false};
    if (outcome.missing)
        return {"keychain.missing", outcome.detail.toStdString(), false};
    return {"keychain.failed", outcome.error.toStdString(), false};
}

} // namespace

namespace headless {

bool dispatch(int argc, char **argv, int &exitCode)
{
    if (argc < 2)
        return false;
    const std::string command = argv[1];
    std::vector<std::string> args(argv + 2, argv + argc);
    if (command == "--help" || command == "-h" || command == "help") {
        std::cout << kUsage;
        exitCode = 0;
    } else if (command == "--version") {
        std::cout << buildinfo::versionLine("routeledger") << "\n";
        exitCode = 0;
    } else if (command == "validate-policy") {
        exitCode = validatePolicy(args);
    } else if (command == "route") {
        exitCode = route(args);
    } else if (command == "train-scorer") {
        exitCode = trainScorer(args);
    } else if (command == "eval-scorer") {
        exitCode = evalScorer(args);
    } else if (command == "demo") {
        exitCode = demo(args);
    } else if (command == "prices") {
        exitCode = prices(args);
    } else if (command == "sources" || command == "poll") {
        // QtKeychain answers through Qt's event loop: a QCoreApplication is made the first time a command
        // needs the keychain (a source whose key is in an environment variable never does).
        int qtArgc = 1;
        std::optional<QCoreApplication> qt;
        std::optional<CredentialStore> keychain;
        auto credentials = [&]() -> CredentialStore & {
            if (!qt) {
                qt.emplace(qtArgc, argv);
                keychain.emplace();
            }
            return *keychain;
        };
        SourceCommandContext context;
        context.defaultStore = appStorePath().toStdString();
        context.readKey = [&](const std::string &name) -> rl::Result<std::string> {
            const CredentialStore::Outcome outcome = credentials().readAndWait(QString::fromStdString(name));
            if (outcome.ok)
                return outcome.secret.toStdString();
            return keychainError(outcome);
        };
        context.removeKey = [&](const std::string &name) -> rl::Result<void> {
            const CredentialStore::Outcome outcome = credentials().removeAndWait(QString::fromStdString(name));
            if (outcome.ok)
                return {};
            return keychainError(outcome);
        };
        exitCode = command == "sources" ? sources(args, context) : poll(args, context);
    } else if (command == "simulate" || command == "calibrate") {
        SourceCommandContext context;
        context.defaultStore = appStorePath().toStdString();
        exitCode = command == "simulate" ? simulate(args, context) : calibrate(args, context);
    } else if (command == "policy" || command == "audit") {
        SourceCommandContext context;
        context.defaultStore = appStorePath().toStdString();
        const std::string sub = args.empty() ? std::string() : args.front();
        std::vector<std::string> rest(args.begin() + (args.empty() ? 0 : 1), args.end());
        if (command == "policy" && sub == "diff")
            exitCode = policyDiff(rest);
        else if (command == "policy" && sub == "export")
            exitCode = policyExport(rest);
        else if (command == "policy" && sub == "list")
            exitCode = policyList(rest, context);
        else if (command == "policy" && sub == "show")
            exitCode = policyShow(rest, context);
        else if (command == "policy" && sub == "push")
            exitCode = policyPush(rest, context);
        else if (command == "audit" && sub == "verify")
            exitCode = auditVerify(rest, context);
        else if (command == "audit" && sub == "export")
            exitCode = auditExport(rest, context);
        else if (sub == "--help" || sub == "-h") {
            std::cout << (command == "policy" ? kPolicyUsage : kAuditUsage);
            exitCode = 0;
        } else {
            std::cerr << (sub.empty() ? "\"" + command + "\" needs a subcommand"
                                      : "unknown subcommand \"" + command + " " + sub + "\"")
                      << "\n"
                      << (command == "policy" ? kPolicyUsage : kAuditUsage);
            exitCode = 2;
        }
    } else if (command == "screenshot") {
        exitCode = screenshot(argc, argv);
    } else if (command.rfind("--", 0) != 0) {
        std::cerr << "unknown command \"" << command << "\"\n" << kUsage;
        exitCode = 2;
    } else {
        return false; // options for the window
    }
    return true;
}

} // namespace headless

namespace {

// Resident memory in MB from /proc, for the start-up measurement.
double residentMegabytes()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toDouble() / 1024.0;
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    QElapsedTimer sinceStart;
    sinceStart.start();
    // Before anything asks QStandardPaths, so the window and the source commands agree on the app's store.
    QCoreApplication::setApplicationName(QStringLiteral("RouteLedger"));
    QCoreApplication::setOrganizationName(QStringLiteral("RouteLedger"));
    int exitCode = 0;
    if (headless::dispatch(argc, argv, exitCode))
        return exitCode;

    QApplication app(argc, argv);
    // Wayland compositors match the window to routeledger.desktop (its name and icon) by this.
    QApplication::setDesktopFileName(QStringLiteral("routeledger"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("RouteLedger: cost and routing governance for LLM traffic"));
    parser.addHelpOption();
    QCommandLineOption store(QStringLiteral("store"), QStringLiteral("Usage store to open."), QStringLiteral("FILE"));
    QCommandLineOption policy(QStringLiteral("policy"), QStringLiteral("Policy file to open."), QStringLiteral("FILE"));
    QCommandLineOption theme(QStringLiteral("theme"), QStringLiteral("light or dark."), QStringLiteral("THEME"),
                             QStringLiteral("light"));
    QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                  QStringLiteral("Render the window to a PNG file and exit."), QStringLiteral("FILE"));
    parser.addOptions({store, policy, theme, screenshot});
    parser.process(app);

    QString storePath = parser.value(store);
    if (storePath.isEmpty()) {
        // A first start with no data gets a demo store, so the dashboard is never empty.
        storePath = appStorePath();
        QDir().mkpath(QFileInfo(storePath).path());
        if (!QFileInfo::exists(storePath)) {
            std::cerr << "First start: creating a demo store at " << storePath.toStdString() << "\n";
            auto created = rl::UsageStore::open(storePath.toStdString());
            rl::Pricing pricing(rl::PriceCatalog::builtIn());
            rl::DemoWorkload workload({}, pricing);
            if (!created || !workload.generate(created.value()))
                std::cerr << "could not create the demo store; the dashboard opens empty\n";
        }
    }
    DashboardApp dashboard(storePath,
                           parser.value(theme) == QLatin1String("dark") ? Theme::Mode::Dark : Theme::Mode::Light,
                           rl::systemClock());
    MainWindow &window = dashboard.window();
    if (parser.isSet(policy))
        window.studioPage()->openPolicyFile(parser.value(policy));

    // bench/startup.sh: launch to the first painted Overview, and resident memory then.
    if (qEnvironmentVariableIsSet("ROUTELEDGER_REPORT_STARTUP")) {
        QObject::connect(&window, &MainWindow::snapshotShown, &window, [&] {
            window.repaint(); // paint now, with the data
            std::cout << "first painted Overview after " << sinceStart.elapsed() << " ms; resident memory "
                      << static_cast<int>(residentMegabytes()) << " MB" << std::endl;
            QApplication::exit(0);
        });
    }
    if (parser.isSet(screenshot)) {
        window.resize(1280, 800);
        window.show();
        QTimer::singleShot(1500, &window, [&] {
            const bool saved = window.grab().save(parser.value(screenshot));
            if (!saved)
                std::cerr << "could not write " << parser.value(screenshot).toStdString() << "\n";
            QApplication::exit(saved ? 0 : 1);
        });
        return QApplication::exec();
    }
    window.show();
    return QApplication::exec();
}
