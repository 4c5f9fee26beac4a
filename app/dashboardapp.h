#pragma once

#include "clock.h"
#include "dashboardcontext.h"
#include "widgets/theme.h"

#include <QString>
#include <QThread>

#include <memory>

class MainWindow;

// The desktop app's composition root: it opens the store once (creating or migrating it) before any
// worker starts, assembles the workers on their threads, the store service, the keychain and the theme,
// and hands them to the window. Tests build the same graph, with their own clock.
class DashboardApp {
public:
    // `storePath` empty: no store (the window shows Try a request only); `clock` empty: the system clock.
    explicit DashboardApp(const QString &storePath, Theme::Mode theme = Theme::Mode::Light, rl::Clock clock = {});
    ~DashboardApp();
    DashboardApp(const DashboardApp &) = delete;
    DashboardApp &operator=(const DashboardApp &) = delete;

    MainWindow &window() { return *m_window; }
    // What the window was handed (tests reach the workers through it).
    const DashboardContext &context() const { return m_context; }
    // Why the store could not be opened, naming the fix; empty when it is open.
    const QString &storeFailure() const { return m_context.storeFailure; }

private:
    Theme m_theme;
    DashboardContext m_context;
    QThread m_storeThread, m_queryThread, m_sourcesThread, m_deployThread, m_simulationThread;
    std::unique_ptr<MainWindow> m_window;
};
