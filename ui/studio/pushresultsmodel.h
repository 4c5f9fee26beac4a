#pragma once

#include "deploy/pushresult.h"
#include "widgets/theme.h"

#include <QAbstractTableModel>

#include <vector>

// One row per router of the last push: its outcome (applied, rejected, stale, unreachable, readback differs)
// in words and colour, the summary, and the details (the router's error lines, or what differs) in
// DetailsRole.
class PushResultsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Router, Outcome, Summary, ColumnCount };
    enum Role { SortRole = Qt::UserRole + 1, OutcomeRole, DetailsRole };

    explicit PushResultsModel(const Theme &theme, QObject *parent = nullptr);

    // Replaces the rows of the routers in `results`, keeping the others (pushing again retries failures).
    void merge(const std::vector<rl::PushResult> &results);
    void clear();
    const std::vector<rl::PushResult> &results() const { return m_results; }
    const rl::PushResult *result(const QString &router) const;
    QStringList failedRouters() const;

    static QString outcomeText(rl::PushOutcome outcome);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    Theme m_theme;
    std::vector<rl::PushResult> m_results;
};
