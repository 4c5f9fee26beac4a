#pragma once

#include "dashboardsnapshot.h"

#include <QObject>

#include <memory>
#include <optional>

// Runs the dashboard's queries on its own thread (moveToThread), so the window never waits on SQLite.
// Requests carry an id; the window ignores answers to requests it has since replaced.
class QueryWorker : public QObject {
    Q_OBJECT
public:
    explicit QueryWorker(QObject *parent = nullptr);
    ~QueryWorker() override;

public slots:
    void load(quint64 requestId, const QString &storePath, const rl::UsageFilter &filter, qint64 nowMs);

signals:
    void loaded(quint64 requestId, const DashboardSnapshot &snapshot);
    void failed(quint64 requestId, const QString &message);

private:
    std::unique_ptr<rl::UsageQueries> m_queries;
    QString m_path;
};
