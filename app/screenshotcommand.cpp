#include "headlesscommands.h"

#include "dashboardapp.h"
#include "mainwindow.h"
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
    parser.addOptions({store, out, theme});
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
    DashboardApp dashboard(parser.value(store),
                           parser.value(theme) == QLatin1String("dark") ? Theme::Mode::Dark : Theme::Mode::Light,
                           rl::systemClock());
    MainWindow &window = dashboard.window();
    window.resize(1440, 900);
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
    if (!failure.isEmpty()) {
        std::cerr << failure.toStdString() << "\n";
        return 1;
    }
    const QStringList names = window.pageNames();
    for (int i = 0; i < names.size(); ++i) {
        window.showPage(i);
        QCoreApplication::processEvents();
        QString file = names.at(i).toLower();
        file.replace(QLatin1Char(' '), QLatin1Char('-'));
        const QString path =
            QDir(parser.value(out)).filePath(file + QStringLiteral("-") + parser.value(theme) + QStringLiteral(".png"));
        if (!window.grab().save(path)) {
            std::cerr << "could not write " << path.toStdString() << "\n";
            return 1;
        }
        std::cout << path.toStdString() << "\n";
    }
    return 0;
}

} // namespace headless
