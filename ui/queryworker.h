#pragma once

#include "dashboardsnapshot.h"

#include <QObject>

#include <atomic>
#include <memory>
#include <optional>

// Runs the dashboard's queries on its own thread (moveToThread), so the window never waits on SQLite. It
// only reads, on a read-only connection of its own: the store was created or migrated before it started,
// and every write goes through the store service. Requests carry an id; the window ignores answers to
// requests it has since replaced.
class QueryWorker : public QObject {
    Q_OBJECT
public:
    explicit QueryWorker(const QString &storePath, QObject *parent = nullptr);
    ~QueryWorker() override;

    // Thread-safe. The Quality page's report reads the period's raw events (seconds on a large store), so it is
    // computed only while that page is shown; other pages' snapshots leave it empty.
    void setQualityReportWanted(bool wanted) { m_qualityWanted.store(wanted); }

public slots:
    void load(quint64 requestId, const rl::UsageFilter &filter, qint64 nowMs);

signals:
    void loaded(quint64 requestId, const DashboardSnapshot &snapshot);
    void failed(quint64 requestId, const QString &message);

private:
    std::unique_ptr<rl::UsageQueries> m_queries;
    QString m_path;
    std::atomic<bool> m_qualityWanted{false};
};
