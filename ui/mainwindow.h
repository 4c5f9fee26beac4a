#pragma once

#include "dashboardcontext.h"
#include "dashboardsnapshot.h"
#include "store/orgcalendar.h"

#include <QMainWindow>

class FilterBar;
class QLabel;
class QListWidget;
class QStackedWidget;
class OverviewPage;
class QueryWorker;
class CredentialStore;
class SourcesPage;
class ReconciliationPage;
class SourcesWorker;
class PolicyStudioPage;
class AuditLogPage;
class QTimer;
class TeamsPage;
class RoutingPage;
class QualityPage;
class TryRequestPage;

// The window: a left navigation, the shared filter bar and the pages. It only wires pages to the workers
// the composition root (app/dashboardapp.h) made: queries on the QueryWorker's thread, writes through the
// store service, sources on the SourcesWorker's thread.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(const DashboardContext &context, QWidget *parent = nullptr);
    ~MainWindow() override;

    TryRequestPage *tryRequestPage() const { return m_tryRequest; }
    PolicyStudioPage *studioPage() const { return m_studio; }
    AuditLogPage *auditPage() const { return m_audit; }
    OverviewPage *overviewPage() const { return m_overview; }
    TeamsPage *teamsPage() const { return m_teams; }
    RoutingPage *routingPage() const { return m_routing; }
    QualityPage *qualityPage() const { return m_quality; }
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
    void requestLoad(quint64 requestId, const rl::UsageFilter &filter, qint64 nowMs);

private:
    void addPage(const QString &name, QWidget *page);
    void showSnapshot(quint64 requestId, const DashboardSnapshot &snapshot);
    void showFailure(quint64 requestId, const QString &message);

    DashboardContext m_context;
    QListWidget *m_navigation = nullptr;
    QStackedWidget *m_pages = nullptr;
    FilterBar *m_filters = nullptr;
    QLabel *m_banner = nullptr;
    QLabel *m_error = nullptr;
    OverviewPage *m_overview = nullptr;
    TeamsPage *m_teams = nullptr;
    RoutingPage *m_routing = nullptr;
    QualityPage *m_quality = nullptr;
    TryRequestPage *m_tryRequest = nullptr;
    PolicyStudioPage *m_studio = nullptr;
    AuditLogPage *m_audit = nullptr;
    SourcesPage *m_sources = nullptr;
    ReconciliationPage *m_reconciliation = nullptr;
    QTimer *m_liveRefresh = nullptr; // new data lands: refresh at most twice a second
    quint64 m_lastRequest = 0;
    bool m_qualityLoaded = false; // the last snapshot carried the Quality report
    rl::OrgCalendar m_calendar;
};
