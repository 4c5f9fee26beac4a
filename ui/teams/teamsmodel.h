#pragma once

#include "dashboardsnapshot.h"

#include <QAbstractTableModel>
#include <QVector>

// One row per team: spend, requests and savings in the period, and the team's budget for its current
// budget period with use and forecast. Display text in DisplayRole; raw numbers in SortRole.
class TeamsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        TeamColumn,
        SpendColumn,
        TrendColumn,
        RequestsColumn,
        SavedColumn,
        BudgetColumn,
        UsedColumn,
        ForecastColumn,
        ColumnCount
    };
    static constexpr int SortRole = Qt::UserRole + 1;

    explicit TeamsModel(QObject *parent = nullptr);
    void setSnapshot(const DashboardSnapshot &snapshot);
    QString teamAt(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    struct Row {
        QString team;
        qint64 spent = 0, requests = 0, saved = 0;
        qint64 previous = -1; // spend in the span before; -1: none
        qint64 limit = 0;     // 0: no budget
        QString period;
        qint64 periodSpent = 0, forecast = 0;
    };
    QVector<Row> m_rows;
};
