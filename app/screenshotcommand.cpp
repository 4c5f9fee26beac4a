#include "headlesscommands.h"

#include "dashboardapp.h"
#include "mainwindow.h"
#include "studio/calibrationpanel.h"
#include "studio/policystudiopage.h"
#include "studio/policyversionsmodel.h"
#include "studio/simulationpanel.h"
#include "widgets/filterbar.h"
#include "widgets/theme.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QTimer>

#include <cstdlib>
#include <iostream>

namespace headless {

namespace {

// Runs a studio panel (Simulate or Calibrate) and waits for its answer; false, with the reason printed, on failure.
template <class Panel>
bool runPanel(Panel *panel)
{
    QEventLoop loop;
    QString failure;
    QObject::connect(panel, &Panel::finished, &loop, &QEventLoop::quit);
    QObject::connect(panel, &Panel::failed, &loop, [&](const QString &message) {
        failure = message;
        loop.quit();
    });
    QTimer::singleShot(300000, &loop, &QEventLoop::quit);
    panel->run();
    loop.exec();
    if (!failure.isEmpty()) {
        std::cerr << failure.toStdString() << "\n";
        return false;
    }
    QCoreApplication::processEvents();
    return true;
}

bool save(QWidget &window, const QString &path)
{
    if (!window.grab().save(path)) {
        std::cerr << "could not write " << path.toStdString() << "\n";
        return false;
    }
    std::cout << path.toStdString() << "\n";
    return true;
}

// The studio's Simulate tab after a replay of the last 30 days under the draft in `policyFile`, and its Calibrate
// tab after a calibration of it for 95 % of all-frontier quality.
int studioShots(MainWindow &window, const QString &policyFile, const QString &simulatePath,
                const QString &calibratePath)
{
    PolicyStudioPage *studio = window.studioPage();
    if (!studio) {
        std::cerr << "the window has no policy studio\n";
        return 1;
    }
    QEventLoop loop;
    if (studio->versions()->rowCount() == 0) {
        QObject::connect(studio, &PolicyStudioPage::opened, &loop, &QEventLoop::quit);
        QTimer::singleShot(30000, &loop, &QEventLoop::quit);
        loop.exec();
    }
    if (!studio->openPolicyFile(policyFile)) {
        std::cerr << policyFile.toStdString() << ": " << studio->lastError().toStdString() << "\n";
        return 1;
    }
    window.showPage(int(window.pageNames().indexOf(QStringLiteral("Policy studio"))));
    SimulationPanel *simulation = studio->simulationPanel();
    studio->tabs()->setCurrentWidget(simulation);
    if (!runPanel(simulation) || !save(window, simulatePath))
        return 1;
    CalibrationPanel *calibration = studio->calibrationPanel();
    studio->tabs()->setCurrentWidget(calibration);
    if (!runPanel(calibration) || !save(window, calibratePath))
        return 1;
    return 0;
}

} // namespace

// Renders every page of the window on a store to DIR/<page>.png with the offscreen platform.
int screenshot(int argc, char **argv)
{
    if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    // Drop the subcommand so QCommandLineParser sees only options.
    std::vector<char *> args{argv[0]};
    for (int i = 2; i < argc; ++i)
        args.push_back(argv[i]);
    int count = static_cast<int>(args.size());
    QApplication app(count, args.data());
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Render every RouteLedger page to PNG"));
    parser.addHelpOption();
    QCommandLineOption store(QStringLiteral("store"), QStringLiteral("Usage store."), QStringLiteral("FILE"));
    QCommandLineOption out(QStringLiteral("out"), QStringLiteral("Folder for the PNG files."), QStringLiteral("DIR"));
    QCommandLineOption theme(QStringLiteral("theme"), QStringLiteral("light or dark."), QStringLiteral("THEME"),
                             QStringLiteral("light"));
    QCommandLineOption size(QStringLiteral("size"), QStringLiteral("Window size, WIDTHxHEIGHT (default 1280x800)."),
                            QStringLiteral("SIZE"), QStringLiteral("1280x800"));
    QCommandLineOption period(QStringLiteral("period"),
                              QStringLiteral("this-month (default), last-7-days, last-30-days, last-90-days, "
                                             "this-quarter or this-year."),
                              QStringLiteral("PERIOD"), QStringLiteral("this-month"));
    QCommandLineOption policy(
        QStringLiteral("policy"),
        QStringLiteral("A draft to open in the policy studio, simulate (Simulate tab) against "
                       "the latest published version over the last 30 days, and calibrate (Calibrate tab)."),
        QStringLiteral("FILE"));
    parser.addOptions({store, out, theme, size, period, policy});
    parser.process(app);
    if (!parser.isSet(store) || !parser.isSet(out)) {
        std::cerr << "screenshot needs --store FILE and --out DIR\n";
        return 2;
    }
    if (!QFileInfo::exists(parser.value(store))) {
        std::cerr << parser.value(store).toStdString() << ": no such store; create one with `routeledger demo`\n";
        return 1;
    }
    if (!QDir().mkpath(parser.value(out))) {
        std::cerr << parser.value(out).toStdString() << ": cannot create the folder\n";
        return 1;
    }
    const QStringList sizeParts = parser.value(size).split(QLatin1Char('x'));
    const int width = sizeParts.size() == 2 ? sizeParts.at(0).toInt() : 0;
    const int height = sizeParts.size() == 2 ? sizeParts.at(1).toInt() : 0;
    if (width < 320 || height < 240 || width > 8192 || height > 8192) {
        std::cerr << "--size expects WIDTHxHEIGHT, e.g. 1280x800, got \"" << parser.value(size).toStdString() << "\"\n";
        return 2;
    }
    if (parser.value(theme) != QLatin1String("light") && parser.value(theme) != QLatin1String("dark")) {
        std::cerr << "--theme expects light or dark, got \"" << parser.value(theme).toStdString() << "\"\n";
        return 2;
    }
    const QStringList periods{QStringLiteral("this-month"),   QStringLiteral("last-7-days"),
                              QStringLiteral("last-30-days"), QStringLiteral("last-90-days"),
                              QStringLiteral("this-quarter"), QStringLiteral("this-year")};
    const int preset = int(periods.indexOf(parser.value(period)));
    if (preset < 0) {
        std::cerr << "--period expects one of " << periods.join(QStringLiteral(", ")).toStdString() << ", got \""
                  << parser.value(period).toStdString() << "\"\n";
        return 2;
    }
    DashboardApp dashboard(parser.value(store),
                           parser.value(theme) == QLatin1String("dark") ? Theme::Mode::Dark : Theme::Mode::Light,
                           rl::systemClock());
    MainWindow &window = dashboard.window();
    window.resize(width, height);
    window.show();
    QEventLoop loop;
    QString failure;
    QObject::connect(&window, &MainWindow::snapshotShown, &loop, &QEventLoop::quit);
    QObject::connect(&window, &MainWindow::loadFailed, &loop, [&](const QString &message) {
        failure = message;
        loop.quit();
    });
    QTimer::singleShot(60000, &loop, &QEventLoop::quit);
    loop.exec();
    if (failure.isEmpty() && preset != FilterBar::ThisMonth) {
        // The order of FilterBar::Preset; the window reloads and shows the period.
        window.filterBar()->setPreset(static_cast<FilterBar::Preset>(preset));
        QTimer::singleShot(60000, &loop, &QEventLoop::quit);
        loop.exec();
    }
    if (!failure.isEmpty()) {
        std::cerr << failure.toStdString() << "\n";
        return 1;
    }
    const QStringList names = window.pageNames();
    for (int i = 0; i < names.size(); ++i) {
        window.showPage(i);
        if (names.at(i) == QLatin1String("Quality")) {
            // Its report is read when the page is first shown (QueryWorker): wait for that snapshot (the loop
            // quits on snapshotShown, connected above).
            QTimer::singleShot(60000, &loop, &QEventLoop::quit);
            loop.exec();
        }
        QCoreApplication::processEvents();
        QString file = names.at(i).toLower();
        file.replace(QLatin1Char(' '), QLatin1Char('-'));
        const QString path =
            QDir(parser.value(out))
                .filePath(file + QStringLiteral("-") + parser.value(theme)
                          + (preset != FilterBar::ThisMonth ? QStringLiteral("-") + parser.value(period) : QString())
                          + QStringLiteral(".png"));
        if (!window.grab().save(path)) {
            std::cerr << "could not write " << path.toStdString() << "\n";
            return 1;
        }
        std::cout << path.toStdString() << "\n";
    }
    if (parser.isSet(policy))
        return studioShots(
            window, parser.value(policy),
            QDir(parser.value(out))
                .filePath(QStringLiteral("policy-studio-simulate-") + parser.value(theme) + QStringLiteral(".png")),
            QDir(parser.value(out))
                .filePath(QStringLiteral("policy-studio-calibrate-") + parser.value(theme) + QStringLiteral(".png")));
    return 0;
}

} // namespace headless
