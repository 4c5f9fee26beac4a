#pragma once

#include "dashboardsnapshot.h"
#include "store/orgcalendar.h"
#include "widgets/theme.h"

#include <QMainWindow>
#include <QThread>

class FilterBar;
class QLabel;
class QListWidget;
class QStackedWidget;
class OverviewPage;
class QueryWorker;
class StoreWriter;
class CredentialStore;
class SourcesPage;
class ReconciliationPage;
class SourcesWorker;
class QTimer;
class TeamsPage;
class RoutingPage;
class TryRequestPage;

// The window: a left navigation, the shared filter bar and the pages. It only wires pages together; the
// queries run on a QueryWorker on its own thread.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // The theme comes from app/ (the composition root); pages, models and widgets get it from here.
    explicit MainWindow(const Theme &theme, const QString &storePath = QString(), QWidget *parent = nullptr);
    // Transitional, until every caller passes its theme: the light theme.
    explicit MainWindow(const QString &storePath = QString(), QWidget *parent = nullptr)
        : MainWindow(Theme(), storePath, parent)
    {}
    ~MainWindow() override;

    TryRequestPage *tryRequestPage() const { return m_tryRequest; }
    OverviewPage *overviewPage() const { return m_overview; }
    TeamsPage *teamsPage() const { return m_teams; }
    RoutingPage *routingPage() const { return m_routing; }
    SourcesPage *sourcesPage() const { return m_sources; }
    ReconciliationPage *reconciliationPage() const { return m_reconciliation; }
    FilterBar *filterBar() const { return m_filters; }
    QStringList pageNames() const;
    void showPage(int index);
    bool demoBannerVisible() const;

public slots:
    void refresh();

signals:
    void snapshotShown();
    void loadFailed(const QString &message);
    void requestLoad(quint64 requestId, const QString &storePath, const rl::UsageFilter &filter, qint64 nowMs);
    void requestBudget(const QString &storePath, const QString &team, const QString &period, qint64 limitMicro);

private:
    void addPage(const QString &name, QWidget *page);
    void showSnapshot(quint64 requestId, const DashboardSnapshot &snapshot);
    void showFailure(quint64 requestId, const QString &message);
    rl::UsageFilter currentFilter(qint64 nowMs) const;

    Theme m_theme;
    QString m_storePath;
    QListWidget *m_navigation = nullptr;
    QStackedWidget *m_pages = nullptr;
    FilterBar *m_filters = nullptr;
    QLabel *m_banner = nullptr;
    QLabel *m_error = nullptr;
    OverviewPage *m_overview = nullptr;
    TeamsPage *m_teams = nullptr;
    RoutingPage *m_routing = nullptr;
    TryRequestPage *m_tryRequest = nullptr;
    QThread m_queryThread;
    QueryWorker *m_worker = nullptr;
    QThread m_writeThread;
    StoreWriter *m_writer = nullptr;
    SourcesPage *m_sources = nullptr;
    ReconciliationPage *m_reconciliation = nullptr;
    QThread m_sourcesThread;
    SourcesWorker *m_sourcesWorker = nullptr;
    CredentialStore *m_credentials = nullptr;
    QTimer *m_liveRefresh = nullptr; // new data lands: refresh at most twice a second
    quint64 m_lastRequest = 0;
    rl::OrgCalendar m_calendar;
};
