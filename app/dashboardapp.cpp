#include "dashboardapp.h"

#include "credentialstore.h"
#include "mainwindow.h"
#include "queryworker.h"
#include "sources/sourcesworker.h"
#include "storeservice.h"
#include "studio/policydeployworker.h"
#include "studio/simulationworker.h"

#include <QApplication>
#include <QMetaObject>

DashboardApp::DashboardApp(const QString &storePath, Theme::Mode theme, rl::Clock clock) : m_theme(theme)
{
    m_theme.applyTo(*qApp);
    m_context.theme = &m_theme;
    m_context.clock = clock ? std::move(clock) : rl::systemClock();
    m_context.storePath = storePath;
    if (!storePath.isEmpty()) {
        // Created or migrated here, once, before a worker opens it: the queries' read-only connection then
        // never meets a file that does not exist yet or has an older schema.
        auto opened = rl::UsageStore::open(storePath.toStdString());
        if (opened) {
            m_context.store = new StoreService(std::move(opened).value());
            m_context.store->moveToThread(&m_storeThread);
            m_context.queries = new QueryWorker(storePath);
            m_context.queries->moveToThread(&m_queryThread);
        } else {
            m_context.storeFailure = QString::fromStdString(opened.error().message);
        }
    }
    m_context.sources = new SourcesWorker(m_context.store);
    m_context.sources->moveToThread(&m_sourcesThread);
    m_context.credentials = new CredentialStore(QStringLiteral("RouteLedger"));
    m_context.deploy = new PolicyDeployWorker;
    m_context.deploy->moveToThread(&m_deployThread);
    m_context.simulation = new SimulationWorker;
    m_context.simulation->moveToThread(&m_simulationThread);

    m_storeThread.setObjectName(QStringLiteral("store"));
    m_queryThread.setObjectName(QStringLiteral("queries"));
    m_sourcesThread.setObjectName(QStringLiteral("sources"));
    m_deployThread.setObjectName(QStringLiteral("deploy"));
    m_simulationThread.setObjectName(QStringLiteral("simulation"));
    m_storeThread.start();
    m_queryThread.start();
    m_sourcesThread.start();
    m_deployThread.start();
    m_simulationThread.start();

    m_window = std::make_unique<MainWindow>(m_context);
    if (m_context.store)
        QMetaObject::invokeMethod(
            m_context.sources, [sources = m_context.sources] { sources->open(); }, Qt::QueuedConnection);
}

DashboardApp::~DashboardApp()
{
    // The pollers first (cancelling transfers in flight; they may be waiting on the store's thread, which
    // is still running), then the window, then the threads; the store's thread goes last because every
    // other worker may call it until it stops.
    QMetaObject::invokeMethod(
        m_context.sources, [sources = m_context.sources] { sources->stop(); }, Qt::BlockingQueuedConnection);
    m_window.reset();
    m_sourcesThread.quit();
    m_queryThread.quit();
    m_deployThread.quit();
    m_simulationThread.quit();
    m_sourcesThread.wait();
    m_queryThread.wait();
    m_deployThread.wait(); // a push in flight ends within its timeouts
    m_simulationThread.wait();
    delete m_context.simulation;
    delete m_context.deploy;
    delete m_context.sources;
    delete m_context.queries;
    m_storeThread.quit();
    m_storeThread.wait();
    delete m_context.store;
    delete m_context.credentials;
}
